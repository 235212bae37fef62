"""Signed trust lists, imported offline: a COSE-signed DSC list (HC1) and a JWS-signed VCI directory (SHC).

A list is only as good as its signer: both forms must be signed by a key the store already trusts with the
use "TRUST_LIST" (pinned by importing it with `kiosk trust import --list-signer`), and must be inside their
own validity window (`issued` <= now <= `expires`), so a stale or forged list is refused instead of silently
widening trust.

DSC list: COSE_Sign1 (ES256 or PS256, kid in the protected header) over CBOR
  {"type": "dsc-list", "issued": int, "expires": int, "certificates": [DER bytes, ...]}.
VCI directory: compact JWS {"alg": "ES256", "kid": <base64url kid>} over JSON
  {"issued": int, "expires": int, "participating_issuers": [...]} (the directory's own shape).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

import cbor2

from kiosk.core.codec import cose, jws
from kiosk.core.trust import dsc
from kiosk.core.trust.keys import IssuerKey
from kiosk.core.trust.store import TrustStore

LIST_SIGNER_USE = "TRUST_LIST"
DSC_LIST_TYPE = "dsc-list"
MAX_LIST_BYTES = 8 * 1024 * 1024


class SignedListError(ValueError):
    """A signed list whose signature, signer, shape or validity window fails."""


def _signers(trust: TrustStore, kid: bytes | None) -> list[IssuerKey]:
    return [k for k in trust.keys_for(kid) if LIST_SIGNER_USE in k.uses]


def _check_window(body: Mapping[str, Any], now: datetime) -> None:
    issued, expires = body.get("issued"), body.get("expires")
    if not isinstance(issued, int) or not isinstance(expires, int):
        raise SignedListError("a signed list states 'issued' and 'expires' (integer seconds)")
    stamp = now.timestamp()
    if stamp < issued - 300:
        raise SignedListError("the list is issued in the future")
    if stamp > expires:
        raise SignedListError(f"the list expired at {datetime.fromtimestamp(expires, timezone.utc):%Y-%m-%d %H:%M}Z")


def open_signed_dsc_list(data: bytes, trust: TrustStore, now: datetime) -> list[Any]:
    """The certificates of a COSE-signed DSC list, after its signature and window are checked."""
    if len(data) > MAX_LIST_BYTES:
        raise SignedListError("list too large")
    try:
        sign1 = cose.decode_sign1(data)
    except cose.CoseError as exc:
        raise SignedListError(f"not a COSE-signed list: {exc}") from None
    signers = _signers(trust, sign1.kid)
    if not signers:
        raise SignedListError("the list's signer is not a trusted list signer")
    if not any(cose.verify_signature(sign1, k.public_key) for k in signers):
        raise SignedListError("the list's signature does not hold")
    try:
        body = cbor2.loads(sign1.payload)
    except Exception as exc:  # noqa: BLE001 - hostile CBOR
        raise SignedListError(f"list body is not CBOR: {type(exc).__name__}") from None
    if not isinstance(body, Mapping) or body.get("type") != DSC_LIST_TYPE or \
            not isinstance(body.get("certificates"), (list, tuple)):
        raise SignedListError("a DSC list body is {type: 'dsc-list', certificates: [...]}")
    _check_window(body, now)
    return [dsc.certificate_from_der(der) for der in body["certificates"] if isinstance(der, bytes)]


def open_signed_directory(text: str, trust: TrustStore, now: datetime) -> Mapping[str, Any]:
    """The VCI directory inside a JWS, after its signature and window are checked."""
    token = _parse_large(text)
    kid_text = token.header.get("kid")
    try:
        kid = jws.b64url_decode(kid_text) if isinstance(kid_text, str) else None
    except ValueError:
        kid = None
    signers = _signers(trust, kid)
    if token.header.get("alg") != "ES256" or not signers:
        raise SignedListError("the directory's signer is not a trusted ES256 list signer")
    if not any(jws.verify_es256(token, k.public_key) for k in signers):
        raise SignedListError("the directory's signature does not hold")
    try:
        body = json.loads(token.payload)
    except ValueError as exc:
        raise SignedListError(f"directory is not JSON: {exc}") from None
    if not isinstance(body, Mapping):
        raise SignedListError("directory is not a JSON object")
    _check_window(body, now)
    return body


def _parse_large(text: str) -> jws.CompactJws:
    """A directory snapshot is far larger than a QR code's JWS: strict base64url parsing, larger bound."""
    if len(text) > MAX_LIST_BYTES:
        raise SignedListError("directory too large")
    head, payload, signature = (text.split(".") + ["", ""])[:3]
    try:
        return jws.CompactJws(json.loads(jws.b64url_decode(head)), jws.b64url_decode(payload),
                              jws.b64url_decode(signature), f"{head}.{payload}".encode("ascii"))
    except (ValueError, UnicodeError) as exc:
        raise SignedListError(f"not a compact JWS: {exc}") from None


def make_signed_dsc_list(cert_ders: list[bytes], private_key: Any, kid: bytes, issued: int, expires: int,
                         alg: int = cose.ALG_ES256) -> bytes:
    """Publisher side (tests, tooling): sign a DSC list."""
    body = cbor2.dumps({"type": DSC_LIST_TYPE, "issued": issued, "expires": expires, "certificates": cert_ders})
    return cose.sign(body, private_key, kid, alg)


def make_signed_directory(directory: Mapping[str, Any], private_key: Any, kid: bytes, issued: int,
                          expires: int) -> str:
    """Publisher side (tests, tooling): sign a VCI directory snapshot."""
    body = {**directory, "issued": issued, "expires": expires}
    return jws.sign_es256({"alg": "ES256", "kid": jws.b64url_encode(kid)},
                          json.dumps(body, separators=(",", ":")).encode(), private_key)
