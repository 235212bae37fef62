"""Signed trust bundles: how issuer keys, revocations and policy settings reach a kiosk, and why it believes them.

Key hierarchy: an offline root key (its public half pinned in the kiosk) signs trust bundles; a bundle lists
the issuer keys (each with the uses it may sign: "KP1", "STATUS", "HC1", ...), the revoked key ids, the
revoked pass ids and policy settings, with a version, an issue time, a refresh-due time and a hard expiry.
A kiosk installs a bundle only when the root signature holds and its version is higher than the installed one
(rollback refused). Removing a leaked key and blocklisting its passes is one bundle: one atomic swap.
The byte format is specified in docs/formats.md ("KTB1").
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import cbor2
from cryptography.hazmat.primitives import serialization

from kiosk.core.codec import cose
from kiosk.core.trust import freshness as fresh
from kiosk.core.trust.dcc_reference import DccReference
from kiosk.core.trust.keys import IssuerKey, kid_for_public_key, spki_der
from kiosk.core.trust.store import TrustStore
from kiosk.core.outcome.verdicts import Reason, Verdict, VerificationError

MAGIC = "KTB1"
MAX_BUNDLE_BYTES = 4 * 1024 * 1024
ROOT_ALGS = frozenset({cose.ALG_ES256, cose.ALG_PS256})
B_MAGIC, B_VERSION, B_ISSUED, B_REFRESH, B_EXPIRES, B_KEYS, B_REVOKED_KIDS, B_REVOKED_PASSES, B_POLICY, \
    B_GRACE, B_REVOKED_RIDS, B_DCC_REFERENCE = range(1, 13)
K_KID, K_SPKI, K_ISSUER, K_USES, K_NOT_BEFORE, K_NOT_AFTER = range(1, 7)


@dataclass(frozen=True)
class RootKey:
    """A pinned root public key: the only thing a kiosk trusts without being told by a bundle."""

    kid: bytes
    public_key: Any

    @classmethod
    def of(cls, public_key: Any) -> RootKey:
        return cls(kid_for_public_key(public_key), public_key)


@dataclass(frozen=True)
class BundleContent:
    """What the central side puts in a bundle before the root signs it."""

    version: int
    issued_at: datetime
    keys: tuple[IssuerKey, ...] = ()
    revoked_kids: frozenset[bytes] = field(default_factory=frozenset)
    revoked_pass_ids: frozenset[str] = field(default_factory=frozenset)
    policy: Mapping[str, Any] = field(default_factory=dict)
    refresh_due: datetime | None = None
    expires_at: datetime | None = None
    grace: timedelta | None = None
    revoked_rids: frozenset[str] = field(default_factory=frozenset)  # SMART Health Card revocations
    dcc_reference: DccReference | None = None  # EU DCC schemas and value sets

    def trust_store(self) -> TrustStore:
        return TrustStore(self.keys, self.revoked_kids, self.revoked_pass_ids, self.version,
                          revoked_rids=self.revoked_rids, issued_at=self.issued_at, refresh_due=self.refresh_due,
                          expires_at=self.expires_at, grace=self.grace, policy=dict(self.policy),
                          dcc_reference=self.dcc_reference)

    @classmethod
    def from_trust(cls, trust: TrustStore, version: int, issued_at: datetime, *,
                   refresh: timedelta = fresh.DEFAULT_REFRESH, lifetime: timedelta = fresh.DEFAULT_LIFETIME,
                   grace: timedelta | None = None, policy: Mapping[str, Any] | None = None) -> BundleContent:
        return cls(version, issued_at, trust.keys, trust.revoked_kids, trust.revoked_pass_ids,
                   dict(trust.policy if policy is None else policy), issued_at + refresh, issued_at + lifetime,
                   grace if grace is not None else trust.grace, trust.revoked_rids, trust.dcc_reference)


@dataclass(frozen=True)
class TrustBundle:
    content: BundleContent
    root_kid: bytes
    raw: bytes

    @property
    def version(self) -> int:
        return self.content.version

    def trust_store(self) -> TrustStore:
        return self.content.trust_store()

    def freshness(self, now: datetime, grace: timedelta | None = None) -> fresh.FreshnessReport:
        c = self.content
        return fresh.assess(c.issued_at, c.refresh_due, c.expires_at, now, grace if grace is not None else c.grace)


def _bad(reason: Reason, detail: str) -> VerificationError:
    return VerificationError(Verdict.TECHNICAL_ERROR, reason, detail)


def sign_bundle(content: BundleContent, root_private_key: Any, root_kid: bytes | None = None) -> bytes:
    """Central side (offline root ceremony): encode and sign a bundle."""
    kid = root_kid or kid_for_public_key(root_private_key.public_key())
    body = {
        B_MAGIC: MAGIC, B_VERSION: content.version, B_ISSUED: _ts(content.issued_at),
        B_REFRESH: _ts(content.refresh_due or content.issued_at + fresh.DEFAULT_REFRESH),
        B_EXPIRES: _ts(content.expires_at or content.issued_at + fresh.DEFAULT_LIFETIME),
        B_KEYS: [_key_map(k) for k in content.keys],
        B_REVOKED_KIDS: sorted(content.revoked_kids), B_REVOKED_PASSES: sorted(content.revoked_pass_ids),
        B_POLICY: dict(content.policy),
    }
    if content.grace is not None:
        body[B_GRACE] = int(content.grace.total_seconds())
    if content.revoked_rids:
        body[B_REVOKED_RIDS] = sorted(content.revoked_rids)
    if content.dcc_reference:
        body[B_DCC_REFERENCE] = json.dumps(content.dcc_reference.to_dict(), sort_keys=True).encode()
    return cose.sign(cbor2.dumps(body, canonical=True), root_private_key, kid)


def open_bundle(data: bytes, roots: Iterable[RootKey]) -> TrustBundle:
    """Kiosk side: check the root signature, then read every field with its type. Raises VerificationError."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise _bad(Reason.TRUST_BUNDLE_INVALID, f"{len(data)} bytes")
    try:
        sign1 = cose.decode_sign1(data)
    except cose.CoseError as exc:
        raise _bad(Reason.TRUST_BUNDLE_INVALID, str(exc)) from None
    if sign1.alg not in ROOT_ALGS:
        raise _bad(Reason.TRUST_BUNDLE_SIGNATURE_INVALID, f"alg {sign1.alg!r}")
    candidates = [r for r in roots if r.kid == sign1.kid]
    if not candidates:
        raise _bad(Reason.TRUST_BUNDLE_ROOT_UNKNOWN, f"kid {(sign1.kid or b'').hex()}")
    root = next((r for r in candidates if cose.verify_signature(sign1, r.public_key)), None)
    if root is None:
        raise _bad(Reason.TRUST_BUNDLE_SIGNATURE_INVALID, "root signature does not hold")
    try:
        content = _parse(cbor2.loads(sign1.payload))
    except (KeyError, TypeError, ValueError, IndexError, cbor2.CBORDecodeError) as exc:
        raise _bad(Reason.TRUST_BUNDLE_INVALID, str(exc) or type(exc).__name__) from None
    return TrustBundle(content, root.kid, bytes(data))


def inspect_bundle(data: bytes) -> TrustBundle:
    """Read a bundle's fields WITHOUT checking its root signature: for an administrator's preview before
    publishing, never for installing (a kiosk uses `open_bundle`). `root_kid` is the kid the signer claims.
    Raises VerificationError for anything that is not a well-formed KTB1 bundle."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise _bad(Reason.TRUST_BUNDLE_INVALID, f"{len(data)} bytes")
    try:
        sign1 = cose.decode_sign1(data)
        content = _parse(cbor2.loads(sign1.payload))
    except cose.CoseError as exc:
        raise _bad(Reason.TRUST_BUNDLE_INVALID, str(exc)) from None
    except (KeyError, TypeError, ValueError, IndexError, cbor2.CBORDecodeError) as exc:
        raise _bad(Reason.TRUST_BUNDLE_INVALID, str(exc) or type(exc).__name__) from None
    return TrustBundle(content, sign1.kid or b"", bytes(data))


def check_update(installed: TrustBundle | None, candidate: TrustBundle) -> None:
    """Refuse a rollback: a candidate must carry a higher version than the installed bundle."""
    if installed is not None and candidate.version <= installed.version:
        raise _bad(Reason.TRUST_BUNDLE_ROLLBACK,
                   f"bundle version {candidate.version} is not newer than installed {installed.version}")


def _parse(body: Any) -> BundleContent:
    if not isinstance(body, Mapping) or body.get(B_MAGIC) != MAGIC:
        raise ValueError("not a KTB1 trust bundle")
    grace = body.get(B_GRACE)
    policy = body.get(B_POLICY, {})
    if not isinstance(policy, Mapping):
        raise TypeError("policy must be a map")
    return BundleContent(
        version=_int(body[B_VERSION]), issued_at=_dt(body[B_ISSUED]),
        keys=tuple(_key_from_map(k) for k in body[B_KEYS]),
        revoked_kids=frozenset(_typed(k, bytes) for k in body[B_REVOKED_KIDS]),
        revoked_pass_ids=frozenset(_typed(p, str) for p in body[B_REVOKED_PASSES]),
        policy=_thaw(policy), refresh_due=_dt(body[B_REFRESH]), expires_at=_dt(body[B_EXPIRES]),
        grace=None if grace is None else timedelta(seconds=_int(grace)),
        revoked_rids=frozenset(_typed(r, str) for r in body.get(B_REVOKED_RIDS, ())),
        dcc_reference=_reference(body.get(B_DCC_REFERENCE)))


def _reference(raw: Any) -> DccReference | None:
    """Field 12: the DCC reference data as UTF-8 JSON (exact schema text survives; checked on reading)."""
    if raw is None:
        return None
    return DccReference.from_dict(json.loads(_typed(raw, bytes)))


def _key_map(key: IssuerKey) -> dict[int, Any]:
    return {K_KID: key.kid, K_SPKI: spki_der(key.public_key), K_ISSUER: key.issuer, K_USES: sorted(key.uses),
            K_NOT_BEFORE: _ts(key.not_before) if key.not_before else None,
            K_NOT_AFTER: _ts(key.not_after) if key.not_after else None}


def _key_from_map(data: Mapping[int, Any]) -> IssuerKey:
    return IssuerKey(
        kid=_typed(data[K_KID], bytes), public_key=serialization.load_der_public_key(_typed(data[K_SPKI], bytes)),
        issuer=_typed(data.get(K_ISSUER, ""), str), uses=frozenset(_typed(u, str) for u in data.get(K_USES, ())),
        not_before=None if data.get(K_NOT_BEFORE) is None else _dt(data[K_NOT_BEFORE]),
        not_after=None if data.get(K_NOT_AFTER) is None else _dt(data[K_NOT_AFTER]))


def _thaw(value: Any) -> Any:
    """cbor2 6 gives frozendicts and tuples; policy settings are plain JSON-like data."""
    if isinstance(value, Mapping):
        return {str(k): _thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_thaw(v) for v in value]
    return value


def _typed(value: Any, kind: type) -> Any:
    if not isinstance(value, kind) or isinstance(value, bool):
        raise TypeError(f"expected {kind.__name__}")
    return value


def _int(value: Any) -> int:
    return _typed(value, int)


def _dt(value: Any) -> datetime:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2 ** 40:
        raise TypeError("a time is integer seconds")
    return datetime.fromtimestamp(value, timezone.utc)


def _ts(value: datetime) -> int:
    return int(value.timestamp())
