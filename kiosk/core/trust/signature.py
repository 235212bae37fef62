"""The one signature step every signed pass shares, COSE (HC1, KP1) and JWS (SMART Health Cards) alike.

Order: the algorithm must be allowed (never `none`, never a downgrade), the kid must name a known key of the
right kind, the signature must hold for one of the keys with that kid (kids can collide, so each is tried),
and the key that verifies must not be revoked. An envelope format only says how to read its algorithm and
kid and how to check its signature against one key (`SignedEnvelope`); the trust decisions live here once.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, NamedTuple

from kiosk.core.codec import cose, jws
from kiosk.core.outcome.verdicts import Reason, Verdict, VerificationError
from kiosk.core.trust.keys import IssuerKey
from kiosk.core.trust.store import TrustStore


class SignedEnvelope(NamedTuple):
    """What the shared step needs from any signed envelope (a tuple: built once per pass, on the hot path)."""

    alg: Hashable  # COSE label (-7) or JOSE name ("ES256")
    kid: bytes | None
    kid_text: str  # how the kid is spoken of in a detail (hex for COSE, base64url for JWS)
    verify_with: Callable[[Any], bool]  # public key -> does the signature hold


def check_signature(envelope: SignedEnvelope, trust: TrustStore, allowed_algs: frozenset,
                    key_filter: Callable[[IssuerKey], bool] | None = None) -> IssuerKey:
    """Return the trusted key that signed this envelope, or raise a typed rejection."""
    if not isinstance(envelope.alg, (int, str)) or envelope.alg not in allowed_algs:
        raise VerificationError(Verdict.INVALID, Reason.ALGORITHM_NOT_ALLOWED, f"alg {envelope.alg!r}")
    kid = envelope.kid
    if kid is None:
        raise VerificationError(Verdict.UNTRUSTED_ISSUER, Reason.KID_MISSING)
    candidates = [k for k in trust.keys_for(kid) if key_filter is None or key_filter(k)]
    if not candidates:
        if kid in trust.revoked_kids:
            raise VerificationError(Verdict.REVOKED, Reason.KEY_REVOKED, f"kid {envelope.kid_text}")
        raise VerificationError(Verdict.UNTRUSTED_ISSUER, Reason.KEY_UNKNOWN, f"kid {envelope.kid_text}")
    for key in candidates:
        if envelope.verify_with(key.public_key):
            if key.kid in trust.revoked_kids:
                raise VerificationError(Verdict.REVOKED, Reason.KEY_REVOKED, f"kid {envelope.kid_text}")
            return key
    raise VerificationError(Verdict.INVALID, Reason.SIGNATURE_INVALID, f"kid {envelope.kid_text}")


def cose_envelope(sign1: cose.Sign1) -> SignedEnvelope:
    kid = sign1.kid
    return SignedEnvelope(sign1.alg, kid, kid.hex() if kid else "",
                          lambda public_key: cose.verify_signature(sign1, public_key))


def jws_envelope(token: jws.CompactJws) -> SignedEnvelope:
    """A compact JWS: alg and kid (base64url, e.g. an RFC 7638 thumbprint) from its protected header."""
    kid_text = token.header.get("kid")
    kid = None
    if isinstance(kid_text, str):
        try:
            kid = jws.b64url_decode(kid_text)
        except ValueError:
            raise VerificationError(Verdict.INVALID, Reason.JWS_INVALID, "kid is not base64url") from None
    return SignedEnvelope(token.header.get("alg"), kid, kid_text if isinstance(kid_text, str) else "",
                          lambda public_key: jws.verify_es256(token, public_key))


def check_cose_signature(sign1: cose.Sign1, trust: TrustStore, allowed_algs: frozenset[int],
                         key_filter: Callable[[IssuerKey], bool] | None = None) -> IssuerKey:
    """The shared step for a COSE_Sign1 envelope (HC1, KP1)."""
    return check_signature(cose_envelope(sign1), trust, allowed_algs, key_filter)
