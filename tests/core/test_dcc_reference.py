"""EU DCC reference data as trust data: carried in the signed bundle (verified before use), kept in trust.json,
refused when it is not what it claims to be. Uses schemas made here; the official files are not needed."""
from __future__ import annotations

import pytest

from kiosk.core.outcome.verdicts import Reason, VerificationError
from kiosk.core.trust import bundle as bundlemod
from kiosk.core.trust.dcc_reference import DccReference, ReferenceDataError, schema_document, value_set_document
from kiosk.core.trust.keys import new_signing_key
from kiosk.core.trust.store import TrustStore
from tests.core.kit import NOW
from tests.core.passes_factory import permissive_reference

VALUE_SET = {"valueSetId": "covid-19-lab-result", "valueSetDate": "2021-04-27",
             "valueSetValues": {"260415000": {"display": "Not detected"}, "260373001": {"display": "Detected"}}}


def reference() -> DccReference:
    name, codes = value_set_document(VALUE_SET)
    return permissive_reference("1.3.0").merged(DccReference(value_sets={name: codes}))


def test_the_signed_bundle_carries_the_reference_and_a_tampered_one_is_refused():
    root = new_signing_key()
    content = bundlemod.BundleContent.from_trust(TrustStore(dcc_reference=reference()), 3, NOW)
    signed = bundlemod.sign_bundle(content, root)
    opened = bundlemod.open_bundle(signed, [bundlemod.RootKey.of(root.public_key())])
    assert opened.trust_store().dcc_reference == reference()
    tampered = signed.replace(b"Not detected", b"Not_detected")
    with pytest.raises(VerificationError) as caught:
        bundlemod.open_bundle(tampered, [bundlemod.RootKey.of(root.public_key())])
    assert caught.value.reason is Reason.TRUST_BUNDLE_SIGNATURE_INVALID  # checked before anything is read


def test_trust_json_round_trip():
    store = TrustStore(dcc_reference=reference())
    assert TrustStore.from_dict(store.to_dict()).dcc_reference == reference()
    assert "dcc_reference" not in TrustStore().to_dict()


def test_what_is_not_reference_data_is_refused():
    schema = dict(permissive_reference().schemas["1.3.0"])
    with pytest.raises(ReferenceDataError):
        schema_document(schema | {"$id": "https://example.org/other.json"})
    with pytest.raises(ReferenceDataError):
        schema_document(schema | {"type": "no such type"})  # fails the 2020-12 meta-schema
    with pytest.raises(ReferenceDataError):
        DccReference.from_dict({"schemas": {"1.2.0": schema}})  # stored under another version than it states
    with pytest.raises(ReferenceDataError):
        value_set_document({"valueSetId": "x"})


def test_newer_imports_replace_older_ones_by_version_and_id():
    old = reference()
    newer = DccReference(value_sets={"covid-19-lab-result": {"260415000": "Not detected"}})
    merged = old.merged(newer)
    assert merged.value_sets["covid-19-lab-result"] == {"260415000": "Not detected"}
    assert set(merged.schemas) == {"1.3.0"}


def test_a_positive_test_needs_the_value_set_not_a_constant():
    assert reference().display("covid-19-lab-result", "260373001") == "Detected"
    assert permissive_reference().display("covid-19-lab-result", "260373001") is None
