"""The trust store: which issuer keys the kiosk believes, and what has been revoked.

Loaded from its JSON form (see docs/formats.md); the signed, versioned trust *bundle* that carries it to
the kiosk is the subject of kiosk.core.trust.bundle.
"""
from __future__ import annotations

import base64
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from kiosk.core.trust.dcc_reference import DccReference
from kiosk.core.trust.keys import IssuerKey, load_public_key_pem, public_key_pem


class TrustDataError(ValueError):
    """Trust data that cannot be read (malformed JSON shape, bad key)."""


@dataclass(frozen=True)
class TrustStore:
    """Keys and revocations, plus (when it came from a signed bundle) the bundle's times and policy settings.

    A store without `expires_at` is not bundle-managed (a test fixture, a file given with --trust): no
    freshness rule applies to it. `trusted_time` is the latest time the kiosk knows to be real (bundle issue
    time, central-service time, its own monotonic record); a clock before it is suspect (kiosk.core.checks.clock).
    """

    keys: tuple[IssuerKey, ...] = ()
    revoked_kids: frozenset[bytes] = field(default_factory=frozenset)
    revoked_pass_ids: frozenset[str] = field(default_factory=frozenset)
    version: int = 0
    # SMART Health Card revocations, "<kid>/<rid>" (always revoked) or "<kid>/<rid>.<epoch>" (revoked for cards
    # issued before epoch); kid is the key's base64url thumbprint. See kiosk.core.trust.shc_revocation.
    revoked_rids: frozenset[str] = field(default_factory=frozenset)
    issued_at: datetime | None = None
    refresh_due: datetime | None = None
    expires_at: datetime | None = None
    grace: timedelta | None = None  # how long past refresh_due the data still counts (None: the default)
    trusted_time: datetime | None = None
    policy: Mapping[str, Any] = field(default_factory=dict)  # policy settings carried by the bundle
    # EU DCC schemas and value sets (kiosk.core.trust.dcc_reference); None: not installed
    dcc_reference: DccReference | None = None
    _by_kid: dict[bytes, list[IssuerKey]] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        index: dict[bytes, list[IssuerKey]] = {}
        for key in self.keys:
            index.setdefault(key.kid, []).append(key)
        object.__setattr__(self, "_by_kid", index)

    def keys_for(self, kid: bytes | None) -> list[IssuerKey]:
        """Every key with this kid: kids can collide, so a verifier tries each."""
        if kid is None:
            return []
        return list(self._by_kid.get(kid, ()))

    def with_keys(self, *keys: IssuerKey) -> TrustStore:
        return self.with_changes(keys=self.keys + tuple(keys))

    def with_changes(self, **changes: Any) -> TrustStore:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "version": self.version,
            "keys": [_key_to_dict(k) for k in self.keys],
            "revoked_kids": sorted(base64.b64encode(k).decode() for k in self.revoked_kids),
            "revoked_pass_ids": sorted(self.revoked_pass_ids),
            "revoked_rids": sorted(self.revoked_rids),
        }
        for name in ("issued_at", "refresh_due", "expires_at", "trusted_time"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name).isoformat()
        if self.grace is not None:
            data["grace_seconds"] = int(self.grace.total_seconds())
        if self.policy:
            data["policy"] = dict(self.policy)
        if self.dcc_reference:
            data["dcc_reference"] = self.dcc_reference.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrustStore:
        try:
            keys = tuple(_key_from_dict(k) for k in data.get("keys", []))
            revoked_kids = frozenset(base64.b64decode(k) for k in data.get("revoked_kids", []))
            revoked_ids = frozenset(str(p) for p in data.get("revoked_pass_ids", []))
            revoked_rids = frozenset(str(r) for r in data.get("revoked_rids", []))
            grace = data.get("grace_seconds")
            return cls(keys, revoked_kids, revoked_ids, int(data.get("version", 0)), revoked_rids=revoked_rids,
                       issued_at=_dt(data.get("issued_at")), refresh_due=_dt(data.get("refresh_due")),
                       expires_at=_dt(data.get("expires_at")), trusted_time=_dt(data.get("trusted_time")),
                       grace=None if grace is None else timedelta(seconds=int(grace)),
                       policy=dict(data.get("policy") or {}),
                       dcc_reference=DccReference.from_dict(data["dcc_reference"]) if data.get("dcc_reference")
                       else None)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
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
