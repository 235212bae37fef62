"""The site configuration: defaults, one strict typed parse (key and line in every error), the policy it carries."""
from __future__ import annotations

import dataclasses

import pytest

from kiosk.config import ConfigError, KioskConfig, UiConfig, config_from_dict, load_config
from kiosk.core.outcome.policy import Policy
from kiosk.core.outcome.result import VerificationResult
from kiosk.core.outcome.strings import LANGUAGES
from kiosk.core.outcome.verdicts import Outcome, Reason, Status, Verdict


def _load(tmp_path, text: str):
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def _refused(tmp_path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text)
    return str(caught.value)


def test_no_file_means_defaults():
    config = load_config(None)
    assert config.devices.reader == "" and config.site == "demo"
    assert config.camera.width == 1280 and config.ui.volume == 0.8 and config.policy.layer() == {}


def test_a_file_sets_devices_and_policy(tmp_path):
    config = _load(tmp_path, 'site = "gate-3"\n[devices]\nreader = "loop://"\n[policy]\n'
                             'statuses = { yellow = "PASS" }\n')
    assert (config.site, config.devices.reader) == ("gate-3", "loop://")
    yellow = VerificationResult(Verdict.VALID, Reason.OK, "KP1", status=Status.YELLOW)
    assert config.policy.applied_to(Policy()).outcome(yellow) is Outcome.PASS


def test_the_readme_example_is_accepted(tmp_path):
    config = _load(tmp_path, """site = "guangzhou-south-gate-3"
fullscreen = true
[devices]
reader = "/dev/ttyUSB0"
reader_baud = 115200
reader_poll_s = 0.05
scanner = "/dev/ttyUSB1"
camera = "0"
[camera]
width = 1280
height = 720
fps = 30
[ui]
volume = 0.6
screen_size = [1366, 768]
[policy]
statuses = { yellow = "SEE_STAFF" }
verdicts = { NOT_FOUND = "SEE_STAFF" }
grace_hours = 72
""")
    assert config.camera.fps == 30.0 and config.ui.screen_size == (1366, 768) and config.fullscreen
    assert dict(**config.ui) == {"volume": 0.6, "screen_size": (1366, 768)} == config.ui.settings()
    assert config.ui.get("pixel_pitch_mm") is None and config.ui.pixel_pitch_mm == 0.179
    assert config.policy.layer() == {"statuses": {"yellow": "SEE_STAFF"}, "verdicts": {"NOT_FOUND": "SEE_STAFF"},
                                     "grace_hours": 72.0}


@pytest.mark.parametrize(("text", "line", "words"), [
    ('site = "x"\n[devices]\nreader = "loop://"\nreader_baud = "fast"\n', 4, ["[devices] reader_baud", "integer"]),
    ('sit = "typo"\n', 1, ["sit", "unknown key", "site"]),
    ('[devices]\nreeder = "x"\n', 2, ["[devices] reeder", "unknown key", "reader"]),
    ('[ui]\nvolume = 0.5\nvolumn = 0.4\n', 3, ["[ui] volumn", "unknown key", "did you mean volume?"]),
    ('[ui]\nvoice_enabled = "yes"\n', 2, ["[ui] voice_enabled", "boolean"]),
    ('[ui]\nvolume = 2\n', 2, ["[ui] volume", "1"]),
    ('[camera]\nwidth = "wide"\n', 2, ["[camera] width", "integer"]),
    ('[camera]\nfps = 0\n', 2, ["[camera] fps"]),
    ('[camera]\nfourcc = "MJPEG"\n', 2, ["[camera] fourcc"]),
    ('[camera]\nexposure = 3\n', 2, ["[camera] exposure", "unknown key", "fourcc"]),
    ('[policy]\nverdicts = { NOPE = "PASS" }\n', 2, ["[policy] verdicts.NOPE", "unknown name"]),
    ('[policy]\nstatuses = { green = "MAYBE" }\n', 2, ["[policy] statuses.green", "'PASS'"]),
    ('[policy]\ngrace_hour = 5\n', 2, ["[policy] grace_hour", "unknown key"]),
    ('[policy]\n[policy.gates.ward-3]\nstatuses = {}\n', 2, ["[policy] gates", "unknown key"]),
    ('languages = ["en", "fr"]\n', 1, ["languages", "'en'"]),
    ('fullscreen = 1\n', 1, ["fullscreen", "boolean"]),
    ('[devices]\nreader_baud = 9600.5\n', 2, ["[devices] reader_baud", "integer"]),
])
def test_typos_and_wrong_types_are_errors_naming_key_and_line(tmp_path, text, line, words):
    message = _refused(tmp_path, text)
    assert f"kiosk.toml line {line}:" in message
    for word in words:
        assert word in message, message


def test_every_problem_is_reported_at_once(tmp_path):
    message = _refused(tmp_path, '[devices]\nreader_baud = "fast"\n[camera]\nfps = "x"\n')
    assert "line 2" in message and "line 4" in message and len(message.splitlines()) == 2


@pytest.mark.parametrize("data", [
    {"sit": "typo"}, {"devices": {"reeder": "x"}}, {"policy": {"verdicts": {"NOPE": "PASS"}}},
    {"policy": {"statuses": {"green": "MAYBE"}}}, {"devices": "loop://"}, {"ui": {"staff_pin_hash": "1234"}},
])
def test_typos_are_errors_not_silent_changes(data):
    with pytest.raises(ConfigError):
        config_from_dict(data)


def test_a_table_of_the_wrong_type_is_named_as_a_table(tmp_path):
    assert "line 1: [devices]: input should be a valid dictionary" in _refused(tmp_path, 'devices = "loop://"\n')


def test_broken_toml_is_a_config_error(tmp_path):
    assert "not valid TOML" in _refused(tmp_path, "site = [")
    assert "line 2" in _refused(tmp_path, 'site = "a"\nfullscreen = \n')


def test_an_unreadable_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError):
        load_config(tmp_path / "missing.toml")
    (tmp_path / "kiosk.toml").write_bytes(b"site = \"\xff\"\n")
    with pytest.raises(ConfigError):
        load_config(tmp_path / "kiosk.toml")


def test_a_policy_can_never_open_the_gate_to_an_invalid_pass():
    config = config_from_dict({"policy": {"verdicts": {"INVALID": "PASS", "EXPIRED": "PASS"}}})
    policy = config.policy.applied_to(Policy())
    for verdict in (Verdict.INVALID, Verdict.EXPIRED):
        assert policy.outcome(VerificationResult(verdict, Reason.SIGNATURE_INVALID, "KP1")) is Outcome.STOP


def test_the_site_layer_goes_over_the_bundle_layer():
    bundle = Policy().merged({"statuses": {"yellow": "STOP"}, "pairing_window_seconds": 30})
    config = config_from_dict({"policy": {"statuses": {"yellow": "PASS"}}})
    policy = config.policy.applied_to(bundle)
    assert policy.statuses[Status.YELLOW] is Outcome.PASS and policy.pairing_window.total_seconds() == 30
    assert bundle.merged(config.policy_settings) == policy


def test_ui_defaults_are_the_screens_defaults():
    """[ui] documents the same defaults the screen uses when a key is absent (the UI may not be imported by
    the Qt-free checkpoint, so the config keeps its own copy; this keeps the two equal)."""
    pytest.importorskip("PySide6")
    from kiosk.ui.shared.settings import UiSettings

    screen, defaults = UiSettings(), UiConfig()
    for name in UiConfig.model_fields:
        if getattr(defaults, name) is not None:
            assert getattr(screen, name) == getattr(defaults, name), name
    assert set(UiConfig.model_fields) <= {f.name for f in dataclasses.fields(UiSettings)}
    assert KioskConfig().languages == LANGUAGES == tuple(KioskConfig.model_fields["languages"].annotation
                                                          .__args__[0].__args__)


def test_kiosk_run_refuses_a_bad_file_before_starting_anything(tmp_path, capsys):
    """`kiosk run` with a typo: exit 2, every bad key with its line on stderr, no traceback, no window."""
    from kiosk.cli import main

    path = tmp_path / "kiosk.toml"
    path.write_text('[devices]\nreader = "loop://"\nreader_baud = "fast"\n[ui]\nvolumn = 1\n', encoding="utf-8")
    assert main(["--data-dir", str(tmp_path / "data"), "--config", str(path), "run"]) == 2
    err = capsys.readouterr().err
    assert "line 3: [devices] reader_baud" in err and "line 5: [ui] volumn: unknown key" in err
    assert "Traceback" not in err and not (tmp_path / "data").exists()
