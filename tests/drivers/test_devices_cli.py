"""`kiosk read-card` and `kiosk emulate-reader` as processes and handlers, over a real pty."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.commands import devices

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def emulator_process():
    procs = []

    def start(*extra: str) -> tuple[subprocess.Popen, str]:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        proc = subprocess.Popen([sys.executable, "-m", "kiosk.commands.devices", "emulate-reader", *extra],
                                stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True, env=env, cwd=REPO)
        procs.append(proc)
        return proc, proc.stdout.readline().strip()

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(5)


def test_emulate_reader_then_read_card_json_masks_the_id(emulator_process, capsys):
    proc, path = emulator_process("--card", "resident")
    assert path.startswith("/dev/pts/")
    assert devices.main(["read-card", path, "--json", "--timeout", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["card_type"] == "resident"
    assert data["id_number"] == "110101********1233" and data["name"] == "测**"
    assert data["id_valid"] is True and data["id_kind"] == "resident"
    assert "address" not in data["extra"] and "photo" not in data
    assert devices.main(["read-card", path, "--json", "--show-id"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["id_number"] == "110101199003071233" and shown["extra"]["address"]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(5) == 0


def test_emulate_reader_on_a_socket_with_commands(emulator_process, capsys):
    proc, url = emulator_process("--socket", "0", "--commands")
    assert url.startswith("socket://127.0.0.1:")
    assert devices.main(["read-card", url, "--json", "--timeout", "0.3"]) == 1
    assert json.loads(capsys.readouterr().out)["error"] == "no_card"
    proc.stdin.write("place foreign2023\n")
    proc.stdin.flush()
    assert devices.main(["read-card", url, "--timeout", "3"]) == 0
    assert "foreign_2023" in capsys.readouterr().out
    proc.send_signal(signal.SIGINT)
    assert proc.wait(5) == 0


def test_read_card_on_a_missing_port_fails_cleanly(tmp_path, capsys):
    assert devices.main(["read-card", str(tmp_path / "nope"), "--timeout", "0.2"]) == 1
    assert "port_unavailable" in capsys.readouterr().err


def test_emulate_reader_with_a_bad_card_file_is_a_usage_error(tmp_path, capsys):
    bad = tmp_path / "card.json"
    bad.write_text("[1, 2]")
    assert devices.main(["emulate-reader", "--card", str(bad)]) == 2
