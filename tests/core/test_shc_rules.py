"""SMART Health Cards as real verifiers judge them: duplicate JSON keys, names made safe to show, NumericDate
overflow as a typed refusal, the specification's FHIR bundle rules, and the shared signature step."""
from __future__ import annotations

import copy
import json
import zlib
from datetime import timedelta

import pytest

from kiosk.core.checks.verify import verify_text
from kiosk.core.codec import jws
from kiosk.core.identity.display_text import has_hidden_characters, neutral_text
from kiosk.core.outcome.verdicts import Reason, Verdict
from kiosk.core.passes import shc_chunks
from kiosk.core.trust import jwk
from kiosk.core.trust.store import TrustStore
from tests.core.passes_factory import T0, shc_key, shc_payload, shc_text

NOW = T0 + timedelta(days=1)


@pytest.fixture(scope="module")
def issuer():
    private_key, public = shc_key()
    trust = TrustStore(keys=tuple(jwk.keys_from_jwks({"keys": [public]}, shc_payload()["iss"])))
    return private_key, public, trust


def raw_text(private_key, public, payload_json: str, header_json: str | None = None) -> str:
    """A card whose payload (and header) JSON text is written by hand, so it can hold duplicate keys."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = deflater.compress(payload_json.encode()) + deflater.flush()
    header = header_json or json.dumps({"zip": "DEF", "alg": "ES256", "kid": public["kid"]})
    head = jws.b64url_encode(header.encode())
    signing_input = f"{head}.{jws.b64url_encode(raw)}"
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    r, s = decode_dss_signature(private_key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    token = f"{signing_input}.{jws.b64url_encode(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"
    return shc_chunks.jws_to_qr_text(token)


def test_duplicate_json_keys_are_refused_in_payload_and_header(issuer):
    private_key, public, trust = issuer
    body = json.dumps(shc_payload(), separators=(",", ":"))
    assert verify_text(raw_text(private_key, public, body), trust, NOW).verdict is Verdict.VALID
    twice_iss = body[:-1] + ',"iss":"https://evil.example"}'
    result = verify_text(raw_text(private_key, public, twice_iss), trust, NOW)
    assert (result.verdict, result.reason) == (Verdict.INVALID, Reason.PAYLOAD_INVALID) and "duplicate" in result.detail
    header = '{"zip":"DEF","alg":"ES256","alg":"none","kid":"%s"}' % public["kid"]
    result = verify_text(raw_text(private_key, public, body, header), trust, NOW)
    assert (result.verdict, result.reason) == (Verdict.INVALID, Reason.JWS_INVALID)


def test_control_and_bidi_characters_are_neutralised_before_display(issuer):
    private_key, public, trust = issuer
    payload = shc_payload(family="Any\u202eperson\u0000", given=("Jo\u200bhn\u2066", "B.\r\n\u2028"))
    result = verify_text(shc_text(private_key, public, payload), trust, NOW)
    assert result.verdict is Verdict.VALID
    assert result.holder.name == "John B. Anyperson" and not has_hidden_characters(result.holder.name)
    assert neutral_text("\u061cعلي\u200f  \t أحمد") == "علي أحمد"
    assert neutral_text("张三") == "张三"


@pytest.mark.parametrize("field, value", [("nbf", 1e300), ("nbf", 10 ** 20), ("exp", 253402300800),
                                          ("exp", -1), ("nbf", "1700000000"), ("nbf", True), ("nbf", None)])
def test_numeric_date_overflow_is_a_typed_refusal(issuer, field, value):
    private_key, public, trust = issuer
    payload = shc_payload(exp=T0 + timedelta(days=30))
    payload[field] = value
    result = verify_text(shc_text(private_key, public, payload), trust, NOW)
    assert (result.verdict, result.reason) == (Verdict.INVALID, Reason.CLAIMS_INVALID), result
    body = json.dumps(shc_payload(), separators=(",", ":")).replace('"nbf":', '"nbf":1e999,"x":')
    result = verify_text(raw_text(private_key, public, body), trust, NOW)  # JSON infinity
    assert result.reason in (Reason.CLAIMS_INVALID, Reason.PAYLOAD_INVALID)


def _broken(change) -> dict:
    payload = shc_payload()
    change(payload["vc"])
    return payload


FHIR_BREAKS = {
    "no health-card type": lambda vc: vc.update(type=["https://smarthealth.cards#immunization"]),
    "no fhirVersion": lambda vc: vc["credentialSubject"].pop("fhirVersion"),
    "not a collection": lambda vc: vc["credentialSubject"]["fhirBundle"].update(type="document"),
    "no entries": lambda vc: vc["credentialSubject"]["fhirBundle"].update(entry=[]),
    "entry without resource": lambda vc: vc["credentialSubject"]["fhirBundle"]["entry"].append({"fullUrl": "resource:1"}),
    "two patients": lambda vc: vc["credentialSubject"]["fhirBundle"]["entry"].append(
        copy.deepcopy(vc["credentialSubject"]["fhirBundle"]["entry"][0]) | {"fullUrl": "resource:1"}),
    "duplicate fullUrl": lambda vc: vc["credentialSubject"]["fhirBundle"]["entry"].append(
        {"fullUrl": "resource:0", "resource": {"resourceType": "Immunization"}}),
    "dangling reference": lambda vc: vc["credentialSubject"]["fhirBundle"]["entry"].append(
        {"fullUrl": "resource:1", "resource": {"resourceType": "Immunization", "patient": {"reference": "resource:7"}}}),
}


@pytest.mark.parametrize("name", sorted(FHIR_BREAKS))
def test_fhir_bundle_rules_from_the_specification(issuer, name):
    private_key, public, trust = issuer
    result = verify_text(shc_text(private_key, public, _broken(FHIR_BREAKS[name])), trust, NOW)
    assert (result.verdict, result.reason) == (Verdict.INVALID, Reason.FHIR_BUNDLE_INVALID), name


def test_should_rules_of_minified_bundles_are_not_refusals(issuer):
    private_key, public, trust = issuer

    def verbose(vc):
        entry = vc["credentialSubject"]["fhirBundle"]["entry"]
        entry[0]["resource"].update(id="p1", text={"status": "generated"}, meta={"versionId": "1"})
        entry.append({"fullUrl": "resource:1", "resource": {"resourceType": "Immunization",
                                                             "patient": {"reference": "resource:0"}}})
    assert verify_text(shc_text(private_key, public, _broken(verbose)), trust, NOW).verdict is Verdict.VALID


def test_the_shared_signature_step_refuses_a_none_algorithm_and_unknown_kids(issuer):
    private_key, public, trust = issuer
    none_alg = shc_text(private_key, public, shc_payload(), header={"zip": "DEF", "alg": "none", "kid": public["kid"]})
    assert verify_text(none_alg, trust, NOW).reason is Reason.ALGORITHM_NOT_ALLOWED
    other_kid = shc_text(private_key, public, shc_payload(), header={"zip": "DEF", "alg": "ES256", "kid": "AAAA"})
    assert verify_text(other_kid, trust, NOW).reason is Reason.KEY_UNKNOWN
    revoked = trust.with_changes(revoked_kids=frozenset({trust.keys[0].kid}))
    assert verify_text(shc_text(private_key, public, shc_payload()), revoked, NOW).reason is Reason.KEY_REVOKED


def test_our_jws_and_jwk_agree_with_joserfc_where_it_is_installed(issuer):
    """The joserfc evaluation (docs/international.md): same RFC 7638 thumbprint, same signature verdicts."""
    joserfc = pytest.importorskip("joserfc", reason="joserfc not installed (evaluated, not a dependency)")
    from joserfc import jws as jose_jws
    from joserfc.jwk import ECKey
    from joserfc.jws import JWSRegistry
    from joserfc.registry import HeaderParameter

    private_key, public, trust = issuer
    key = ECKey.import_key({k: public[k] for k in ("kty", "crv", "x", "y")})
    assert key.thumbprint() == public["kid"] == jws.b64url_encode(jwk.thumbprint(public))
    registry = JWSRegistry(header_registry={"zip": HeaderParameter("SHC compression", "str")}, algorithms=["ES256"])
    token = shc_chunks.digits_to_jws(shc_text(private_key, public, shc_payload())[5:])
    assert jose_jws.deserialize_compact(token, key, algorithms=["ES256"], registry=registry).protected["alg"] == "ES256"
    tampered = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    with pytest.raises(joserfc.errors.JoseError):
        jose_jws.deserialize_compact(tampered, key, algorithms=["ES256"], registry=registry)
    assert not jws.verify_es256(jws.parse_compact(tampered), trust.keys[0].public_key)
