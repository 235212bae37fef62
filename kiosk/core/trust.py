"""The trust store: which issuer keys the kiosk believes, and what has been revoked.

Loaded from its JSON form (see docs/formats.md); the signed, versioned trust *bundle* that carries it to
the kiosk is the subject of kiosk.core.bundle.
"""
from __future__ import annotations

import base64
import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kiosk.core.keys import IssuerKey, load_public_key_pem, public_key_pem


class TrustDataError(ValueError):
    """Trust data that cannot be read (malformed JSON shape, bad key)."""


@dataclass(frozen=True)
class TrustStore:
    keys: tuple[IssuerKey, ...] = ()
    revoked_kids: frozenset[bytes] = field(default_factory=frozenset)
    revoked_pass_ids: frozenset[str] = field(default_factory=frozenset)
    version: int = 0
    # SMART Health Card revocations, "<kid>/<rid>" (always revoked) or "<kid>/<rid>.<epoch>" (revoked for cards
    # issued before epoch); kid is the key's base64url thumbprint. See kiosk.core.shc_revocation.
    revoked_rids: frozenset[str] = field(default_factory=frozenset)

    def keys_for(self, kid: bytes | None) -> list[IssuerKey]:
        """Every key with this kid: kids can collide, so a verifier tries each."""
        if kid is None:
            return []
        return [k for k in self.keys if k.kid == kid]

    def with_keys(self, *keys: IssuerKey) -> TrustStore:
        return dataclasses.replace(self, keys=self.keys + tuple(keys))

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "keys": [_key_to_dict(k) for k in self.keys],
            "revoked_kids": sorted(base64.b64encode(k).decode() for k in self.revoked_kids),
            "revoked_pass_ids": sorted(self.revoked_pass_ids),
            "revoked_rids": sorted(self.revoked_rids),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrustStore:
        try:
            keys = tuple(_key_from_dict(k) for k in data.get("keys", []))
            revoked_kids = frozenset(base64.b64decode(k) for k in data.get("revoked_kids", []))
            revoked_ids = frozenset(str(p) for p in data.get("revoked_pass_ids", []))
            revoked_rids = frozenset(str(r) for r in data.get("revoked_rids", []))
            return cls(keys, revoked_kids, revoked_ids, int(data.get("version", 0)), revoked_rids=revoked_rids)
        except (KeyError, TypeError, ValueError) as exc:
            raise TrustDataError(f"unreadable trust store: {exc}") from None


def _key_to_dict(key: IssuerKey) -> dict[str, Any]:
    return {
        "kid": base64.b64encode(key.kid).decode(),
        "issuer": key.issuer,
        "uses": sorted(key.uses),
        "public_key": public_key_pem(key.public_key),
        "not_before": key.not_before.isoformat() if key.not_before else None,
        "not_after": key.not_after.isoformat() if key.not_after else None,
    }


def _key_from_dict(data: dict[str, Any]) -> IssuerKey:
    return IssuerKey(
        kid=base64.b64decode(data["kid"]),
        public_key=load_public_key_pem(data["public_key"]),
        issuer=data.get("issuer", ""),
        uses=frozenset(data.get("uses", [])),
        not_before=_dt(data.get("not_before")),
        not_after=_dt(data.get("not_after")),
    )


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
