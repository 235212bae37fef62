"""SMART Health Cards: the verifier on cards signed here, JWK thumbprints, rid revocation, multi-part QR."""
from __future__ import annotations

import zlib
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.trust import jwk, shc_revocation
from kiosk.core.codec import jws
from kiosk.core.passes import shc_chunks
from kiosk.core.trust.store import TrustStore
from kiosk.core.outcome.verdicts import Reason, Verdict, VerificationError
from kiosk.core.checks.verify import verify_text
from tests.core.passes_factory import ISSUER, T0, shc_jws, shc_key, shc_payload, shc_text

NOW = T0 + timedelta(days=1)


@pytest.fixture(scope="module")
def issuer():
    return shc_key()


def trust_for(public: dict, iss: str = ISSUER, rids: frozenset = frozenset()) -> TrustStore:
    return TrustStore(keys=tuple(jwk.keys_from_jwks({"keys": [public]}, iss)), revoked_rids=rids)


def test_card_verifies_and_shows_the_holder(issuer):
    private_key, public = issuer
    result = verify_text(shc_text(private_key, public, shc_payload()), trust_for(public), NOW)
    assert (result.verdict, result.reason, result.format) == (Verdict.VALID, Reason.OK, "SHC")
    assert result.holder.name == "John B. Anyperson" and result.holder.birth_date == "1951-01-20"
    assert result.issuer == ISSUER and result.pass_type == "health-card,immunization"
    assert result.valid_from == T0 and result.valid_until is None


def test_time_window(issuer):
    private_key, public = issuer
    trust = trust_for(public)
    early = verify_text(shc_text(private_key, public, shc_payload(nbf=NOW + timedelta(hours=1))), trust, NOW)
    assert (early.verdict, early.reason) == (Verdict.NOT_YET_VALID, Reason.PASS_NOT_YET_VALID)
    late = verify_text(shc_text(private_key, public, shc_payload(exp=NOW - timedelta(seconds=1))), trust, NOW)
    assert (late.verdict, late.reason) == (Verdict.EXPIRED, Reason.PASS_EXPIRED)


def test_issuer_must_be_the_one_the_key_was_trusted_for(issuer):
    private_key, public = issuer
    text = shc_text(private_key, public, shc_payload(iss="https://evil.example"))
    result = verify_text(text, trust_for(public), NOW)
    assert (result.verdict, result.reason) == (Verdict.UNTRUSTED_ISSUER, Reason.ISSUER_MISMATCH)
    assert verify_text(text, trust_for(public, iss=""), NOW).is_valid  # a JWKS given with --trust: not bound


def test_unknown_key_bad_signature_and_header_rules(issuer):
    private_key, public = issuer
    other_key, other_public = shc_key()
    text = shc_text(private_key, public, shc_payload())
    assert verify_text(text, trust_for(other_public), NOW).reason is Reason.KEY_UNKNOWN
    forged = shc_text(other_key, public, shc_payload())  # claims issuer's kid, signed by another key
    assert verify_text(forged, trust_for(public), NOW).reason is Reason.SIGNATURE_INVALID
    hs = shc_text(private_key, public, shc_payload(), header={"zip": "DEF", "alg": "HS256", "kid": public["kid"]})
    assert verify_text(hs, trust_for(public), NOW).reason is Reason.ALGORITHM_NOT_ALLOWED
    no_kid = shc_text(private_key, public, shc_payload(), header={"zip": "DEF", "alg": "ES256"})
    assert verify_text(no_kid, trust_for(public), NOW).reason is Reason.KID_MISSING


def test_jwks_kid_must_be_the_rfc7638_thumbprint(issuer):
    _, public = issuer
    assert jws.b64url_decode(public["kid"]) == jwk.thumbprint(public)
    with pytest.raises(jwk.JwkError):
        jwk.keys_from_jwks({"keys": [{**public, "kid": shc_key()[1]["kid"]}]}, ISSUER)
    with pytest.raises(jwk.JwkError):
        jwk.issuer_key({**public, "crv": "P-384"}, ISSUER)


def test_rfc7638_example_thumbprint():
    """EC thumbprint over crv, kty, x, y; the vector is the SHC spec issuer's published key and kid."""
    key = {"kty": "EC", "crv": "P-256", "x": "11XvRWy1I2S0EyJlyf_bWfw_TQ5CJJNLw78bHXNxcgw",
           "y": "eZXwxvO1hvCY0KucrPfKo7yAyMT6Ajc3N7OkAB6VYy8"}
    assert jws.b64url_encode(jwk.thumbprint(key)) == "3Kfdg-XwP-7gXyywtUfUADwBumDOPKMQx-iELL11W9s"


def test_rid_revocation_plain_and_timestamped(issuer):
    private_key, public = issuer
    kid = public["kid"]
    text = shc_text(private_key, public, shc_payload(rid="abc"))
    plain = shc_revocation.parse_crl({"kid": kid, "method": "rid", "ctr": 1, "rids": ["abc"]})
    assert verify_text(text, trust_for(public, rids=plain), NOW).reason is Reason.PASS_REVOKED
    stamp = int(T0.timestamp())
    cutoff_after = shc_revocation.parse_crl({"kid": kid, "method": "rid", "rids": [f"abc.{stamp + 1}"]})
    assert verify_text(text, trust_for(public, rids=cutoff_after), NOW).verdict is Verdict.REVOKED
    cutoff_before = shc_revocation.parse_crl({"kid": kid, "method": "rid", "rids": [f"abc.{stamp}"]})
    assert verify_text(text, trust_for(public, rids=cutoff_before), NOW).is_valid  # issued at/after the cut-off
    other_kid = shc_revocation.parse_crl({"kid": "AAAA", "method": "rid", "rids": ["abc"]})
    assert verify_text(text, trust_for(public, rids=other_kid), NOW).is_valid


def test_revoked_and_expired_says_both(issuer):
    private_key, public = issuer
    rids = shc_revocation.parse_crl({"kid": public["kid"], "method": "rid", "rids": ["r1"]})
    text = shc_text(private_key, public, shc_payload(rid="r1", exp=NOW - timedelta(days=1)))
    result = verify_text(text, trust_for(public, rids=rids), NOW)
    assert (result.verdict, result.reason, result.flags) == (Verdict.REVOKED, Reason.PASS_REVOKED, ("PASS_EXPIRED",))


@pytest.mark.parametrize("crl", [
    {"kid": "x", "method": "other", "rids": []}, {"kid": "x", "method": "rid"},
    {"kid": "x", "method": "rid", "rids": ["a.b"]}, {"kid": "x y", "method": "rid", "rids": []},
])
def test_malformed_crls_are_refused(crl):
    with pytest.raises(shc_revocation.CrlError):
        shc_revocation.parse_crl(crl)


def test_numeric_encoding_errors():
    assert shc_chunks.digits_to_jws("5676") == "ey"
    for bad in ("567", "5a", "78"):
        with pytest.raises(VerificationError) as err:
            shc_chunks.digits_to_jws(bad)
        assert err.value.reason is Reason.NUMERIC_ENCODING_INVALID
    assert verify_text("shc:/123", TrustStore(), NOW).reason is Reason.NUMERIC_ENCODING_INVALID
    assert verify_text("SHC:/5676", TrustStore(), NOW).format == "SHC"


def test_payload_must_be_raw_deflate_and_bounded(issuer):
    private_key, public = issuer
    bomb = jws.sign_es256({"zip": "DEF", "alg": "ES256", "kid": public["kid"]},
                          zlib.compress(b"{" * 300_000)[2:-4], private_key)
    result = verify_text(shc_chunks.jws_to_qr_text(bomb), trust_for(public), NOW)
    assert result.reason is Reason.DECOMPRESSED_TOO_LARGE
    not_deflate = jws.sign_es256({"zip": "DEF", "alg": "ES256", "kid": public["kid"]}, b"\xff\xff", private_key)
    assert verify_text(shc_chunks.jws_to_qr_text(not_deflate), trust_for(public), NOW).reason is \
        Reason.DECOMPRESSION_FAILED


def _parts(text: str, n: int) -> list[str]:
    digits = text[len("shc:/"):]
    size = -(-len(digits) // n)
    return [f"shc:/{i + 1}/{n}/{digits[i * size:(i + 1) * size]}" for i in range(n)]


def test_chunked_card_assembles_in_any_order(issuer):
    private_key, public = issuer
    text = shc_text(private_key, public, shc_payload())
    parts = _parts(text, 3)
    assembler = shc_chunks.ChunkAssembler()
    assert assembler.add(parts[2]) is None and assembler.add(parts[0]) is None
    assert assembler.add(parts[0]) is None and assembler.missing == [2]  # a repeat scan is harmless
    whole = assembler.add(parts[1])
    assert whole == text and assembler.total is None
    assert verify_text(whole, trust_for(public), NOW).is_valid
    assert verify_text(parts[0], trust_for(public), NOW).reason is Reason.CHUNKS_INCOMPLETE
    assert shc_chunks.ChunkAssembler().add(text) == text


def test_chunk_conflicts_are_refused(issuer):
    private_key, public = issuer
    parts = _parts(shc_text(private_key, public, shc_payload()), 2)
    assembler = shc_chunks.ChunkAssembler()
    assembler.add(parts[0])
    for bad in ("shc:/1/3/5676", "shc:/1/2/5676", "shc:/3/2/5676", "shc:/0/0/56"):
        with pytest.raises(VerificationError) as err:
            assembler.add(bad)
        assert err.value.reason in (Reason.CHUNK_INVALID, Reason.NUMERIC_ENCODING_INVALID)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="0123456789/", max_size=300))
def test_no_numeric_text_crashes_the_verifier(digits):
    result = verify_text("shc:/" + digits, TrustStore(), NOW)
    assert result.verdict is not Verdict.TECHNICAL_ERROR and result.format == "SHC"


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=255))
def test_no_flipped_byte_in_a_card_is_accepted_or_crashes(position, value):
    private_key, public = shc_key_cached()
    token = shc_jws(private_key, public, shc_payload())
    index = position % len(token)
    mutated = token[:index] + chr(45 + value % 78) + token[index + 1:]
    result = verify_text(shc_chunks.jws_to_qr_text(mutated), trust_for(public), NOW)
    assert result.verdict is not Verdict.TECHNICAL_ERROR
    if mutated == token:
        assert result.is_valid
    elif not _same_bytes(mutated, token):
        assert not result.is_valid
    # else: another spelling of the same bytes; JWS signs the text of header and payload, so a respelling there
    # fails the signature while one in the signature segment may not: either answer is right.


_CACHED: list = []


def shc_key_cached():
    if not _CACHED:
        _CACHED.append(shc_key())
    return _CACHED[0]


def _same_bytes(a: str, b: str) -> bool:
    """Two base64url texts can differ only in a last character's unused bits and decode the same."""
    try:
        return all(jws.b64url_decode(x) == jws.b64url_decode(y) for x, y in zip(a.split("."), b.split(".")))
    except ValueError:
        return False
