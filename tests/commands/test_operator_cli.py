"""The operator's command line on real data directories: provisioning with an own root, issuing with an own
issuer key, bundles carried forward, shown and installed, status-list CSVs checked row by row, the desk lookup,
and `kiosk run` refusing an unprovisioned or demo data directory (before any window opens)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.cli import main

ID_A = "11010519491231002X"
ID_B = "440106195203150032"


@pytest.fixture
def cli(tmp_path, capsys):
    def run(*argv: str, data: str = "data") -> tuple[int, str, str]:
        code = main(["--data-dir", str(tmp_path / data), *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return run


@pytest.fixture
def keys(tmp_path, cli):
    for name in ("root", "issuer"):
        assert cli("bundle", "new-key", "--out", str(tmp_path / f"{name}.pem"), "--pub",
                   str(tmp_path / f"{name}.pub.pem"))[0] == 0
    return tmp_path


def test_run_refuses_an_unprovisioned_data_dir_naming_the_root_and_the_fix(cli, tmp_path):
    code, out, err = cli("run", data="fresh")
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert str(tmp_path / "fresh" / "pinned-roots.pem") in err and "kiosk --data-dir" in err
    assert "provision --root ROOT.pub.pem" in err
    assert not (tmp_path / "fresh").exists()  # nothing was created, least of all a demo root


def test_run_refuses_demo_trust_and_demo_pins_unless_the_config_says_demo(cli, tmp_path, keys):
    code, _, err = cli("issue", "--id", ID_A, "--name", "张三", "--status", "green", "--out",
                       str(tmp_path / "p.txt"), data="demo")
    assert code == 0 and "DEMO" in err  # the old contract still works on a fresh data dir, and says so
    code, _, err = cli("run", data="demo")
    assert code == 1 and "refusing demo trust data" in err and "demo = true" in err
    cli("provision", "--root", str(keys / "root.pub.pem"))
    code, _, err = cli("run")
    assert code == 1 and "demo staff and admin PIN" in err and "kiosk hash-pin" in err
    code, out, _ = cli("hash-pin", "--pin", "2468")
    assert code == 0 and out.startswith("pbkdf2_sha256$")
    admin = cli("hash-pin", "--pin", "97531864")[1].strip()
    toml = tmp_path / "demo-pin.toml"
    toml.write_text(f'[ui]\nstaff_pin_hash = "{out.strip()}"\nadmin_pin_hash = "{admin}"\n')
    code, _, err = cli("--config", str(toml), "run")
    assert code == 1 and "demo staff PIN" in err  # a fresh hash of the demo PIN is still the demo PIN
    (tmp_path / "bad.toml").write_text("demo = 1\n")
    assert cli("--config", str(tmp_path / "bad.toml"), "run")[0] == 2


def test_provision_refuses_a_second_root(cli, keys, tmp_path):
    assert cli("provision", "--root", str(keys / "root.pub.pem"))[0] == 0
    assert cli("provision", "--root", str(keys / "root.pub.pem"))[0] == 0  # the same root again: fine
    code, _, err = cli("provision", "--root", str(keys / "issuer.pub.pem"))
    assert code == 1 and "already pins another root" in err


def test_own_root_and_issuer_from_provision_to_revoked(cli, keys, tmp_path):
    k = str(keys)
    assert cli("bundle", "sign", "--root-key", f"{k}/root.pem", "--version", "1", "--issuer",
               f"{k}/issuer.pub.pem:CN-GATE:KP1,STATUS", "--out", f"{k}/v1.ktb")[0] == 0
    assert cli("provision", "--root", f"{k}/root.pub.pem")[0] == 0
    assert cli("bundle", "install", f"{k}/v1.ktb") == (0, "installed trust bundle v1\n", "")
    code, _, err = cli("issue", "--key", f"{k}/issuer.pem", "--id", ID_A, "--name", "张三", "--status", "green",
                       "--out", f"{k}/p.txt")
    assert code == 2 and "--issuer" in err
    code, out, err = cli("issue", "--key", f"{k}/issuer.pem", "--issuer", "CN-GATE", "--id", ID_A, "--name", "张三",
                         "--status", "green", "--out", f"{k}/p.txt")
    assert code == 0 and err == "" and not (tmp_path / "data" / "issuer").exists()
    text = Path(f"{k}/p.txt").read_text().strip()
    code, out, _ = cli("verify", "--json", text)
    first = json.loads(out)
    assert (code, first["verdict"], first["outcome"]) == (0, "VALID", "PASS")
    assert "DEMO" not in json.dumps(first)
    assert cli("bundle", "sign", "--root-key", f"{k}/root.pem", "--from", f"{k}/v1.ktb", "--version", "1",
               "--out", f"{k}/bad.ktb")[0] == 2  # not newer: refused before signing
    code, out, _ = cli("bundle", "sign", "--root-key", f"{k}/root.pem", "--from", f"{k}/v1.ktb", "--revoke-pass",
                       first["pass_id"], "--out", f"{k}/v2.ktb")
    assert code == 0 and "v2" in out and "carried from" in out
    code, out, _ = cli("bundle", "show", "--json", f"{k}/v2.ktb")
    shown = json.loads(out)
    assert shown["version"] == 2 and shown["signature"].startswith("valid")
    assert [i["issuer"] for i in shown["issuers"]] == ["CN-GATE"]  # the issuer was carried forward
    assert shown["revoked_pass_ids"] == [first["pass_id"]]
    assert cli("bundle", "install", f"{k}/v2.ktb")[0] == 0
    code, out, _ = cli("verify", "--json", text)
    assert (code, json.loads(out)["verdict"]) == (1, "REVOKED")
    code, out, _ = cli("bundle", "install", f"{k}/v1.ktb")
    assert code == 1 and "ROLLBACK" in out


def test_status_list_csv_rows_are_checked_and_the_desk_looks_up(cli, keys, tmp_path):
    k = str(keys)
    cli("bundle", "sign", "--root-key", f"{k}/root.pem", "--version", "1", "--issuer",
        f"{k}/issuer.pub.pem:CN-GATE:STATUS", "--out", f"{k}/v1.ktb")
    cli("provision", "--root", f"{k}/root.pub.pem")
    cli("bundle", "install", f"{k}/v1.ktb")
    csv_path = tmp_path / "list.csv"
    csv_path.write_text("id_number,status,valid_until\n"
                        f"{ID_A},green,2030-06-30\n"
                        "11010519491231003X,red,2030-06-30\n"
                        f"{ID_B},purple,2030-06-30\n"
                        f"{ID_B},red,someday\n")
    code, _, err = cli("statuslist", "build", "--csv", str(csv_path), "--key", f"{k}/issuer.pem", "--version", "1",
                       "--out", f"{k}/s1.ksl")
    assert code == 2 and not Path(f"{k}/s1.ksl").exists()
    assert "row 3: bad ID number 110105********003X" in err and "row 4: status 'purple'" in err
    assert "row 5: valid_until 'someday'" in err and "11010519491231003X" not in err
    csv_path.write_text(f"{ID_A},green,2030-06-30\n{ID_B},red,2030-06-30\n")
    assert cli("statuslist", "build", "--csv", str(csv_path), "--key", f"{k}/issuer.pem", "--version", "1",
               "--out", f"{k}/s1.ksl")[0] == 0
    assert cli("statuslist", "install", f"{k}/s1.ksl")[0] == 0
    code, out, _ = cli("statuslist", "lookup", "--json", ID_B)
    found = json.loads(out)
    assert (code, found["status"], found["id"], found["list_version"]) == (0, "red", "440106********0032", 1)
    code, out, _ = cli("statuslist", "lookup", "510104194805210013")
    assert code == 1 and "not on status list" in out
    assert cli("statuslist", "lookup", "12345")[0] == 2
