"""Port choice: candidate listing, `auto` detection among USB-serial bridges, hwgrep://, re-enumeration.

The OS's device list is the boundary: it is replaced by entries naming emulator ptys with the bridges'
USB ids, so the detection code runs for real against real ptys.
"""
from __future__ import annotations

import pytest
from serial.tools import list_ports
from serial.tools.list_ports_common import ListPortInfo

from drivers import ports
from drivers.sam.emulator import ReaderEmulator
from drivers.sam.events import CardPresented, CardRemoved, ReaderAvailable, ReaderFault, ReaderUnavailable
from drivers.sam.presets import PRESETS
from drivers.sam.reader import CardReader, read_one_card
from drivers.scanner.scanner import QrScanner
from drivers.scanner.emulator import ScannerEmulator
from drivers.scanner.events import CodeScanned, ScannerAvailable


def _info(device: str, vid: int | None, pid: int | None, description: str) -> ListPortInfo:
    info = ListPortInfo(device, skip_link_detection=True)
    info.description = description
    if vid is not None:
        info.vid, info.pid, info.serial_number = vid, pid, "0001"
        info.apply_usb_info()
    return info


@pytest.fixture
def gate(monkeypatch, request):
    if request.config.getoption("--port"):
        pytest.skip("auto-detection is tested on emulators")
    reader, scanner = ReaderEmulator(), ScannerEmulator(pace=False)
    scanner.open_pty()  # usually the lower pts number: `auto` for the reader then has to probe past it
    reader.open_pty()

    def comports(include_links: bool = False):
        # The scanner's bridge sorts first, so `auto` for the reader must probe past it.
        return [_info("/dev/ttyS0", None, None, "n/a"),
                _info(scanner.path, 0x067B, 0x2303, "USB-Serial Controller"),
                _info(reader.path, 0x1A86, 0x7523, "USB Serial")]

    monkeypatch.setattr(list_ports, "comports", comports)
    yield reader, scanner
    reader.close()
    scanner.close()


def test_candidates_flag_the_known_bridges(gate):
    reader, scanner = gate
    found = ports.candidates()
    assert [bool(c.bridge) for c in found] == [True, True, False]
    by_device = {c.device: c for c in found}
    assert by_device[reader.path].bridge == "CH340" and by_device[scanner.path].bridge == "PL2303"
    assert by_device[reader.path].to_json()["vid"] == "1a86"


def test_auto_finds_the_reader_by_asking_for_a_sam(gate, events):
    reader, scanner = gate
    reader.place(PRESETS["resident"])
    card_reader = CardReader("auto", events, poll_interval=0.03)
    card_reader.start()
    try:
        assert events.wait_for(ReaderAvailable).source == reader.path
        assert events.wait_for(CardPresented).card == PRESETS["resident"]
        # The bridge re-enumerates under another name on replug: `auto` finds it again.
        reader.unplug()
        events.wait_for(ReaderUnavailable, ignore=(CardRemoved,))
        reader.replug()
        assert events.wait_for(ReaderAvailable, ignore=(ReaderFault,)).source == reader.path
    finally:
        card_reader.stop()


def test_auto_scanner_skips_the_reader(gate, events):
    reader, scanner = gate
    qr = QrScanner("auto", events)
    qr.start()
    try:
        assert events.wait_for(ScannerAvailable).source == scanner.path
        scanner.scan("KP1:AUTO")
        assert events.wait_for(CodeScanned).text == "KP1:AUTO"
    finally:
        qr.stop()


def test_hwgrep_urls_and_a_busy_port(gate):
    reader, _ = gate
    reader.place(PRESETS["hmt"])
    assert read_one_card("hwgrep://1a86:7523", timeout_s=2) == PRESETS["hmt"]
    held = ports.open_port(reader.path, baudrate=115200)
    try:
        with pytest.raises(ports.PortOpenError):
            ports.open_port(reader.path, baudrate=115200)  # exclusive: one driver per port
    finally:
        held.close()


def test_auto_with_no_bridge_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(list_ports, "comports", lambda include_links=False: [])
    with pytest.raises(ports.PortOpenError, match="no CH340/PL2303/FTDI/CP210x"):
        ports.open_first(lambda port: True, baudrate=9600)
