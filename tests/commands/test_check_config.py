"""`kiosk check-config`: the strict parse of kiosk.toml without starting the kiosk."""
from __future__ import annotations

import json

from kiosk.cli import main
from kiosk.ui.staff.pins import hash_pin


def test_a_good_file_shows_the_effective_settings_without_pin_hashes(tmp_path, capsys):
    pin_hash = hash_pin("86420")
    path = tmp_path / "kiosk.toml"
    path.write_text(f'site = "gate-3"\n[devices]\nreader = "auto"\n[ui]\nstaff_pin_hash = "{pin_hash}"\n'
                    '[policy]\nstatuses = { yellow = "STOP" }\n', encoding="utf-8")
    assert main(["check-config", str(path), "--json"]) == 0
    out = capsys.readouterr().out
    settings = json.loads(out)
    assert settings["site"] == "gate-3" and settings["devices"]["reader"] == "auto"
    assert settings["devices"]["reader_baud"] == 115200 and settings["camera"]["fps"] == 30.0  # defaults shown
    assert settings["policy"] == {"statuses": {"yellow": "STOP"}}
    assert settings["ui"]["staff_pin_hash"] == "set" and settings["ui"]["admin_pin_hash"] == "demo PIN"
    assert pin_hash not in out
    assert main(["--config", str(path), "check-config"]) == 0
    assert "ok" in capsys.readouterr().out


def test_a_bad_file_is_refused_with_key_and_line(tmp_path, capsys):
    path = tmp_path / "kiosk.toml"
    path.write_text('[devices]\nreader_baud = "fast"\n', encoding="utf-8")
    assert main(["check-config", str(path)]) == 2
    assert "line 2: [devices] reader_baud" in capsys.readouterr().err
    assert main(["check-config"]) == 2
