"""The site configuration: defaults, strictness, and the policy it carries."""
from __future__ import annotations

import pytest

from kiosk.config import ConfigError, config_from_dict, load_config
from kiosk.core.outcome.result import VerificationResult
from kiosk.core.outcome.verdicts import Outcome, Reason, Status, Verdict


def test_no_file_means_defaults():
    config = load_config(None)
    assert config.devices.reader == "" and config.site == "demo"


def test_a_file_sets_devices_and_policy(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text('site = "gate-3"\n[devices]\nreader = "loop://"\n[policy]\nstatuses = { yellow = "PASS" }\n')
    config = load_config(path)
    assert (config.site, config.devices.reader) == ("gate-3", "loop://")
    yellow = VerificationResult(Verdict.VALID, Reason.OK, "KP1", status=Status.YELLOW)
    assert config.policy.outcome(yellow) is Outcome.PASS


@pytest.mark.parametrize("data", [
    {"sit": "typo"}, {"devices": {"reeder": "x"}}, {"policy": {"verdicts": {"NOPE": "PASS"}}},
    {"policy": {"statuses": {"green": "MAYBE"}}},
])
def test_typos_are_errors_not_silent_changes(data):
    with pytest.raises(ConfigError):
        config_from_dict(data)


def test_broken_toml_is_a_config_error(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text("site = [")
    with pytest.raises(ConfigError):
        load_config(path)


def test_a_policy_can_never_open_the_gate_to_an_invalid_pass():
    config = config_from_dict({"policy": {"verdicts": {"INVALID": "PASS", "EXPIRED": "PASS"}}})
    for verdict in (Verdict.INVALID, Verdict.EXPIRED):
        assert config.policy.outcome(VerificationResult(verdict, Reason.SIGNATURE_INVALID, "KP1")) is Outcome.STOP
