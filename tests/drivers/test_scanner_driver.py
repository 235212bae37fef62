"""The QR-scanner driver against the scanner emulator over a real pty (or a real scanner with --scanner-port)."""
from __future__ import annotations


import pytest

from drivers.scanner import gm65
from drivers.scanner.emulator import ScannerEmulator
from drivers.scanner.events import CodeScanned, ScannerAvailable, ScannerFault, ScannerUnavailable
from drivers.scanner.scanner import QrScanner, read_one_code


@pytest.fixture
def scanner_emulator(request, tmp_path):
    if request.config.getoption("--scanner-port") or request.config.getoption("--port"):
        pytest.skip("the scanner emulator tests do not run against real hardware")
    made = []

    def make(**options) -> ScannerEmulator:
        emulator = ScannerEmulator(**options)
        emulator.open_pty(str(tmp_path / f"ttySCAN{len(made)}"))
        made.append(emulator)
        return emulator

    yield make
    for emulator in made:
        emulator.close()


@pytest.fixture
def run_scanner(events):
    scanners = []

    def start(url, **options):
        scanner = QrScanner(url, events, **options)
        scanner.start()
        scanners.append(scanner)
        return scanner

    yield start
    for scanner in scanners:
        scanner.stop()
        assert not scanner.running


@pytest.mark.parametrize("terminator", ["\r", "\r\n"])
def test_codes_typed_with_cr_or_crlf_arrive_once(scanner_emulator, run_scanner, events, terminator):
    emulator = scanner_emulator(terminator=terminator)
    run_scanner(emulator.path)
    assert events.wait_for(ScannerAvailable).source == emulator.path
    emulator.scan("KP1:FIRST")
    emulator.scan("KP1:FIRST")  # held in view: suppressed
    emulator.scan("HC1:SECOND")
    assert events.wait_for(CodeScanned).text == "KP1:FIRST"
    assert events.wait_for(CodeScanned).text == "HC1:SECOND"


def test_unplug_and_replug_on_a_reenumerated_pty(scanner_emulator, run_scanner, events):
    emulator = scanner_emulator()
    run_scanner(emulator.path, retry_interval=0.05)
    events.wait_for(ScannerAvailable)
    emulator.unplug()
    assert events.wait_for(ScannerUnavailable).reason == "disconnected"
    emulator.replug()
    events.wait_for(ScannerAvailable, ignore=(ScannerUnavailable,))
    emulator.scan("AFTER")
    assert events.wait_for(CodeScanned).text == "AFTER"


def test_garbage_and_over_long_lines_are_faults_not_crashes(scanner_emulator, run_scanner, events):
    emulator = scanner_emulator(pace=False)
    run_scanner(emulator.path, max_line=64)
    events.wait_for(ScannerAvailable)
    emulator.send_raw(b"\x00\xff\x13\r")
    emulator.scan("Z" * 200)
    emulator.scan("GOOD")
    assert {events.wait_for(ScannerFault).reason for _ in range(2)} == {"not_text", "line_too_long"}
    assert events.wait_for(CodeScanned).text == "GOOD"


def test_wrong_baud_gives_faults_and_a_baud_command_fixes_it(scanner_emulator, run_scanner, events):
    emulator = scanner_emulator(baudrate=115200, pace=False)
    scanner = run_scanner(emulator.path, baudrate=9600)
    events.wait_for(ScannerAvailable)
    emulator.scan("KP1:GARBLED")
    assert isinstance(events.next(), ScannerFault)
    scanner.stop()
    emulator.baudrate = 9600  # the engine was reset to its default
    run_scanner(emulator.path, baudrate=9600, setup=[gm65.set_baud(9600)])
    events.wait_for(ScannerAvailable)
    assert emulator.wait_commands(1)
    emulator.scan("KP1:CLEAR")
    assert events.wait_for(CodeScanned).text == "KP1:CLEAR"
    assert emulator.commands[-1].address == gm65.BAUD_REGISTER


def test_trigger_command_scans_the_code_in_view(scanner_emulator, run_scanner, events):
    emulator = scanner_emulator()
    scanner = run_scanner(emulator.path)
    events.wait_for(ScannerAvailable)
    emulator.queue_for_trigger("KP1:TRIGGERED")
    scanner.send(gm65.trigger())
    assert events.wait_for(CodeScanned).text == "KP1:TRIGGERED"


def test_socket_emulator_and_read_one_code(events):
    emulator = ScannerEmulator(terminator="\r\n")
    url = emulator.serve_socket()
    try:
        scanner = QrScanner(url, events)
        scanner.start()
        events.wait_for(ScannerAvailable)
        emulator.scan("VIA-SOCKET")
        assert events.wait_for(CodeScanned).text == "VIA-SOCKET"
        emulator.unplug()
        events.wait_for(ScannerUnavailable)
        scanner.stop()
        emulator.replug()
        emulator.queue_for_trigger("ONE")
    finally:
        emulator.close()


def test_read_one_code_times_out_cleanly(scanner_emulator):
    emulator = scanner_emulator()
    with pytest.raises(TimeoutError):
        read_one_code(emulator.path, timeout_s=0.2)


def test_contract_scan_unplug_replug(scanner_bench, run_scanner, events):
    """Runs against a real scanner with `--scanner-port URL` (a person scans and pulls the cable)."""
    run_scanner(scanner_bench.url, baudrate=scanner_bench.baudrate, retry_interval=0.05)
    events.wait_for(ScannerAvailable, scanner_bench.timeout)
    expected = scanner_bench.scan("KP1:CONTRACT")
    text = events.wait_for(CodeScanned, scanner_bench.timeout, ignore=(ScannerFault,)).text
    assert text == expected if expected is not None else text.strip()
    scanner_bench.unplug()
    events.wait_for(ScannerUnavailable, scanner_bench.timeout, ignore=(CodeScanned, ScannerFault))
    scanner_bench.replug()
    events.wait_for(ScannerAvailable, scanner_bench.timeout, ignore=(ScannerUnavailable,))


def test_loop_url_echoes_what_the_driver_sends(run_scanner, events):
    scanner = run_scanner("loop://")
    events.wait_for(ScannerAvailable)
    scanner.send(b"LOOPED\r")
    assert events.wait_for(CodeScanned).text == "LOOPED"
