"""`kiosk read-card` and `kiosk emulate-reader` as processes and handlers, over a real pty."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import main as cli_main

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def emulator_process():
    procs = []

    def start(*extra: str) -> tuple[subprocess.Popen, str]:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        proc = subprocess.Popen([sys.executable, "-m", "kiosk", "emulate-reader", *extra],
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
    assert cli_main(["read-card", path, "--json", "--timeout", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["card_type"] == "resident"
    assert data["id_number"] == "110101********1233" and data["name"] == "测**"
    assert data["id_valid"] is True and data["id_kind"] == "resident"
    assert "address" not in data["extra"] and "photo" not in data
    assert data["birth_date"] == "1990****"  # the full date would undo most of the ID number's mask
    assert cli_main(["read-card", path, "--json", "--show-id"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["id_number"] == "110101199003071233" and shown["extra"]["address"]
    assert shown["birth_date"] == "19900307"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(5) == 0


def test_emulate_reader_on_a_socket_with_commands(emulator_process, capsys):
    proc, url = emulator_process("--socket", "0", "--commands")
    assert url.startswith("socket://127.0.0.1:")
    assert cli_main(["read-card", url, "--json", "--timeout", "0.3"]) == 1
    assert json.loads(capsys.readouterr().out)["error"] == "no_card"
    proc.stdin.write("\nfail read_text_photo 41\nplace foreign2023\n")
    proc.stdin.flush()
    assert cli_main(["read-card", url, "--json", "--timeout", "3"]) == 1
    assert json.loads(capsys.readouterr().out)["error"] == "sam_read_failed"
    assert cli_main(["read-card", url, "--timeout", "3"]) == 0
    assert "foreign_2023" in capsys.readouterr().out
    proc.send_signal(signal.SIGINT)
    assert proc.wait(5) == 0


def test_read_card_on_a_missing_port_fails_cleanly(tmp_path, capsys):
    assert cli_main(["read-card", str(tmp_path / "nope"), "--timeout", "0.2"]) == 1
    assert "port_unavailable" in capsys.readouterr().err


def test_emulate_reader_with_a_bad_card_file_is_a_usage_error(tmp_path, capsys):
    bad = tmp_path / "card.json"
    bad.write_text("[1, 2]")
    assert cli_main(["emulate-reader", "--card", str(bad)]) == 2


def _kiosk(*args: str, data_dir: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), "KIOSK_DATA_DIR": str(data_dir)}
    return subprocess.Popen([sys.executable, "-m", "kiosk", *args], cwd=REPO, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _scan_until_done(proc: subprocess.Popen, emulator, text: str) -> tuple[str, str]:
    """Type the code until the process has read it (it may not have opened the port yet)."""
    import time
    deadline = time.monotonic() + 120  # a generous bound: a loaded machine may take long to start Python
    while time.monotonic() < deadline:
        emulator.scan(text)
        try:
            return proc.communicate(timeout=0.2)
        except subprocess.TimeoutExpired:
            continue
    proc.kill()
    raise AssertionError("read-code never finished")


def test_read_code_verifies_a_scanned_pass(tmp_path):
    from drivers.scanner.emulator import ScannerEmulator

    data = tmp_path / "data"
    issue = _kiosk("issue", "--id", "11010519491231002X", "--name", "张三", "--status", "green",
                   "--out", str(tmp_path / "pass.txt"), data_dir=data)
    assert issue.wait(60) == 0, issue.stderr.read()
    text = (tmp_path / "pass.txt").read_text().strip()
    emulator = ScannerEmulator(pace=False)
    path = emulator.open_pty()
    try:
        proc = _kiosk("read-code", path, "--json", "--timeout", "20", data_dir=data)
        out, err = _scan_until_done(proc, emulator, text)
        assert proc.returncode == 0, err
        result = json.loads(out)
        assert (result["verdict"], result["format"], result["outcome"]) == ("VALID", "KP1", "PASS")
        assert "text" not in result and text not in out
        proc = _kiosk("read-code", path, "--json", "--timeout", "20", data_dir=data)
        out, _ = _scan_until_done(proc, emulator, "NOT-A-PASS")
        assert proc.returncode == 1
        assert json.loads(out)["reason"] == "UNKNOWN_PREFIX"
    finally:
        emulator.close()


def test_read_code_timeout_and_ports(tmp_path, capsys):
    from drivers.scanner.emulator import ScannerEmulator

    emulator = ScannerEmulator()
    path = emulator.open_pty()
    try:
        from kiosk.cli import main

        assert main(["--data-dir", str(tmp_path / "data"), "read-code", path, "--json", "--timeout", "0.2"]) == 1
        assert json.loads(capsys.readouterr().out)["error"] == "timeout"
    finally:
        emulator.close()
    assert cli_main(["ports", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert isinstance(listed, list) and all({"device", "bridge", "vid", "pid"} <= set(p) for p in listed)


def test_the_kiosk_command_offers_the_device_subcommands():
    from kiosk.cli import build_parser

    parser = build_parser()
    for command in ("read-card", "emulate-reader", "read-code", "emulate-scanner", "ports"):
        assert parser.parse_args([command, "x"] if command.startswith("read") else [command]).handler
