"""Importing trust material: DSC certificates and lists (plain and COSE-signed), JWKS, CRLs, VCI directories."""
from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from kiosk.core.codec import cose, jws
from kiosk.core.trust import dsc, jwk
from kiosk.core.trust.store import TrustStore
from kiosk.core.trust.trust_import import TrustImportError, as_list_signers, merge, parse_material
from kiosk.core.trust.trust_lists import make_signed_directory, make_signed_dsc_list
from kiosk.core.checks.verify import verify_text
from tests.core.passes_factory import ISSUER, T0, hc1_text, make_signer, shc_key, shc_payload, shc_text

NOW = T0 + timedelta(days=1)
WINDOW = (int(T0.timestamp()), int((T0 + timedelta(days=2)).timestamp()))


@pytest.fixture(scope="module")
def signers():
    return [make_signer(), make_signer(cose.ALG_PS256)]


def _import(data: bytes, trust: TrustStore = TrustStore(), **kw) -> TrustStore:
    merged, _ = merge(trust, parse_material(data, trust, NOW, **kw))
    return merged


def test_pem_bundle_der_and_json_list_all_give_dsc_keys(signers):
    pem = b"".join(s.certificate.public_bytes(Encoding.PEM) for s in signers)
    ders = [s.certificate.public_bytes(Encoding.DER) for s in signers]
    as_json = json.dumps({"certificates": [base64.b64encode(ders[0]).decode(),
                                           {"rawData": base64.b64encode(ders[1]).decode()}]}).encode()
    gateway = json.dumps([{"country": "AT", "rawData": base64.b64encode(d).decode()} for d in ders]).encode()
    for data, count in ((pem, 2), (ders[0], 1), (as_json, 2), (base64.b64encode(ders[1]), 1), (gateway, 2)):
        trust = _import(data)
        assert len(trust.keys) == count and all(dsc.is_hc1_key(k) for k in trust.keys)
    trust = _import(pem)
    for signer in signers:
        assert verify_text(hc1_text(signer), trust, NOW).is_valid


def test_merging_twice_adds_nothing(signers):
    pem = signers[0].certificate.public_bytes(Encoding.PEM)
    trust = _import(pem)
    _, added = merge(trust, parse_material(pem, trust, NOW))
    assert added == 0


def test_signed_dsc_list_needs_a_pinned_list_signer(signers):
    publisher = make_signer()
    ders = [s.certificate.public_bytes(Encoding.DER) for s in signers]
    signed = make_signed_dsc_list(ders, publisher.private_key, publisher.kid, *WINDOW)
    with pytest.raises(TrustImportError, match="not a trusted list signer"):
        parse_material(signed, TrustStore(), NOW)
    plain_publisher = _import(publisher.certificate.public_bytes(Encoding.PEM))  # a DSC is not a list signer
    with pytest.raises(TrustImportError):
        parse_material(signed, plain_publisher, NOW)
    pinned, _ = merge(TrustStore(), as_list_signers(parse_material(
        publisher.certificate.public_bytes(Encoding.PEM), TrustStore(), NOW)))
    trust = _import(signed, pinned)
    assert verify_text(hc1_text(signers[1]), trust, NOW).is_valid
    assert not verify_text(hc1_text(publisher), trust, NOW).is_valid  # list signer never signs passes


def test_signed_dsc_list_tampered_or_stale_is_refused(signers):
    publisher = make_signer()
    pinned, _ = merge(TrustStore(), as_list_signers(parse_material(
        publisher.certificate.public_bytes(Encoding.PEM), TrustStore(), NOW)))
    ders = [signers[0].certificate.public_bytes(Encoding.DER)]
    stale = make_signed_dsc_list(ders, publisher.private_key, publisher.kid, WINDOW[0], WINDOW[0] + 60)
    with pytest.raises(TrustImportError, match="expired"):
        parse_material(stale, pinned, NOW)
    good = bytearray(make_signed_dsc_list(ders, publisher.private_key, publisher.kid, *WINDOW))
    good[-70] ^= 1  # inside the signed payload or signature
    with pytest.raises(TrustImportError):
        parse_material(bytes(good), pinned, NOW)


def test_jwks_crl_and_signed_vci_directory():
    private_key, public = shc_key()
    card = shc_text(private_key, public, shc_payload(rid="gone"))
    trust = _import(json.dumps({"keys": [public]}).encode(), issuer=ISSUER)
    assert verify_text(card, trust, NOW).is_valid
    crl = {"kid": public["kid"], "method": "rid", "ctr": 1, "rids": ["gone"]}
    trust = _import(json.dumps(crl).encode(), trust)
    assert verify_text(card, trust, NOW).reason == "PASS_REVOKED"

    directory = {"participating_issuers": [{"issuer": {"iss": ISSUER, "name": "Example"}, "keys": [public],
                                            "crls": [crl]}]}
    list_key, list_public = shc_key()
    pinned, _ = merge(TrustStore(), as_list_signers(parse_material(
        json.dumps({"keys": [list_public]}).encode(), TrustStore(), NOW)))
    signed = make_signed_directory(directory, list_key, jwk.thumbprint(list_public), *WINDOW).encode()
    trust = _import(signed, pinned)
    assert verify_text(card, trust, NOW).reason == "PASS_REVOKED"
    assert len(trust.revoked_rids) == 1
    with pytest.raises(TrustImportError):
        parse_material(signed, TrustStore(), NOW)
    forged = make_signed_directory(directory, shc_key()[0], jwk.thumbprint(list_public), *WINDOW).encode()
    with pytest.raises(TrustImportError, match="signature"):
        parse_material(forged, pinned, NOW)
    plain = _import(json.dumps(directory).encode())
    assert plain.keys[0].issuer == ISSUER


@pytest.mark.parametrize("data", [b"", b"hello", b"{}", b'{"keys": 3}', b"[1,2]", b"[", b"\xd2\x00",
                                  b"a.b.c", b'{"keys": [{"kty": "EC"}]}', b"-----BEGIN CERTIFICATE-----\nAA\n"])
def test_anything_else_is_a_typed_error(data):
    with pytest.raises(TrustImportError):
        parse_material(data, TrustStore(), NOW)


def test_trust_store_round_trip_keeps_international_keys(signers):
    _, public = shc_key()
    trust = _import(signers[0].certificate.public_bytes(Encoding.PEM))
    trust = _import(json.dumps({"keys": [public]}).encode(), trust, issuer=ISSUER)
    trust = _import(json.dumps({"kid": public["kid"], "method": "rid", "rids": ["x.5"]}).encode(), trust)
    again = TrustStore.from_dict(json.loads(json.dumps(trust.to_dict())))
    assert again.revoked_rids == trust.revoked_rids == {f"{public['kid']}/x.5"}
    assert [(k.kid, k.uses, k.issuer, k.not_after) for k in again.keys] == \
        [(k.kid, k.uses, k.issuer, k.not_after) for k in trust.keys]
    assert jws.b64url_encode(again.keys[1].kid) == public["kid"]


WHITESPACE_BYTES = b" \t\n\r\x0b\x0c"


def test_binary_material_ending_in_a_whitespace_byte_is_read_whole():
    """A DER certificate or a signed list whose last signature byte is 0x20 or 0x09-0x0d must not be trimmed."""
    signer = next(s for s in (make_signer() for _ in range(2000))
                  if s.certificate.public_bytes(Encoding.DER)[-1:] in WHITESPACE_BYTES)
    der = signer.certificate.public_bytes(Encoding.DER)
    assert len(parse_material(der, TrustStore(), NOW).keys) == 1

    publisher = make_signer()
    pinned, _ = merge(TrustStore(), as_list_signers(parse_material(
        publisher.certificate.public_bytes(Encoding.PEM), TrustStore(), NOW)))
    signed = next(s for s in (make_signed_dsc_list([der], publisher.private_key, publisher.kid, *WINDOW)
                              for _ in range(2000)) if s[-1:] in WHITESPACE_BYTES)
    assert len(parse_material(signed, pinned, NOW).keys) == 1
