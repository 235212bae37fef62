"""One rule for which key signed a pass, shared by COSE (KP1, HC1) and JWS (SMART Health Cards), and one ES256
raw r‖s conversion."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from kiosk.core.codec import es256
from kiosk.core.outcome.verdicts import Reason, Verdict, VerificationError
from kiosk.core.trust.signature import SignedEnvelope, check_signature
from tests.core.kit import Issuer, bundled_trust


def signing_key(trust, kid, verifies):
    """The shared step for any envelope (COSE or JWS): only how one key is checked differs."""
    envelope = SignedEnvelope("ES256", kid, kid.hex(), lambda public_key: any(
        verifies(key) for key in trust.keys_for(kid) if key.public_key is public_key))
    return check_signature(envelope, trust, frozenset({"ES256"}))


def _reason(trust, kid, verifies) -> tuple[Verdict, Reason]:
    with pytest.raises(VerificationError) as caught:
        signing_key(trust, kid, verifies)
    return caught.value.verdict, caught.value.reason


def test_revoked_only_once_the_signature_holds():
    issuer = Issuer()
    twin = Issuer(kid=issuer.kid)  # kids can collide: both keys are tried
    trust = bundled_trust(issuer, twin)
    assert signing_key(trust, issuer.kid, lambda key: key is twin.key) is twin.key
    assert _reason(trust, issuer.kid, lambda key: False) == (Verdict.INVALID, Reason.SIGNATURE_INVALID)
    revoked = trust.with_changes(revoked_kids=frozenset({issuer.kid}))
    assert _reason(revoked, issuer.kid, lambda key: True) == (Verdict.REVOKED, Reason.KEY_REVOKED)
    assert _reason(revoked, issuer.kid, lambda key: False) == (Verdict.INVALID, Reason.SIGNATURE_INVALID)
    gone = bundled_trust().with_changes(revoked_kids=frozenset({issuer.kid}))
    assert _reason(gone, issuer.kid, lambda key: True) == (Verdict.REVOKED, Reason.KEY_REVOKED)
    assert _reason(bundled_trust(), issuer.kid, lambda key: True) == (Verdict.UNTRUSTED_ISSUER, Reason.KEY_UNKNOWN)


def test_es256_raw_signatures_round_trip_and_refuse_anything_else():
    key = ec.generate_private_key(ec.SECP256R1())
    signature = es256.sign(key, b"data")
    assert len(signature) == 64 and es256.verify(key.public_key(), signature, b"data")
    assert not es256.verify(key.public_key(), signature, b"other")
    assert not es256.verify(key.public_key(), signature[:-1], b"data")
    assert not es256.verify(ec.generate_private_key(ec.SECP256R1()).public_key(), signature, b"data")
    assert not es256.verify(None, signature, b"data")
