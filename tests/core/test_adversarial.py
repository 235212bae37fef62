"""Hostile printed codes: each gets its own specific verdict; none is VALID and none crashes the verifier."""
from __future__ import annotations

import zlib
from datetime import timedelta

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.core.codec import cose
from kiosk.core.passes import offline_pass
from kiosk.core.codec.base45 import ALPHABET, b45decode, b45encode
from kiosk.core.trust.keys import IssuerKey
from kiosk.core.outcome.verdicts import Reason, Verdict
from kiosk.core.checks.verify import verify_text
from tests.core.kit import NOW, Issuer, later, trust_for, unsigned_envelope, wrap

ISSUER = Issuer()
OTHER = Issuer()
TRUST = trust_for(ISSUER)
GOOD = ISSUER.seal()


def check(text: str, trust=TRUST, now=NOW):
    return verify_text(text, trust, now)


def test_the_untouched_pass_is_valid():
    result = check(GOOD)
    assert (result.verdict, result.reason, result.status) == (Verdict.VALID, Reason.OK, "green")


@pytest.mark.parametrize("text, verdict, reason", [
    ("", Verdict.UNSUPPORTED_FORMAT, Reason.EMPTY_INPUT),
    ("HC2:" + GOOD[4:], Verdict.UNSUPPORTED_FORMAT, Reason.UNKNOWN_PREFIX),
    ("kp1:" + GOOD[4:], Verdict.UNSUPPORTED_FORMAT, Reason.UNKNOWN_PREFIX),
    (GOOD[4:], Verdict.UNSUPPORTED_FORMAT, Reason.UNKNOWN_PREFIX),
    ("KP1:" + "A" * 9000, Verdict.INVALID, Reason.INPUT_TOO_LARGE),
    ("KP1:abc", Verdict.INVALID, Reason.BASE45_INVALID),
    ("KP1:" + b45encode(b"not zlib at all"), Verdict.INVALID, Reason.DECOMPRESSION_FAILED),
    ("KP1:" + b45encode(zlib.compress(b"\x00" * 1_000_000)), Verdict.INVALID, Reason.DECOMPRESSED_TOO_LARGE),
    (wrap(b"\xff\x00garbage"), Verdict.INVALID, Reason.COSE_INVALID),
    (wrap(cbor2.dumps([1, 2, 3])), Verdict.INVALID, Reason.COSE_INVALID),
])
def test_broken_layers_have_their_own_reason(text, verdict, reason):
    result = check(text)
    assert (result.verdict, result.reason) == (verdict, reason)


def test_truncation_at_every_length_is_never_valid():
    for cut in range(0, len(GOOD), 3):
        result = check(GOOD[:cut])
        assert result.verdict is not Verdict.VALID
        assert result.reason is not Reason.INTERNAL_ERROR


def test_zlib_bomb_is_capped_not_inflated():
    bomb = zlib.compress(b"\x00" * 5_000_000, 9)  # ~1000:1, the most a QR-sized text can carry
    text = "KP1:" + b45encode(bomb)
    assert len(text) < 8192
    result = check(text)
    assert result.reason is Reason.DECOMPRESSED_TOO_LARGE


def test_wrong_key_with_the_right_kid_fails_the_signature():
    forger = Issuer(kid=ISSUER.kid)
    result = check(forger.seal())
    assert (result.verdict, result.reason) == (Verdict.INVALID, Reason.SIGNATURE_INVALID)


def test_unknown_kid_is_an_untrusted_issuer():
    result = check(OTHER.seal())
    assert (result.verdict, result.reason) == (Verdict.UNTRUSTED_ISSUER, Reason.KEY_UNKNOWN)


def test_colliding_kids_try_every_key():
    twin = Issuer(kid=ISSUER.kid)
    trust = trust_for(twin, ISSUER)  # the colliding key comes first and does not verify
    assert check(GOOD, trust).verdict is Verdict.VALID
    assert check(twin.seal(), trust).verdict is Verdict.VALID


def test_missing_kid():
    payload = offline_pass.encode_claims(ISSUER.claims())
    text = wrap(unsigned_envelope(payload, {cose.HEADER_ALG: cose.ALG_ES256}, b"\x00" * 64))
    assert check(text).reason is Reason.KID_MISSING


@pytest.mark.parametrize("alg", [None, 0, -8, -257, -37, "ES256"])
def test_none_or_unexpected_algorithm_is_refused(alg):
    payload = offline_pass.encode_claims(ISSUER.claims())
    protected = {cose.HEADER_KID: ISSUER.kid} | ({} if alg is None else {cose.HEADER_ALG: alg})
    result = check(wrap(unsigned_envelope(payload, protected)))
    assert (result.verdict, result.reason) == (Verdict.INVALID, Reason.ALGORITHM_NOT_ALLOWED)


def test_ps256_signed_by_a_trusted_key_is_still_refused_for_kp1():
    rsa_text = wrap(unsigned_envelope(offline_pass.encode_claims(ISSUER.claims()),
                                      {cose.HEADER_ALG: cose.ALG_PS256, cose.HEADER_KID: ISSUER.kid}, b"\x01" * 256))
    result = check(rsa_text)
    assert result.reason is Reason.ALGORITHM_NOT_ALLOWED


def test_expired_and_not_yet_valid():
    assert check(GOOD, now=later(days=7)).verdict is Verdict.EXPIRED
    assert check(GOOD, now=later(days=7)).reason is Reason.PASS_EXPIRED
    early = check(GOOD, now=NOW - timedelta(hours=1))
    assert (early.verdict, early.reason) == (Verdict.NOT_YET_VALID, Reason.ISSUED_IN_FUTURE)
    assert check(GOOD, now=NOW - timedelta(minutes=4)).verdict is Verdict.VALID  # inside the skew allowance


def test_revoked_pass_and_revoked_key():
    claims = ISSUER.claims()
    text = ISSUER.seal(claims)
    result = check(text, TRUST.with_changes(revoked_pass_ids=frozenset({claims.pass_id})))
    assert (result.verdict, result.reason) == (Verdict.REVOKED, Reason.PASS_REVOKED)
    result = check(text, TRUST.with_changes(revoked_kids=frozenset({ISSUER.kid})))
    assert (result.verdict, result.reason) == (Verdict.REVOKED, Reason.KEY_REVOKED)
    removed = trust_for().with_changes(revoked_kids=frozenset({ISSUER.kid}))
    assert check(text, removed).reason is Reason.KEY_REVOKED


def test_key_without_the_kp1_use_cannot_sign_passes():
    status_only = Issuer(uses=("STATUS",))
    result = check(status_only.seal(), trust_for(status_only))
    assert (result.verdict, result.reason) == (Verdict.INVALID, Reason.KEY_USAGE_NOT_ALLOWED)


def test_pass_outliving_its_key_is_refused():
    key = IssuerKey(ISSUER.kid, ISSUER.key.public_key, "CN-TEST", frozenset({"KP1"}), not_after=later(days=3))
    result = check(GOOD, trust_for().with_keys(key))
    assert result.reason is Reason.KEY_EXPIRED


def _signed_claims(claims_obj) -> str:
    payload = claims_obj if isinstance(claims_obj, bytes) else cbor2.dumps(claims_obj)
    return wrap(cose.sign(payload, ISSUER.private_key, ISSUER.kid))


def test_non_canonical_cbor_claims_are_refused_even_when_signed():
    canonical = offline_pass.encode_claims(ISSUER.claims())
    claims = cbor2.loads(canonical)
    reordered = cbor2.dumps(dict(reversed(list(claims.items()))))  # same map, keys out of canonical order
    assert reordered != canonical
    result = check(_signed_claims(reordered))
    assert (result.verdict, result.reason) == (Verdict.INVALID, Reason.CBOR_NOT_CANONICAL)
    long_form = b"\xb9\x00" + bytes([len(claims)]) + canonical[1:]  # map length in a needless 2-byte form
    assert check(_signed_claims(long_form)).reason is Reason.CBOR_NOT_CANONICAL


@pytest.mark.parametrize("mutate", [
    lambda c: c.pop(offline_pass.CLAIM_EXP),
    lambda c: c.__setitem__(offline_pass.CLAIM_EXP, "tomorrow"),
    lambda c: c.__setitem__(offline_pass.CLAIM_IAT, -5),
    lambda c: c[offline_pass.CLAIM_KIOSK_PASS].__setitem__(offline_pass.F_STATUS, "blue"),
    lambda c: c[offline_pass.CLAIM_KIOSK_PASS].__setitem__(offline_pass.F_BINDING, b"short"),
    lambda c: c[offline_pass.CLAIM_KIOSK_PASS].__setitem__(offline_pass.F_MASKED_NAME, "x" * 100),
    lambda c: c[offline_pass.CLAIM_KIOSK_PASS].__setitem__(offline_pass.F_FAMILY, [b"12345678", 6, 6]),
])
def test_signed_but_malformed_claims_are_invalid(mutate):
    claims = cbor2.loads(offline_pass.encode_claims(ISSUER.claims()))
    claims = {k: (dict(v) if isinstance(v, dict) or hasattr(v, "items") else v) for k, v in claims.items()}
    mutate(claims)
    result = check(_signed_claims(cbor2.dumps(claims, canonical=True)))
    assert (result.verdict, result.reason) == (Verdict.INVALID, Reason.CLAIMS_INVALID)


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.integers(min_value=0), st.integers(min_value=0, max_value=7))
def test_a_flipped_bit_anywhere_in_the_signed_bytes_is_never_valid(position, bit):
    raw = bytearray(zlib.decompress(b45decode(GOOD[4:])))
    raw[position % len(raw)] ^= 1 << bit
    result = check(wrap(bytes(raw)))
    assert result.verdict is not Verdict.VALID
    assert result.reason is not Reason.INTERNAL_ERROR


@FAST
@given(st.integers(min_value=4), st.sampled_from(ALPHABET))
def test_a_changed_character_anywhere_in_the_text_is_never_valid(position, char):
    index = 4 + position % (len(GOOD) - 4)
    if GOOD[index] == char:
        return
    result = check(GOOD[:index] + char + GOOD[index + 1:])
    assert result.verdict is not Verdict.VALID
    assert result.reason is not Reason.INTERNAL_ERROR


@FAST
@given(st.text(max_size=400))
def test_arbitrary_text_never_crashes(text):
    result = check("KP1:" + text)
    assert result.verdict is not Verdict.VALID
    assert result.reason is not Reason.INTERNAL_ERROR


@FAST
@given(st.binary(max_size=600))
def test_arbitrary_bytes_behind_the_envelope_never_crash(blob):
    result = check(wrap(blob))
    assert result.verdict is not Verdict.VALID
    assert result.reason is not Reason.INTERNAL_ERROR
