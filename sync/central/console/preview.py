"""What a file an administrator is about to publish contains: kind, version, issuers, revocations, counts, signer.

Why: publishing pushes trust data to every gate; an administrator must see what a file says before it goes out.
The file is decoded with the core's own parsers (kiosk.core.trust.bundle, kiosk.core.status). Without the root key
a trust bundle's signature cannot be checked here (the kiosks check it); a status list's signature is checked
against the trust bundle currently published, because that is what the kiosks will check it with. Pure apart
from its inputs; any thread.
"""
from __future__ import annotations

import hashlib
import json
import struct
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import cbor2

from kiosk.core.codec import cose
from kiosk.core.outcome.verdicts import VerificationError
from kiosk.core.status import status_list as sl
from kiosk.core.status import status_loading
from kiosk.core.status import status_records as rec
from kiosk.core.trust.bundle import TrustBundle, inspect_bundle

NAMES = {"trust-bundle": "trust-bundle", "status-list": "status-list", "status-list-delta": "status-list-delta",
         "settings": "settings"}
MAX_SETTINGS = 256 * 1024
_STATUS_NAMES = {0: "green", 1: "yellow", 2: "red", rec.REMOVED: "removed"}


class PreviewError(Exception):
    """The file is not one the console can show (and so will not publish)."""


@dataclass
class Preview:
    kind: str  # the file name kiosks fetch it under: trust-bundle, status-list, status-list-delta, settings
    size: int
    sha256: str
    version: int | None = None
    signer: str = ""  # kid (hex) the file says signed it
    signature: str = ""  # "unchecked" | "valid" | "invalid" | "unknown-signer"
    signature_note: str = ""
    issued_at: str = ""
    expires_at: str = ""
    facts: list[tuple[str, Any]] = field(default_factory=list)  # (label key, value) shown as a table
    issuers: list[dict[str, Any]] = field(default_factory=list)
    entries: dict[str, int] = field(default_factory=dict)


def _utc(moment: datetime | None) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def inspect(body: bytes, published_bundle: bytes | None = None) -> Preview:
    """Decode `body`; `published_bundle` (the global trust-bundle now published, if any) checks status lists."""
    digest = hashlib.sha256(body).hexdigest()
    if body[:4] == sl.MAGIC:
        return _status_list(body, digest, published_bundle)
    if body[:1] in (b"{", b"[") or body[:3] == b"\xef\xbb\xbf":
        return _settings(body, digest)
    try:
        bundle = inspect_bundle(body)
    except VerificationError as exc:
        raise PreviewError(f"not a trust bundle, status list or settings file ({exc.reason})") from None
    return _bundle(bundle, digest)


def _bundle(bundle: TrustBundle, digest: str) -> Preview:
    c = bundle.content
    p = Preview("trust-bundle", len(bundle.raw), digest, c.version, bundle.root_kid.hex(), "unchecked",
                "root", _utc(c.issued_at), _utc(c.expires_at))
    p.issuers = [{"issuer": k.issuer or "-", "kid": k.kid.hex(), "uses": ", ".join(sorted(k.uses)) or "*",
                  "not_after": _utc(k.not_after)} for k in sorted(c.keys, key=lambda k: (k.issuer, k.kid))]
    p.entries = {"keys": len(c.keys), "revoked_kids": len(c.revoked_kids),
                 "revoked_passes": len(c.revoked_pass_ids), "revoked_rids": len(c.revoked_rids)}
    p.facts = [("refresh_due", _utc(c.refresh_due)), ("policy_keys", ", ".join(sorted(c.policy)) or "-")]
    return p


def _status_list(body: bytes, digest: str, published_bundle: bytes | None) -> Preview:
    if len(body) < 8:
        raise PreviewError("status list too short")
    (header_len,) = struct.unpack(">I", body[4:8])
    if header_len > status_loading.MAX_HEADER_BYTES or 8 + header_len > len(body):
        raise PreviewError("status list header length out of range")
    try:
        sign1 = cose.decode_sign1(body[8:8 + header_len])
        h = cbor2.loads(sign1.payload)
        kind, version, region = h[sl.H_KIND], int(h[sl.H_VERSION]), str(h[sl.H_REGION])
        issued, expires = (datetime.fromtimestamp(int(h[k]), timezone.utc) for k in (sl.H_ISSUED, sl.H_EXPIRES))
    except (cose.CoseError, cbor2.CBORDecodeError, KeyError, TypeError, ValueError, OverflowError) as exc:
        raise PreviewError(f"status list header unreadable: {exc}") from None
    records = body[8 + header_len:]
    if len(records) % rec.RECORD_BYTES:
        raise PreviewError("status list body is not whole records")
    tally = Counter(records[i + rec.KEY_BYTES] for i in range(0, len(records), rec.RECORD_BYTES))
    name = "status-list-delta" if kind == sl.KIND_DELTA else "status-list"
    p = Preview(name, len(body), digest, version, (sign1.kid or b"").hex(), issued_at=_utc(issued),
                expires_at=_utc(expires))
    p.entries = {_STATUS_NAMES.get(code, f"code {code}"): n for code, n in sorted(tally.items())}
    p.entries["records"] = len(records) // rec.RECORD_BYTES
    p.facts = [("region", region)]
    if kind == sl.KIND_DELTA:
        p.facts += [("base_version", h.get(sl.H_BASE)), ("result_count", h.get(sl.H_RESULT_COUNT))]
    p.signature, p.signature_note = _check_status_signature(body, published_bundle)
    if h.get(sl.H_DIGEST) != hashlib.sha256(records).digest() or h.get(sl.H_COUNT) != p.entries["records"]:
        p.signature, p.signature_note = "invalid", "digest"  # the records are not the ones the header signed
    return p


def _check_status_signature(body: bytes, published_bundle: bytes | None) -> tuple[str, str]:
    if published_bundle is None:
        return "unchecked", "no-bundle"
    try:
        trust = inspect_bundle(published_bundle).trust_store()
    except VerificationError:
        return "unchecked", "no-bundle"
    try:
        status_loading.open_signed(body, trust)
    except VerificationError as exc:
        return ("unknown-signer" if "KEY_UNKNOWN" in f"{exc.detail}" else "invalid"), str(exc.reason)
    return "valid", "bundle"


def _settings(body: bytes, digest: str) -> Preview:
    if len(body) > MAX_SETTINGS:
        raise PreviewError("settings file over 256 KiB")
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PreviewError(f"settings are not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise PreviewError("settings must be a JSON object")
    p = Preview("settings", len(body), digest, data.get("version") if isinstance(data.get("version"), int) else None)
    p.signature, p.signature_note = "unchecked", "settings"
    p.facts = [("keys", ", ".join(sorted(map(str, data))) or "-")]
    return p
