"""The signature step every COSE-based format shares: algorithm allow-list, kid lookup, try every key."""
from __future__ import annotations

from collections.abc import Callable

from kiosk.core.codec import cose
from kiosk.core.trust.keys import IssuerKey
from kiosk.core.trust.store import TrustStore
from kiosk.core.outcome.verdicts import Reason, Verdict, VerificationError


def check_cose_signature(sign1: cose.Sign1, trust: TrustStore, allowed_algs: frozenset[int],
                         key_filter: Callable[[IssuerKey], bool] | None = None) -> IssuerKey:
    """Return the trusted key that signed this envelope, or raise a typed rejection.

    Order: the algorithm must be allowed (never `none`, never a downgrade), the kid must name a known key,
    the signature must hold for one of the keys with that kid (kids can collide), and that key must not be
    revoked. `key_filter` narrows the candidates to keys of the right kind (e.g. document signers for HC1).
    """
    if sign1.alg not in allowed_algs:
        raise VerificationError(Verdict.INVALID, Reason.ALGORITHM_NOT_ALLOWED, f"alg {sign1.alg!r}")
    kid = sign1.kid
    if kid is None:
        raise VerificationError(Verdict.UNTRUSTED_ISSUER, Reason.KID_MISSING)
    candidates = [k for k in trust.keys_for(kid) if key_filter is None or key_filter(k)]
    if not candidates:
        if kid in trust.revoked_kids:
            raise VerificationError(Verdict.REVOKED, Reason.KEY_REVOKED, f"kid {kid.hex()}")
        raise VerificationError(Verdict.UNTRUSTED_ISSUER, Reason.KEY_UNKNOWN, f"kid {kid.hex()}")
    for key in candidates:
        if cose.verify_signature(sign1, key.public_key):
            if key.kid in trust.revoked_kids:
                raise VerificationError(Verdict.REVOKED, Reason.KEY_REVOKED, f"kid {kid.hex()}")
            return key
    raise VerificationError(Verdict.INVALID, Reason.SIGNATURE_INVALID, f"kid {kid.hex()}")
