"""Publishing trust data to the fleet, checked first: only what a kiosk would install can be published.

Why: the service used to accept any bytes under any name (`hello` became `settings` on every kiosk). Now a
publication is one of three kinds, verified with the core's own verifiers against the service's pinned roots:
  trust-bundle       a KTB1 bundle signed by a pinned root, not expired, newer than the one published;
  status-list        a KSL1 snapshot signed by a STATUS key of the trust bundle published for that scope, newer;
  status-list-delta  a KSL1 delta that applies to the status list published for that scope (its base version,
                     hashing and signed result); the merged list is published as `status-list` at the same
                     time (the delta's signed header with the merged body, which a kiosk verifies end to end),
                     so a kiosk that missed a delta catches up with one download.
Policy settings travel signed inside the trust bundle; there is no unsigned `settings` publication.
A scope is global or one site; a site's copy wins over the global one, so a site publication is compared with
what that site's kiosks receive now. Publications serialise (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory
lock), so two workers cannot both publish "version 5". Functions take an open Tx.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization

from kiosk.core.outcome.verdicts import VerificationError
from kiosk.core.status import status_list as sl
from kiosk.core.trust import bundle as ktb
from sync.central.storage.registry import utc_text
from sync.central.storage.store import Tx

TRUST, STATUS, DELTA = "trust-bundle", "status-list", "status-list-delta"
KINDS = {TRUST: "KTB1 trust bundle", STATUS: "KSL1 status-list snapshot", DELTA: "KSL1 status-list delta"}
_PUBLISH_LOCK = 715518


class PublishRefused(Exception):
    """The file does not verify, is not newer than what is published, or cannot be checked here."""


@dataclass(frozen=True)
class Published:
    name: str
    site: str | None
    kind: str
    version: int
    issued_at: str
    etag: str
    size: int
    published_at: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "site": self.site, "kind": self.kind, "version": self.version,
                "issued_at": self.issued_at, "published_at": self.published_at, "etag": self.etag, "size": self.size}


def load_roots(paths: Iterable[str | Path]) -> list[ktb.RootKey]:
    """Pinned root public keys from PEM files (each may hold several keys). Raises PublishRefused."""
    roots = []
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise PublishRefused(f"cannot read root {path}: {exc.strerror or exc}") from None
        marker = b"-----END PUBLIC KEY-----"
        blocks = [b + marker for b in data.split(marker) if b.strip()]
        try:
            keys = [serialization.load_pem_public_key(b.strip()) for b in blocks]
        except ValueError as exc:
            raise PublishRefused(f"{path} is not a PEM public key: {exc}") from None
        if not keys:
            raise PublishRefused(f"{path} holds no public key")
        roots += [ktb.RootKey.of(k) for k in keys]
    return roots


def publish(tx: Tx, name: str, body: bytes, site: str | None, roots: Sequence[ktb.RootKey],
            now: datetime) -> Published:
    """Verify `body` as publication `name` for `site` (None: every site) and store it; raises PublishRefused."""
    if name not in KINDS:
        raise PublishRefused(f"{name!r} cannot be published: only {', '.join(KINDS)} are checked before they reach "
                             "kiosks (policy settings travel signed inside the trust bundle)")
    if not roots:
        raise PublishRefused("this service has no pinned root (kiosk-central serve --root ROOT.pub.pem): "
                             "nothing can be published")
    if tx.postgres:
        tx.execute("SELECT pg_advisory_xact_lock(?)", (_PUBLISH_LOCK,))
    if name == TRUST:
        return _publish_bundle(tx, body, site, roots, now)
    trust = _trust_for(tx, site, roots)
    if name == STATUS:
        return _publish_snapshot(tx, body, site, trust, now)
    return _publish_delta(tx, body, site, trust, now)


def _publish_bundle(tx: Tx, body: bytes, site: str | None, roots, now: datetime) -> Published:
    try:
        candidate = ktb.open_bundle(body, roots)
    except VerificationError as exc:
        raise PublishRefused(f"trust bundle does not verify: {exc.reason.value} {exc.detail}".strip()) from None
    expires = candidate.content.expires_at
    if expires is not None and expires <= now:
        raise PublishRefused(f"trust bundle version {candidate.version} expired at {utc_text(expires)}")
    _check_newer(tx, TRUST, site, candidate.version)
    return _store(tx, TRUST, site, body, candidate.version, candidate.content.issued_at, now)


def _publish_snapshot(tx: Tx, body: bytes, site: str | None, trust, now: datetime) -> Published:
    try:
        candidate = sl.load(body, trust)
    except VerificationError as exc:
        raise PublishRefused(f"status list does not verify: {exc.reason.value} {exc.detail}".strip()) from None
    if candidate.expires_at <= now:
        raise PublishRefused(f"status list version {candidate.version} expired at {utc_text(candidate.expires_at)}")
    _check_newer(tx, STATUS, site, candidate.version)
    return _store(tx, STATUS, site, body, candidate.version, candidate.issued_at, now)


def _publish_delta(tx: Tx, body: bytes, site: str | None, trust, now: datetime) -> Published:
    current_body = _effective_body(tx, STATUS, site)
    if current_body is None:
        raise PublishRefused("no status list is published for this scope: publish the status-list snapshot the "
                             "delta is based on first")
    try:
        base = sl.load(bytes(current_body), trust)
    except VerificationError as exc:
        raise PublishRefused("the published status list does not verify under the published trust bundle "
                             f"({exc.reason.value}); publish a new snapshot") from None
    try:
        merged = sl.apply_delta(base, body, trust)
    except VerificationError as exc:
        raise PublishRefused(f"status-list delta refused: {exc.reason.value} {exc.detail}".strip()) from None
    if merged.expires_at <= now:
        raise PublishRefused(f"status-list delta version {merged.version} expired at {utc_text(merged.expires_at)}")
    _store(tx, STATUS, site, merged.to_bytes(), merged.version, merged.issued_at, now)
    return _store(tx, DELTA, site, body, merged.version, merged.issued_at, now)


def _trust_for(tx: Tx, site: str | None, roots):
    """The trust store of the bundle published for this scope (the site's, else the global one)."""
    body = _effective_body(tx, TRUST, site)
    if body is None:
        raise PublishRefused("no trust bundle is published for this scope: publish the trust bundle that carries "
                             "the status list's signing key first")
    try:
        return ktb.open_bundle(bytes(body), roots).trust_store()
    except VerificationError as exc:
        raise PublishRefused(f"the published trust bundle no longer verifies with the pinned roots "
                             f"({exc.reason.value}); publish a new one") from None


def _key(name: str, site: str | None) -> str:
    return f"{site}/{name}" if site else name


def _effective(tx: Tx, name: str, site: str | None) -> tuple | None:
    for key in ([_key(name, site)] if site else []) + [name]:
        row = tx.execute("SELECT version, body FROM files WHERE name = ?", (key,)).fetchone()
        if row:
            return row
    return None


def _effective_body(tx: Tx, name: str, site: str | None) -> bytes | None:
    row = _effective(tx, name, site)
    return None if row is None else row[1]


def _check_newer(tx: Tx, name: str, site: str | None, version: int) -> None:
    """Refuse anything not newer than what this scope's kiosks receive now (for a site: its copy, else the
    global one). A file published before checks existed has no version and does not block."""
    row = _effective(tx, name, site)
    if row is not None and row[0] is not None and version <= row[0]:
        raise PublishRefused(f"{name} version {version} is not newer than the published version {row[0]}"
                             + (f" for site {site}" if site else ""))


def _store(tx: Tx, name: str, site: str | None, body: bytes, version: int, issued: datetime,
           now: datetime) -> Published:
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    at, issued_text = utc_text(now), utc_text(issued)
    tx.execute("INSERT INTO files (name, etag, body, updated_at, kind, version, site, base_name, issued_at, size) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET etag = excluded.etag, "
               "body = excluded.body, updated_at = excluded.updated_at, kind = excluded.kind, "
               "version = excluded.version, site = excluded.site, base_name = excluded.base_name, "
               "issued_at = excluded.issued_at, size = excluded.size",
               (_key(name, site), etag, body, at, KINDS[name], version, site or "", name, issued_text, len(body)))
    tx.execute("INSERT INTO publications (name, site, version, kind, etag, size, issued_at, published_at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name, site, version) DO NOTHING",
               (name, site or "", version, KINDS[name], etag, len(body), issued_text, at))
    return Published(name, site, KINDS[name], version, issued_text, etag, len(body), at)


def current(tx: Tx) -> list[dict[str, Any]]:
    """Every file a kiosk can download now, global first, then by site."""
    rows = tx.execute("SELECT name, base_name, site, kind, version, issued_at, updated_at, size, etag "
                      "FROM files WHERE substr(name, 1, 1) <> '_'").fetchall()  # not the service's own key
    out = []
    for key, base, site, kind, version, issued, at, size, etag in rows:
        out.append({"name": base or key.rpartition("/")[2], "site": site or (key.rpartition("/")[0] or None),
                    "kind": kind, "version": version, "issued_at": issued, "published_at": at, "size": size,
                    "etag": etag})
    return sorted(out, key=lambda p: (p["site"] or "", p["name"]))
