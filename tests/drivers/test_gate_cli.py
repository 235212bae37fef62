"""`kiosk emulate-relay` in its own process (prints the pty path, then each switch) driven by `kiosk gate pulse`,
and the [gate] section of kiosk.toml."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from drivers.gate.emulator import RelayEmulator
from kiosk.cli import main as cli_main
from kiosk.config import ConfigError, GateConfig, config_from_dict, load_config

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def relay_process():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "emulate-relay", "--commands"], cwd=REPO, env=env,
                            text=True, stdout=subprocess.PIPE, stdin=subprocess.PIPE)
    path = proc.stdout.readline().strip()
    yield proc, path
    if proc.poll() is None:
        proc.kill()
    proc.wait(5)


def test_pulse_an_emulated_relay_in_another_process(relay_process, capsys):
    proc, path = relay_process
    assert path.startswith("/dev/pts/")
    assert cli_main(["gate", "pulse", path, "--ms", "60", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is True and out["kind"] == "lcus" and out["ms"] == 60
    lines = [proc.stdout.readline().strip() for _ in range(3)]
    assert lines == ["channel 1 OFF", "channel 1 ON", "channel 1 OFF"]  # off first, one pulse, off


def test_pulse_on_a_port_that_is_gone_fails_clearly(capsys, tmp_path):
    assert cli_main(["gate", "pulse", str(tmp_path / "ttyNONE"), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out == {"ok": False, "error": "relay_unavailable", "detail": out["detail"]} and "ttyNONE" in out["detail"]


@pytest.mark.parametrize("args", [["--ms", "5"], ["--ms", "60000"], ["--kind", "gpio"], ["--channel", "9"]])
def test_unusable_pulse_arguments_are_usage_errors(args):
    assert cli_main(["gate", "pulse", "loop://", *args]) == 2


def test_pulse_never_guesses_the_port():
    assert cli_main(["gate", "pulse", "auto"]) == 2


def test_pulse_with_a_second_channel_on_an_in_process_emulator(capsys):
    emulator = RelayEmulator(channels=2)
    path = emulator.open_pty()
    try:
        assert cli_main(["gate", "pulse", path, "--channel", "2", "--ms", "50"]) == 0
        assert emulator.wait_pulses(1, channel=2) and emulator.ons(1) == 0
    finally:
        emulator.close()
    assert "channel 2" in capsys.readouterr().out


def test_the_gate_section(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text('[gate]\nrelay = "gpio:gpiochip0:17:low"\nkind = "gpio"\npulse_ms = 2500\n'
                    'max_open_ms = 6000\nsensor = "gpio:gpiochip0:4"\n', encoding="utf-8")
    gate = load_config(path).gate
    assert gate == GateConfig(relay="gpio:gpiochip0:17:low", kind="gpio", pulse_ms=2500, max_open_ms=6000,
                              sensor="gpio:gpiochip0:4")
    assert config_from_dict({}).gate.relay == ""  # no [gate]: no gate output


@pytest.mark.parametrize("gate", [{"kind": "modbus"}, {"channel": 0}, {"pulse_ms": 50}, {"pulse_ms": "3000"},
                                  {"pulse_ms": 9000, "max_open_ms": 8000}, {"sensor": "/dev/ttyUSB1"},
                                  {"relay": "/dev/ttyUSB0", "kind": "gpio"}, {"relay_port": "x"}, {"pulse_ms": True},
                                  {"relay": "auto"}])
def test_bad_gate_sections_are_config_errors(gate):
    with pytest.raises(ConfigError):
        config_from_dict({"gate": gate})
