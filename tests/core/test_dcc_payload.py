"""The DCC payload as real verifiers judge it: RFC 8392 claims, the official schema of the payload's `ver`,
empty optional strings, null arms, several entries where the schema allows them, and value sets as trust data.

Schema cases need the official schemas (../shared/testdata/dcc-schema, imported as an administrator would);
they skip with a clear message when that folder is absent.
"""
from __future__ import annotations

import copy
from datetime import timedelta

import cbor2
import pytest

from kiosk.core.checks.verify import verify_text
from kiosk.core.passes import hc1
from kiosk.core.passes.hcert import FLAG_SCHEMA_UNCHECKED, FLAG_VALUE_UNKNOWN, parse_hcert
from kiosk.core.outcome.verdicts import Reason, Status, Verdict, VerificationError
from kiosk.core.trust import dsc
from kiosk.core.trust.store import TrustStore
from tests.core.passes_factory import T0, dcc_payload, hc1_text, make_signer
from tests.dcc_reference_data import SKIP_REASON, official_reference

NOW = T0 + timedelta(days=1)


@pytest.fixture(scope="module")
def signer():
    return make_signer()


@pytest.fixture
def reference():
    ref = official_reference()
    if ref is None:
        pytest.skip(SKIP_REASON)
    return ref


def trust(signer, reference=None) -> TrustStore:
    return TrustStore(keys=(dsc.issuer_key(signer.certificate),), dcc_reference=reference)


def claims(payload=None, overrides: dict | None = None) -> dict:
    base = {1: "AT", 6: int(T0.timestamp()), 4: int((T0 + timedelta(days=90)).timestamp()),
            -260: {1: payload or dcc_payload()}}
    base.update(overrides or {})
    return {k: v for k, v in base.items() if v is not None}


# ---------------------------------------------------------------- CWT claims (RFC 8392)
@pytest.mark.parametrize("iat, exp", [(T0.timestamp() + 0.25, (T0 + timedelta(days=90)).timestamp() + 0.5),
                                      (float(int(T0.timestamp())), int((T0 + timedelta(days=9)).timestamp()))])
def test_float_numeric_dates_are_valid(signer, reference, iat, exp):
    result = verify_text(hc1_text(signer, claims=claims(overrides={6: iat, 4: exp})), trust(signer, reference), NOW)
    assert (result.verdict, result.reason) == (Verdict.VALID, Reason.OK)
    assert result.valid_from.timestamp() == pytest.approx(iat)


def test_optional_claims_are_optional(signer, reference):
    no_iat = verify_text(hc1_text(signer, claims=claims(overrides={6: None})), trust(signer, reference), NOW)
    assert no_iat.verdict is Verdict.VALID and no_iat.valid_from is None
    no_exp = verify_text(hc1_text(signer, claims=claims(overrides={4: None})), trust(signer, reference), NOW)
    key = dsc.issuer_key(signer.certificate)
    assert no_exp.verdict is Verdict.VALID and no_exp.valid_until == key.not_after  # bounded by the signer
    after_signer = verify_text(hc1_text(signer, claims=claims(overrides={4: None})), trust(signer, reference),
                               key.not_after + timedelta(seconds=1))
    assert after_signer.verdict is Verdict.EXPIRED
    no_iss = verify_text(hc1_text(signer, claims=claims(overrides={1: None})), trust(signer, reference), NOW)
    assert no_iss.verdict is Verdict.VALID and no_iss.issuer == "AT"  # the signer's country


def test_iss_need_not_be_a_country_code(signer, reference):
    result = verify_text(hc1_text(signer, claims=claims(overrides={1: "Ministry of Health"})), trust(signer, reference), NOW)
    assert result.verdict is Verdict.VALID and result.issuer == "Ministry of Health"


@pytest.mark.parametrize("bad", [1e300, float("inf"), float("nan"), 10 ** 30, -5, True, "1700000000",
                                 cbor2.CBORTag(1, 1700000000), None])
def test_numeric_date_overflow_and_wrong_types_are_typed_refusals(signer, bad):
    text = hc1_text(signer, claims={1: "AT", 6: int(T0.timestamp()), 4: bad, -260: {1: dcc_payload()}})
    result = verify_text(text, trust(signer), NOW)
    assert (result.verdict, result.reason) == (Verdict.INVALID, Reason.CLAIMS_INVALID), bad


def test_duplicate_cbor_map_keys_are_refused(signer):
    # {1: "AT", 1: "DE", ...}: cbor2 cannot write duplicates, so the map header is patched by hand
    body = cbor2.dumps(claims())
    duplicated = bytes([body[0] + 1]) + body[1:] + cbor2.dumps(1) + cbor2.dumps("DE")
    with pytest.raises(VerificationError) as caught:
        hc1.decode_claims(duplicated)
    assert caught.value.reason is Reason.CBOR_INVALID


# ---------------------------------------------------------------- the payload against its schema
def test_empty_optional_strings_and_null_arms_are_valid(signer, reference):
    payload = dcc_payload("t")
    payload["t"][0].update({"tr": "260415000", "tc": "", "nm": ""})
    payload["ver"] = "1.3.3"
    payload["nam"] = {"fn": "", "gnt": "GABRIELE"}  # 1.3.3 person_name: the gnt arm of anyOf, no fnt
    result = verify_text(hc1_text(signer, payload), trust(signer, reference), NOW)
    assert (result.verdict, result.reason) == (Verdict.VALID, Reason.OK), result.detail
    assert result.holder.name == "GABRIELE"  # the transliteration stands in for an empty name
    payload["nam"]["gn"] = None  # null where the schema says text: a schema error, not an absent member
    assert verify_text(hc1_text(signer, payload), trust(signer, reference), NOW).reason is Reason.DCC_SCHEMA_INVALID


def test_empty_test_result_is_schema_valid_but_not_a_known_code(signer, reference):
    payload = dcc_payload("t")
    payload["t"][0]["tr"] = ""
    result = verify_text(hc1_text(signer, payload), trust(signer, reference), NOW)
    assert result.verdict is Verdict.VALID and FLAG_VALUE_UNKNOWN in result.flags  # staff decide


def test_a_null_group_is_a_schema_error_and_absent_without_a_schema(signer, reference):
    payload = dcc_payload("v")
    payload["t"] = None
    result = verify_text(hc1_text(signer, payload), trust(signer, reference), NOW)
    assert result.reason is Reason.DCC_SCHEMA_INVALID  # "t": null is not an array in any version
    unchecked = verify_text(hc1_text(signer, payload), trust(signer), NOW)
    assert unchecked.verdict is Verdict.VALID and FLAG_SCHEMA_UNCHECKED in unchecked.flags


def test_several_entries_where_the_schema_allows_them(signer, reference):
    payload = dcc_payload("v")
    payload["ver"] = "1.0.0"  # the 1.0.0 schema has no maxItems on v
    first = copy.deepcopy(payload["v"][0])
    first.update({"dn": 1, "ci": "URN:UVCI:01:AT:FIRSTDOSE#1"})
    payload["v"].insert(0, first)
    result = verify_text(hc1_text(signer, payload), trust(signer, reference), NOW)
    assert result.verdict is Verdict.VALID, result.detail
    assert result.pass_id == "URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#B"  # the last entry
    revoked = trust(signer, reference).with_changes(revoked_pass_ids=frozenset({"URN:UVCI:01:AT:FIRSTDOSE#1"}))
    assert verify_text(hc1_text(signer, payload), revoked, NOW).verdict is Verdict.REVOKED  # every entry's UVCI
    payload["ver"] = "1.3.0"  # 1.3.0 allows exactly one entry
    result = verify_text(hc1_text(signer, payload), trust(signer, reference), NOW)
    assert (result.verdict, result.reason) == (Verdict.INVALID, Reason.DCC_SCHEMA_INVALID)


def test_two_groups_are_refused_even_where_the_schema_allows_them(signer, reference):
    payload = dcc_payload("v")
    payload["ver"] = "1.2.1"  # no oneOf before 1.3.0; the specification still says one certificate
    payload["t"] = dcc_payload("t")["t"]
    result = verify_text(hc1_text(signer, payload), trust(signer, reference), NOW)
    assert (result.verdict, result.reason) == (Verdict.INVALID, Reason.PAYLOAD_INVALID)


SCHEMA_INVALID = {
    "1.0.0": [("dob", "26.02.1998"), ("nam.fnt", "Musterfrau"), ("v.0.dn", "2")],
    "1.0.1": [("v.0.ci", "X" * 51), ("nam", {"fn": "Only a family name"})],
    "1.1.0": [("v.0.dn", 0), ("v.0.co", 7)],
    "1.2.0": [("nam.gnt", "gabriele"), ("v.0.is", "I" * 81)],
    "1.2.1": [("v.0.sd", 0), ("ver", 130)],
    "1.3.0": [("dob", "1998-2-26"), ("ver", "1.3")],
    "1.3.1": [("v.0.ci", "URN:UVCI:01:AT:" + "A" * 70), ("nam.fnt", "MUSTER FRAU")],
    "1.3.2": [("dob", "1899-01-01"), ("v.0.mp", 1528)],
    "1.3.3": [("dob", "١٩٩٨-٠٢-٢٦"), ("v.0.tg", None)],
}


def _set(payload: dict, path: str, value) -> dict:
    parts = path.split(".")
    node = payload
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node[part]
    node[parts[-1]] = value
    return payload


@pytest.mark.parametrize("version, path, value",
                         [(v, p, x) for v, cases in SCHEMA_INVALID.items() for p, x in cases])
def test_schema_invalid_payloads_of_each_version_are_refused(signer, reference, version, path, value):
    payload = _set(dcc_payload("v") | {"ver": version}, path, value)
    if path != "ver":
        valid = dcc_payload("v") | {"ver": version}
        assert verify_text(hc1_text(signer, valid), trust(signer, reference), NOW).verdict is Verdict.VALID
    result = verify_text(hc1_text(signer, payload), trust(signer, reference), NOW)
    assert result.verdict is Verdict.INVALID, (version, path, result)
    allowed = {Reason.DCC_SCHEMA_INVALID, Reason.DCC_SCHEMA_UNKNOWN} | ({Reason.PAYLOAD_INVALID} if path == "ver" else set())
    assert result.reason in allowed, result.detail


def test_schema_version_choice(reference):
    assert reference.schema_for("1.3.0")[0] == "1.3.0"
    assert reference.schema_for("1.3.9")[0] == "1.3.3"  # a later patch: the newest of its minor
    assert reference.schema_for("1.4.0")[0] == "1.3.3"  # a later minor: the newest of its major
    assert reference.schema_for("2.0.0") is None and reference.schema_for("one") is None
    with pytest.raises(VerificationError) as caught:
        parse_hcert(dcc_payload() | {"ver": "2.0.0"}, reference)
    assert caught.value.reason is Reason.DCC_SCHEMA_UNKNOWN


def test_non_json_cbor_is_refused_and_date_tags_read_as_their_text(reference):
    with pytest.raises(VerificationError) as caught:
        parse_hcert(dcc_payload() | {"dob": b"1998-02-26"}, reference)
    assert caught.value.reason is Reason.PAYLOAD_INVALID
    tagged = dcc_payload()
    tagged["v"][0]["dt"] = cbor2.CBORTag(1004, "2026-10-01")
    assert parse_hcert(tagged, reference).schema_version == "1.3.0"
    epoch = dcc_payload()
    epoch["v"][0]["dt"] = cbor2.CBORTag(1, 1790000000)  # a number where the schema wants text
    with pytest.raises(VerificationError):
        parse_hcert(epoch, reference)


# ---------------------------------------------------------------- without reference data; value sets
def test_without_reference_data_the_pass_is_flagged_not_passed_silently(signer):
    result = verify_text(hc1_text(signer), trust(signer), NOW)
    assert result.verdict is Verdict.VALID and FLAG_SCHEMA_UNCHECKED in result.flags


def test_value_sets_word_the_pass_and_a_positive_test_is_a_refusal_by_content(signer, reference):
    ok = verify_text(hc1_text(signer, dcc_payload("t")), trust(signer, reference), NOW)
    assert ok.flags == () and ok.status is None and ok.detail == "test not detected"
    positive = dcc_payload("t")
    positive["t"][0]["tr"] = "260373001"
    result = verify_text(hc1_text(signer, positive), trust(signer, reference), NOW)
    assert (result.verdict, result.status) == (Verdict.VALID, Status.RED)  # genuine pass, policy says STOP
    from kiosk.core.outcome.policy import Policy
    from kiosk.core.outcome.verdicts import Outcome
    assert Policy().outcome(result) is Outcome.STOP


def test_names_are_neutralised_before_display(signer, reference):
    payload = dcc_payload("v", family="Muster\u202efrau\n", given="Ga\u200bbriele\x07", fnt="MUSTERFRAU")
    payload["nam"]["gnt"] = "GABRIELE"
    result = verify_text(hc1_text(signer, payload), trust(signer, reference), NOW)
    assert result.verdict is Verdict.VALID and result.holder.name == "Gabriele Musterfrau"
