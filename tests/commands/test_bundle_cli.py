"""`kiosk verify --now` gives the right verdict for each adversarial case; `kiosk issue`, `kiosk bundle`,
`kiosk statuslist` end to end on a real data directory."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from kiosk.cli import main

ID_A = "11010519491231002X"
ID_B = "440106195203150032"
NOW = datetime.now(timezone.utc).replace(microsecond=0)


def iso(delta: timedelta = timedelta(0)) -> str:
    return (NOW + delta).isoformat().replace("+00:00", "Z")


@pytest.fixture
def kiosk(tmp_path, capsys):
    def run(*argv: str) -> tuple[int, str]:
        code = main(["--data-dir", str(tmp_path / "data"), *argv])
        return code, capsys.readouterr().out
    return run


def issue(kiosk, tmp_path, *extra: str, name="p.txt") -> str:
    out = tmp_path / name
    at = () if "--now" in extra else ("--now", iso())  # issued at NOW, the time the cases are judged against
    code, _ = kiosk("issue", "--id", ID_A, "--name", "张三", "--status", "green", "--out", str(out), *at, *extra)
    assert code == 0
    return out.read_text().strip() if out.suffix == ".txt" else ""


def verdict(kiosk, text: str, *extra: str) -> dict:
    code, out = kiosk("verify", "--json", text, *extra)
    result = json.loads(out)
    assert code == (0 if result["verdict"] == "VALID" else 1)
    return result


def test_each_adversarial_case_through_the_command(kiosk, tmp_path):
    text = issue(kiosk, tmp_path)
    assert verdict(kiosk, text)["outcome"] == "PASS"
    cases = {
        "expired": (text, iso(timedelta(days=7, minutes=1)), "EXPIRED", "PASS_EXPIRED"),
        "not yet valid": (text, iso(-timedelta(hours=2)), "NOT_YET_VALID", "ISSUED_IN_FUTURE"),
        "wrong prefix": ("HC2:" + text[4:], iso(), "UNSUPPORTED_FORMAT", "UNKNOWN_PREFIX"),
        "truncated": (text[:-7], iso(), "INVALID", None),
        "flipped character": (text[:40] + ("A" if text[40] != "A" else "B") + text[41:], iso(), "INVALID", None),
        "oversize": ("KP1:" + "0" * 9000, iso(), "INVALID", "INPUT_TOO_LARGE"),
    }
    for name, (code_text, now, expected, reason) in cases.items():
        result = verdict(kiosk, code_text, "--now", now)
        assert result["verdict"] == expected, name
        assert reason is None or result["reason"] == reason, name
        assert result["outcome"] != "PASS", name


def test_unknown_key_revoked_pass_and_revoked_key(kiosk, tmp_path, capsys):
    foreign_dir = tmp_path / "elsewhere"
    main(["--data-dir", str(foreign_dir), "issue", "--id", ID_A, "--name", "张三", "--status", "green",
          "--out", str(tmp_path / "f.txt")])
    capsys.readouterr()
    assert verdict(kiosk, (tmp_path / "f.txt").read_text().strip())["reason"] == "KEY_UNKNOWN"
    text = issue(kiosk, tmp_path)
    pass_id = verdict(kiosk, text)["pass_id"]
    assert kiosk("bundle", "revoke", "--pass-id", pass_id)[0] == 0
    assert verdict(kiosk, text)["reason"] == "PASS_REVOKED"
    other = issue(kiosk, tmp_path, name="q.txt")
    kid = verdict(kiosk, other)["kid"]
    assert kiosk("bundle", "revoke", "--kid", kid)[0] == 0
    result = verdict(kiosk, other)
    assert (result["verdict"], result["reason"], result["outcome"]) == ("REVOKED", "KEY_REVOKED", "STOP")


def test_offline_for_eight_days_is_trust_data_stale(kiosk, tmp_path):
    text = issue(kiosk, tmp_path, "--days", "14")
    assert verdict(kiosk, text, "--now", iso(timedelta(days=3)))["flags"] == ["TRUST_REFRESH_DUE"]
    result = verdict(kiosk, text, "--now", iso(timedelta(days=8)))
    assert (result["verdict"], result["reason"], result["outcome"]) == \
        ("TRUST_DATA_STALE", "TRUST_BUNDLE_EXPIRED", "SEE_STAFF")
    assert result["trust_freshness"] == "expired"
    code, out = kiosk("bundle", "status", "--json", "--now", iso(timedelta(days=8)))
    assert code == 1 and json.loads(out)["freshness"] == "expired"


def test_clock_set_back_is_suspect(kiosk, tmp_path):
    text = issue(kiosk, tmp_path, "--now", iso(-timedelta(days=3)))
    result = verdict(kiosk, text, "--now", iso(-timedelta(days=2)), "--judge-clock")
    assert (result["verdict"], result["outcome"]) == ("CLOCK_SUSPECT", "SEE_STAFF")
    assert "CLOCK_SUSPECT" in result["flags"]
    assert verdict(kiosk, text, "--now", iso(-timedelta(days=2)))["verdict"] == "VALID"  # a what-if time


def test_family_print_job(kiosk, tmp_path):
    code, out = kiosk("issue", "--id", ID_A, "--name", "张三", "--id", ID_B, "--name", "李四",
                      "--status", "green", "--status", "yellow", "--out", str(tmp_path / "family.pdf"))
    assert code == 0 and out.count("issued pass") == 2
    pdf = (tmp_path / "family.pdf").read_bytes()
    assert pdf.count(b"/Type /Page\n") == 2 and b"/MediaBox [ 0 0 297.6 419.52 ]" in pdf  # A6 in points
    code, _ = kiosk("issue", "--id", ID_A, "--name", "张三", "--id", ID_B, "--name", "李四", "--status", "green",
                    "--out", str(tmp_path / "family.txt"))
    texts = [(tmp_path / f"family-{i}.txt").read_text().strip() for i in (1, 2)]
    assert [verdict(kiosk, t)["holder"]["masked_name"] for t in texts] == ["张*", "李*"]
    six = [a for i in range(6) for a in ("--id", ID_A, "--name", "x")]
    assert main(["--data-dir", str(tmp_path / "data"), "issue", *six, "--status", "green",
                 "--out", str(tmp_path / "six.txt")]) == 2


def test_png_page_is_a6_at_300_dpi_with_a_readable_qr(kiosk, tmp_path):
    from PIL import Image
    issue(kiosk, tmp_path, name="pass.png")
    page = Image.open(tmp_path / "pass.png")
    assert page.size == (1240, 1748)
    zxingcpp = pytest.importorskip("zxingcpp")
    found = zxingcpp.read_barcodes(page)
    assert found and found[0].text.startswith("KP1:") and str(found[0].ec_level) in ("Q", "25%")


def test_bundle_sign_install_and_rollback(kiosk, tmp_path):
    root, issuer = tmp_path / "root.pem", tmp_path / "issuer.pem"
    data = tmp_path / "data"
    data.mkdir()
    assert kiosk("bundle", "new-key", "--out", str(root), "--pub", str(data / "pinned-roots.pem"))[0] == 0
    assert kiosk("bundle", "new-key", "--out", str(issuer), "--pub", str(tmp_path / "issuer.pub"))[0] == 0
    for version in (5, 6):
        assert kiosk("bundle", "sign", "--root-key", str(root), "--version", str(version), "--issuer",
                     f"{tmp_path / 'issuer.pub'}:CN-X:KP1,STATUS", "--out", str(tmp_path / f"b{version}.ktb"))[0] == 0
    assert kiosk("bundle", "install", str(tmp_path / "b6.ktb"))[0] == 0
    code, out = kiosk("bundle", "install", str(tmp_path / "b5.ktb"))
    assert code == 1 and "TRUST_BUNDLE_ROLLBACK" in out
    code, out = kiosk("bundle", "status", "--json")
    assert json.loads(out)["version"] == 6


def test_status_list_build_delta_install(kiosk, tmp_path):
    key = tmp_path / "issuer.pem"
    kiosk("issue", "--id", ID_A, "--name", "张三", "--status", "green", "--out", str(tmp_path / "x.txt"))
    key.write_bytes((tmp_path / "data" / "issuer" / "issuer-key.pem").read_bytes())
    (tmp_path / "snap.csv").write_text(f"{ID_A},green,{iso(timedelta(days=9))}\n")
    (tmp_path / "delta.csv").write_text(f"{ID_A},\n{ID_B},red,{iso(timedelta(days=9))}\n")
    assert kiosk("statuslist", "build", "--csv", str(tmp_path / "snap.csv"), "--key", str(key), "--version", "1",
                 "--out", str(tmp_path / "s.ksl"))[0] == 0
    assert kiosk("statuslist", "install", str(tmp_path / "s.ksl"))[0] == 0
    assert kiosk("statuslist", "delta", "--base", str(tmp_path / "s.ksl"), "--csv", str(tmp_path / "delta.csv"),
                 "--key", str(key), "--version", "2", "--out", str(tmp_path / "d.ksl"))[0] == 0
    code, out = kiosk("statuslist", "install", str(tmp_path / "d.ksl"))
    assert code == 0 and "v2: 1 entries" in out
    code, out = kiosk("statuslist", "install", str(tmp_path / "s.ksl"))
    assert code == 1 and "refused" in out


def test_crafted_codes_through_the_command(kiosk, tmp_path):
    import zlib

    import cbor2

    from kiosk.core.codec import cose
    from kiosk.core.passes import offline_pass
    from kiosk.core.codec.base45 import b45encode
    from kiosk.datadir import DataDir
    from kiosk.provisioning import provision_demo
    from tests.core.kit import Issuer, unsigned_envelope, wrap

    issue(kiosk, tmp_path)
    issuer = provision_demo(DataDir(tmp_path / "data"))
    claims = offline_pass.new_claims(ID_A, "张三", "green", NOW, issuer=issuer.name)
    canonical = offline_pass.encode_claims(claims)
    reordered = cbor2.dumps(dict(reversed(list(cbor2.loads(canonical).items()))))
    cases = {
        "none algorithm": (wrap(unsigned_envelope(canonical, {cose.HEADER_KID: issuer.kid, cose.HEADER_ALG: 0})),
                           "INVALID", "ALGORITHM_NOT_ALLOWED"),
        "wrong key, right kid": (Issuer(kid=issuer.kid).seal(claims), "INVALID", "SIGNATURE_INVALID"),
        "zlib bomb": ("KP1:" + b45encode(zlib.compress(b"\0" * 5_000_000, 9)), "INVALID", "DECOMPRESSED_TOO_LARGE"),
        "non-canonical CBOR": (wrap(cose.sign(reordered, issuer.private_key, issuer.kid)), "INVALID",
                               "CBOR_NOT_CANONICAL"),
    }
    for name, (text, expected, reason) in cases.items():
        result = verdict(kiosk, text, "--now", iso(timedelta(minutes=1)))
        assert (result["verdict"], result["reason"]) == (expected, reason), name


def test_the_central_signs_dcc_reference_data_into_the_bundle_the_kiosk_installs(kiosk, tmp_path):
    from tests.dcc_reference_data import SKIP_REASON, schema_root

    schemas = schema_root()
    if not schemas.is_dir():
        pytest.skip(SKIP_REASON)
    root = tmp_path / "root.pem"
    data = tmp_path / "data"
    data.mkdir()
    assert kiosk("bundle", "new-key", "--out", str(root), "--pub", str(data / "pinned-roots.pem"))[0] == 0
    files = [schemas / "1.3.3" / "DCC.combined-schema.json", schemas / "valuesets" / "test-type.json"]
    code, _ = kiosk("bundle", "sign", "--root-key", str(root), "--version", "7", "--out", str(tmp_path / "b.ktb"),
                    *[a for f in files for a in ("--dcc-reference", str(f))])
    assert code == 0
    assert kiosk("bundle", "install", str(tmp_path / "b.ktb"))[0] == 0
    code, out = kiosk("trust", "list", "--json")
    listed = json.loads(out)
    assert listed["dcc_schemas"] == ["1.3.3"] and listed["dcc_value_sets"] == ["covid-19-lab-test-type"]
    code, out = kiosk("bundle", "sign", "--root-key", str(root), "--version", "8", "--out", str(tmp_path / "c.ktb"),
                      "--dcc-reference", str(root))
    assert code == 2
