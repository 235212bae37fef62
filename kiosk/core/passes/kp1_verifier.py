"""Verification of our printed pass (KP1), step by step. Time is an argument; nothing is read before the signature holds."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from kiosk.core.codec import cose
from kiosk.core.passes.offline_pass import FORMAT, PREFIX, PassClaims, decode_claims, open_envelope
from kiosk.core.outcome.result import HolderView, VerificationResult
from kiosk.core.trust.signature import check_cose_signature
from kiosk.core.trust.store import TrustStore
from kiosk.core.outcome.verdicts import Reason, Verdict, VerificationError

ALLOWED_ALGS = frozenset({cose.ALG_ES256})
CLOCK_SKEW = timedelta(minutes=5)


def detect(text: str) -> bool:
    return text.startswith(PREFIX)


def verify(text: str, trust: TrustStore, now: datetime) -> VerificationResult:
    """1 envelope, 2 signature and key, 3 claims, 4 key usage, 5 time, 6 revocation."""
    sign1 = open_envelope(text)
    key = check_cose_signature(sign1, trust, ALLOWED_ALGS)
    claims = decode_claims(sign1.payload)
    if not key.may_sign(FORMAT):
        raise VerificationError(Verdict.INVALID, Reason.KEY_USAGE_NOT_ALLOWED, "key may not sign KP1 passes")
    result = _result(claims, key.kid, trust)
    _check_time(claims, key.not_before, key.not_after, now)
    if claims.pass_id in trust.revoked_pass_ids:
        raise VerificationError(Verdict.REVOKED, Reason.PASS_REVOKED, f"pass {claims.pass_id}")
    return result


def _check_time(claims: PassClaims, key_not_before: datetime | None, key_not_after: datetime | None,
                now: datetime) -> None:
    if claims.issued_at > now + CLOCK_SKEW:
        raise VerificationError(Verdict.NOT_YET_VALID, Reason.ISSUED_IN_FUTURE, claims.issued_at.isoformat())
    if claims.not_before > now + CLOCK_SKEW:
        raise VerificationError(Verdict.NOT_YET_VALID, Reason.PASS_NOT_YET_VALID, claims.not_before.isoformat())
    if now >= claims.expires_at:
        raise VerificationError(Verdict.EXPIRED, Reason.PASS_EXPIRED, claims.expires_at.isoformat())
    if key_not_before is not None and claims.issued_at < key_not_before:
        raise VerificationError(Verdict.INVALID, Reason.KEY_EXPIRED, "pass predates its signing key")
    if key_not_after is not None and claims.expires_at > key_not_after:
        raise VerificationError(Verdict.INVALID, Reason.KEY_EXPIRED, "pass outlives its signing key")


def _result(claims: PassClaims, kid: bytes, trust: TrustStore) -> VerificationResult:
    return VerificationResult(
        verdict=Verdict.VALID, reason=Reason.OK, format=FORMAT, status=claims.status,
        pass_type=claims.pass_type, pass_id=claims.pass_id, kid=kid.hex(), issuer=claims.issuer,
        valid_from=claims.not_before, valid_until=claims.expires_at,
        holder=HolderView(masked_name=claims.masked_name),
        holder_binding=claims.binding_salt + claims.binding, trust_version=trust.version,
        subject_digest=hashlib.sha256(claims.pass_id.encode()).digest())
