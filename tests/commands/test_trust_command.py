"""`kiosk trust import/list` and `kiosk verify --trust CERT|JWKS`, run in-process through kiosk.cli.main."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from kiosk.cli import main
from kiosk.core.trust.trust_lists import make_signed_dsc_list
from tests.core.passes_factory import ISSUER, T0, hc1_text, make_signer, shc_key, shc_payload, shc_text

NOW = (T0 + timedelta(days=1)).isoformat()


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def signer():
    return make_signer()


def test_verify_with_a_certificate_as_trust(tmp_path, capsys, signer):
    cert = tmp_path / "dsc.pem"
    cert.write_bytes(signer.certificate.public_bytes(Encoding.PEM))
    der = tmp_path / "dsc.der"
    der.write_bytes(signer.certificate.public_bytes(Encoding.DER))
    for path in (cert, der):
        code, out, _ = run(capsys, "--data-dir", str(tmp_path / "d"), "verify", "--json", "--now", NOW,
                           "--trust", str(path), hc1_text(signer))
        doc = json.loads(out)
        assert code == 0 and doc["verdict"] == "VALID" and doc["format"] == "HC1"
        assert doc["holder"]["name"] == "Gabriele Musterfrau" and doc["holder"]["birth_date"] == "1998-02-26"


def test_verify_with_a_jwks_as_trust(tmp_path, capsys):
    private_key, public = shc_key()
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [public]}))
    code, out, _ = run(capsys, "verify", "--json", "--now", NOW, "--trust", str(jwks),
                       shc_text(private_key, public, shc_payload()))
    assert code == 0 and json.loads(out)["format"] == "SHC"


def test_verify_trust_file_of_unknown_kind_is_a_usage_error(tmp_path, capsys):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"not trust")
    code, _, err = run(capsys, "verify", "--trust", str(bad), "HC1:xyz")
    assert code == 2 and "not a trust store, certificate, certificate list or JWKS" in err


def test_trust_import_and_list(tmp_path, capsys, signer):
    data = tmp_path / "data"
    cert = tmp_path / "dsc.pem"
    cert.write_bytes(signer.certificate.public_bytes(Encoding.PEM))
    private_key, public = shc_key()
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [public]}))
    crl = tmp_path / "crl.json"
    crl.write_text(json.dumps({"kid": public["kid"], "method": "rid", "rids": ["r9"]}))

    code, _, err = run(capsys, "--data-dir", str(data), "trust", "import", str(jwks))
    assert code == 2 and "--issuer" in err
    code, out, _ = run(capsys, "--data-dir", str(data), "trust", "import", "--issuer", ISSUER, str(cert), str(jwks),
                       str(crl))
    assert code == 0 and "2 key(s), 1 SHC revocation(s)" in out
    code, out, _ = run(capsys, "--data-dir", str(data), "trust", "list", "--json")
    listing = json.loads(out)
    assert [k["uses"] for k in listing["keys"]] == [["HC1:r", "HC1:t", "HC1:v"], ["SHC"]]
    assert listing["keys"][1]["kid"] == public["kid"] and listing["revoked_rids"] == 1

    code, out, _ = run(capsys, "--data-dir", str(data), "verify", "--json", "--now", NOW, hc1_text(signer))
    assert code == 0
    code, out, _ = run(capsys, "--data-dir", str(data), "verify", "--json", "--now", NOW,
                       shc_text(private_key, public, shc_payload(rid="r9")))
    assert code == 1 and json.loads(out)["verdict"] == "REVOKED"


def test_trust_import_signed_list_after_pinning_its_signer(tmp_path, capsys, signer):
    data = tmp_path / "data"
    publisher = make_signer()
    pub_pem = tmp_path / "publisher.pem"
    pub_pem.write_bytes(publisher.certificate.public_bytes(Encoding.PEM))
    signed = tmp_path / "dsc-list.cose"
    window = int(T0.timestamp()), int((T0 + timedelta(days=2)).timestamp())
    signed.write_bytes(make_signed_dsc_list([signer.certificate.public_bytes(Encoding.DER)],
                                            publisher.private_key, publisher.kid, *window))
    code, _, err = run(capsys, "--data-dir", str(data), "trust", "import", "--now", NOW, str(signed))
    assert code == 2 and "list signer" in err
    assert run(capsys, "--data-dir", str(data), "trust", "import", "--list-signer", str(pub_pem))[0] == 0
    code, out, _ = run(capsys, "--data-dir", str(data), "trust", "import", "--now", NOW, str(signed))
    assert code == 0 and "signed DSC list: 1 key(s)" in out
    assert run(capsys, "--data-dir", str(data), "verify", "--now", NOW, hc1_text(signer))[0] == 0
    assert run(capsys, "--data-dir", str(data), "verify", "--now", NOW, hc1_text(publisher))[0] == 1


def test_dcc_schemas_and_value_sets_are_imported_as_trust_data(tmp_path, capsys, signer):
    """The administrator imports the official files; the bundle carries them; HC1 passes are schema-checked."""
    from tests.dcc_reference_data import SKIP_REASON, schema_root

    root = schema_root()
    if not root.is_dir():
        pytest.skip(SKIP_REASON)
    data = tmp_path / "data"
    files = [str(root / "1.3.0" / "DCC.combined-schema.json"), str(root / "valuesets" / "test-result.json")]
    cert = tmp_path / "dsc.pem"
    cert.write_bytes(signer.certificate.public_bytes(Encoding.PEM))
    code, out, err = run(capsys, "--data-dir", str(data), "trust", "import", "--now", NOW, str(cert), *files)
    assert code == 0, err
    assert "EU DCC schema 1.3.0" in out and "EU DCC value set covid-19-lab-result" in out
    code, out, _ = run(capsys, "--data-dir", str(data), "trust", "list", "--json")
    listed = json.loads(out)
    assert listed["dcc_schemas"] == ["1.3.0"] and listed["dcc_value_sets"] == ["covid-19-lab-result"]
    code, out, _ = run(capsys, "--data-dir", str(data), "verify", "--json", "--now", NOW, hc1_text(signer))
    doc = json.loads(out)
    assert doc["verdict"] == "VALID" and "DCC_SCHEMA_UNCHECKED" not in doc["flags"]
    bad = tmp_path / "not-a-schema.json"
    bad.write_text(json.dumps({"$schema": "https://json-schema.org/draft/2020-12/schema",
                               "$id": "https://id.uvci.eu/DCC.combined-schema.json", "$comment": "no version"}))
    code, _, err = run(capsys, "--data-dir", str(data), "trust", "import", "--now", NOW, str(bad))
    assert code == 2 and "does not state its version" in err
