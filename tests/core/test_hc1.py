"""HC1 (EU DCC / WHO GDHCN): the verifier on passes signed here with real DSC certificates."""
from __future__ import annotations

import hashlib
import zlib
from datetime import timedelta

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from kiosk.core.codec import cose
from kiosk.core.trust import dsc
from kiosk.core.passes import hc1
from kiosk.core.codec.base45 import b45encode
from kiosk.core.trust.keys import IssuerKey
from kiosk.core.trust.store import TrustStore
from kiosk.core.outcome.verdicts import Reason, Verdict
from kiosk.core.checks.verify import detect_format, verify_text
from tests.core.passes_factory import (OID_RECOVERY, OID_TEST, OID_VACC, T0, dcc_payload, hc1_text,
                                       make_signer)

NOW = T0 + timedelta(days=1)


@pytest.fixture(scope="module")
def es_signer():
    return make_signer()


@pytest.fixture(scope="module")
def ps_signer():
    return make_signer(cose.ALG_PS256)


def trust_of(*signers) -> TrustStore:
    return TrustStore(keys=tuple(dsc.issuer_key(s.certificate) for s in signers))


@pytest.mark.parametrize("wrap", ["tag18", "untagged", "cwt"])
@pytest.mark.parametrize("kid_place", ["protected", "unprotected"])
def test_es256_pass_verifies_in_every_envelope_variant(es_signer, wrap, kid_place):
    text = hc1_text(es_signer, wrap=wrap, kid_place=kid_place)
    result = verify_text(text, trust_of(es_signer), NOW)
    assert (result.verdict, result.reason, result.format) == (Verdict.VALID, Reason.OK, "HC1")
    assert result.pass_type == "vaccination" and result.issuer == "AT"
    assert result.holder.name == "Gabriele Musterfrau" and result.holder.birth_date == "1998-02-26"
    assert result.holder.masked_name == "G******* M*********"
    assert result.kid == es_signer.kid.hex()
    assert result.subject_digest == hashlib.sha256(result.pass_id.encode()).digest()


def test_ps256_pass_verifies(ps_signer):
    result = verify_text(hc1_text(ps_signer), trust_of(ps_signer), NOW)
    assert result.verdict is Verdict.VALID


def test_colliding_kids_try_every_key(es_signer):
    impostor = make_signer()
    colliding = IssuerKey(kid=es_signer.kid, public_key=impostor.private_key.public_key(),
                          uses=dsc.uses_for_types(frozenset("vtr")))
    trust = TrustStore(keys=(colliding, dsc.issuer_key(es_signer.certificate)))
    assert verify_text(hc1_text(es_signer), trust, NOW).verdict is Verdict.VALID


def test_protected_kid_wins_over_unprotected(es_signer):
    other = make_signer()
    text = hc1_text(es_signer)  # kid protected; now add a wrong unprotected kid by re-signing with both
    assert verify_text(text, trust_of(es_signer, other), NOW).is_valid
    wrong_protected = hc1_text(es_signer, kid=other.kid)
    result = verify_text(wrong_protected, trust_of(es_signer, other), NOW)
    assert (result.verdict, result.reason) == (Verdict.INVALID, Reason.SIGNATURE_INVALID)


@pytest.mark.parametrize("oids,kind,ok", [
    ((OID_TEST,), "t", True), ((OID_TEST,), "v", False), ((OID_TEST,), "r", False),
    ((OID_VACC,), "v", True), ((OID_VACC,), "t", False), ((OID_RECOVERY,), "r", True),
    ((OID_RECOVERY,), "v", False), ((), "r", True), ((OID_TEST, OID_VACC), "v", True),
])
def test_key_usage_oids_limit_pass_types(oids, kind, ok):
    signer = make_signer(oids=oids)
    result = verify_text(hc1_text(signer, dcc_payload(kind)), trust_of(signer), NOW)
    assert result.is_valid is ok
    if not ok:
        assert result.reason is Reason.KEY_USAGE_NOT_ALLOWED


def test_time_rules(es_signer):
    trust = trust_of(es_signer)
    future = verify_text(hc1_text(es_signer, iat=NOW + timedelta(hours=1)), trust, NOW)
    assert (future.verdict, future.reason) == (Verdict.NOT_YET_VALID, Reason.ISSUED_IN_FUTURE)
    expired = verify_text(hc1_text(es_signer, iat=T0 - timedelta(days=3), exp=NOW - timedelta(seconds=1)), trust, NOW)
    assert (expired.verdict, expired.reason) == (Verdict.EXPIRED, Reason.PASS_EXPIRED)
    at_exp = verify_text(hc1_text(es_signer, exp=NOW), trust, NOW)
    assert at_exp.is_valid  # iat <= now <= exp, inclusive


def test_pass_may_not_outlive_or_predate_its_signer():
    signer = make_signer(days=40)  # valid T0-30d .. T0+10d
    trust = trust_of(signer)
    outlives = verify_text(hc1_text(signer, exp=T0 + timedelta(days=20)), trust, NOW)
    assert (outlives.verdict, outlives.reason) == (Verdict.INVALID, Reason.KEY_EXPIRED)
    early = verify_text(hc1_text(signer, iat=T0 - timedelta(days=31)), trust, NOW)
    assert early.reason is Reason.SIGNER_NOT_VALID_AT_ISSUE


def test_revoked_certificate_ids_in_clear_and_hashed(es_signer):
    ci = "URN:UVCI:01:AT:REVOKED#1"
    text = hc1_text(es_signer, dcc_payload(ci=ci))
    sign1 = hc1.open_envelope(text)
    forms = hc1.revocation_keys(ci, "AT", sign1.signature, sign1.alg)
    assert len(set(forms)) == 4
    assert forms[2] == hashlib.sha256(b"AT" + ci.encode()).digest()[:16].hex()
    assert forms[3] == hashlib.sha256(sign1.signature[:32]).digest()[:16].hex()
    for form in forms:
        trust = TrustStore(keys=trust_of(es_signer).keys, revoked_pass_ids=frozenset({form}))
        result = verify_text(text, trust, NOW)
        assert (result.verdict, result.reason) == (Verdict.REVOKED, Reason.PASS_REVOKED)


def test_revoked_signer_kid(es_signer):
    trust = TrustStore(keys=trust_of(es_signer).keys, revoked_kids=frozenset({es_signer.kid}))
    assert verify_text(hc1_text(es_signer), trust, NOW).reason is Reason.KEY_REVOKED


def test_unknown_signer_and_other_prefixes(es_signer):
    result = verify_text(hc1_text(es_signer), TrustStore(), NOW)
    assert (result.verdict, result.reason) == (Verdict.UNTRUSTED_ISSUER, Reason.KEY_UNKNOWN)
    body = hc1_text(es_signer)[4:]
    for text in ("HC2:" + body, "HL0:" + body, body):
        assert verify_text(text, trust_of(es_signer), NOW).verdict is Verdict.UNSUPPORTED_FORMAT
    assert detect_format("HC1:" + body) == "HC1"


def test_layers_fail_with_their_reason(es_signer):
    trust = trust_of(es_signer)
    assert verify_text("HC1:AB=", trust, NOW).reason is Reason.BASE45_INVALID
    assert verify_text("HC1:" + b45encode(b"\xd2not zlib"), trust, NOW).reason is Reason.DECOMPRESSION_FAILED
    bomb = "HC1:" + b45encode(zlib.compress(b"\0" * 200_000))
    assert verify_text(bomb, trust, NOW).reason is Reason.DECOMPRESSED_TOO_LARGE
    assert verify_text("HC1:" + b45encode(zlib.compress(b"\x01")), trust, NOW).reason is Reason.COSE_INVALID


def test_claims_and_payload_are_checked_after_the_signature(es_signer):
    trust = trust_of(es_signer)
    no_hcert = hc1_text(es_signer, claims={1: "AT", 6: int(T0.timestamp()), 4: int(NOW.timestamp()) + 9})
    assert verify_text(no_hcert, trust, NOW).reason is Reason.CLAIMS_INVALID
    tagged_iat = hc1_text(es_signer, claims={6: cbor2.CBORTag(1, int(T0.timestamp())), 4: int(NOW.timestamp()) + 9,
                                             -260: {1: dcc_payload()}})
    assert verify_text(tagged_iat, trust, NOW).reason is Reason.CLAIMS_INVALID  # RFC 8392 §2: never tagged
    two = dcc_payload()
    two["t"] = dcc_payload("t")["t"]
    assert verify_text(hc1_text(es_signer, two), trust, NOW).reason is Reason.PAYLOAD_INVALID


def test_algorithm_must_match_key_and_be_allowed(es_signer, ps_signer):
    text = hc1_text(es_signer, alg=cose.ALG_PS256)  # ECDSA bytes claimed as PS256
    assert verify_text(text, trust_of(es_signer), NOW).reason is Reason.SIGNATURE_INVALID
    text = hc1_text(es_signer, alg=-8)  # EdDSA label
    assert verify_text(text, trust_of(es_signer), NOW).reason is Reason.ALGORITHM_NOT_ALLOWED


def test_dsc_keys_cannot_sign_our_kp1_passes(es_signer):
    key = dsc.issuer_key(es_signer.certificate)
    assert not key.may_sign("KP1") and dsc.is_hc1_key(key)


def test_dsc_key_sizes_and_curves():
    with pytest.raises(dsc.CertificateError):
        dsc.issuer_key(make_signer(cose.ALG_PS256, rsa_bits=1024).certificate)
    with pytest.raises(dsc.CertificateError):
        dsc.issuer_key(make_signer(curve=ec.SECP384R1()).certificate)


def test_both_oid_spellings_are_read():
    from cryptography import x509

    zero_arc = x509.ObjectIdentifier("1.3.6.1.4.1.0.1847.2021.1.2")
    assert dsc.allowed_types(make_signer(oids=(zero_arc,)).certificate) == {"v"}
    assert dsc.allowed_types(make_signer(oids=(OID_TEST, OID_RECOVERY)).certificate) == {"t", "r"}
    assert dsc._der_oid("1.3.6.1.4.1.1847.2021.1.1") == bytes.fromhex("060b2b060104018e378f650101")
