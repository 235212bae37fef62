"""Real signed trust material for the fleet tests and benchmark: a root, a status issuer, bundles, lists, deltas.

Everything is issued around the real current time, because the central service checks expiry with its clock.
"""
from __future__ import annotations

import dataclasses
import secrets
from datetime import datetime, timedelta, timezone
from pathlib import Path

from kiosk.core.identity.idnumber import gb11643_check_char
from kiosk.core.outcome.verdicts import Status
from kiosk.core.status import status_list as sl
from kiosk.core.trust import bundle as ktb
from kiosk.core.trust.keys import IssuerKey, kid_for_public_key, new_signing_key, public_key_pem
from kiosk.core.trust.store import TrustStore


def id_numbers(count: int, start: int = 1) -> list[str]:
    return [b + gb11643_check_char(b) for b in (f"3201021980010{n:04d}" for n in range(start, start + count))]


class TrustMaterial:
    """An offline root (its public half written to `root_pem`) and a STATUS issuer it vouches for."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.root = new_signing_key()
        self.root_pem = folder / "root.pub.pem"
        self.root_pem.write_text(public_key_pem(self.root.public_key()))
        self.issuer = new_signing_key()
        self.issuer_kid = kid_for_public_key(self.issuer.public_key())
        self.issuer_key = IssuerKey(self.issuer_kid, self.issuer.public_key(), "CN-TEST", frozenset({"STATUS", "KP1"}))
        self.salt = secrets.token_bytes(32)
        self.now = datetime.now(timezone.utc).replace(microsecond=0)

    def bundle(self, version: int, issued_at: datetime | None = None, **changes) -> bytes:
        content = ktb.BundleContent.from_trust(TrustStore((self.issuer_key,)), version, issued_at or self.now)
        return ktb.sign_bundle(dataclasses.replace(content, **changes) if changes else content, self.root)

    def foreign_bundle(self, version: int) -> bytes:
        """Well-formed and signed, but by a root nobody pinned."""
        content = ktb.BundleContent.from_trust(TrustStore((self.issuer_key,)), version, self.now)
        return ktb.sign_bundle(content, new_signing_key())

    def trust(self) -> TrustStore:
        return TrustStore((self.issuer_key,), version=1)

    def snapshot(self, version: int, entries: dict | None = None) -> bytes:
        until = self.now + timedelta(days=365)
        entries = entries if entries is not None else {n: (Status.GREEN, until) for n in id_numbers(50)}
        return sl.build(entries, self.salt, self.now, version, self.issuer, self.issuer_kid, region="bj")

    def delta(self, base: bytes, version: int, changes: dict) -> bytes:
        current = sl.load(base, self.trust())
        return sl.build_delta(current, changes, self.now, version, self.issuer, self.issuer_kid)

    def red(self, *numbers: str) -> dict:
        until = self.now + timedelta(days=365)
        return {n: (Status.RED, until) for n in numbers}
