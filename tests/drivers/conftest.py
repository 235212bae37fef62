"""Fixtures for the driver contract tests: an emulated device on a real pty, or a real port (`--port`).

`pytest tests/drivers --port /dev/ttyUSB0` runs the contract tests against real hardware: a person at the
bench is asked (on the terminal) to place/lift a card or pull/replug the cable; fault-injection tests that
only an emulator can do are skipped with a message. Without --port everything runs on emulators.
"""
from __future__ import annotations

from typing import Any

import queue
import time

import pytest

from drivers.sam.emulator import ReaderEmulator
from drivers.sam.presets import PRESETS


class Events:
    """A queue fed by a driver's on_event (the driver's thread); tests wait on it with timeouts."""

    def __init__(self) -> None:
        self.queue: queue.Queue = queue.Queue()
        self.seen: list = []

    def __call__(self, event: object) -> None:
        self.queue.put(event)

    def next(self, timeout: float = 30.0):
        event = self.queue.get(timeout=timeout)
        self.seen.append(event)
        return event

    def wait_for(self, kind: type, timeout: float = 30.0, ignore: tuple[type, ...] = ()):
        """The next event of `kind`; events of the `ignore` types may come first, anything else fails."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {kind.__name__} within {timeout} s (saw {self.seen})")
            try:
                event = self.next(remaining)
            except queue.Empty:
                raise AssertionError(f"no {kind.__name__} within {timeout} s (saw {self.seen})") from None
            if isinstance(event, kind):
                return event
            if not isinstance(event, ignore):
                raise AssertionError(f"expected {kind.__name__}, got {event!r}")

    def quiet(self, seconds: float) -> list:
        """Events that arrive within `seconds` (to show that nothing more happens: a bounded wait, no sleep)."""
        out = []
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                out.append(self.next(remaining))
            except queue.Empty:
                break
        return out


class _Emulated:
    """A bench whose device is one of our emulators: the cable is plugged and pulled in software."""

    real = False
    timeout = 30.0
    emulator: Any

    def unplug(self) -> None:
        self.emulator.unplug()

    def replug(self) -> None:
        self.emulator.replug()

    def close(self) -> None:
        self.emulator.close()


class _AtTheBench:
    """A bench with real hardware: each step is a request to the person at the bench."""

    real = True
    timeout = 30.0
    device = "device"

    def __init__(self, config: pytest.Config, port_option: str, baud_option: str) -> None:
        self.url = config.getoption(port_option)
        self.baudrate = config.getoption(baud_option)
        self._terminal = config.pluginmanager.getplugin("terminalreporter")

    def _ask(self, what: str) -> None:
        self._terminal.write_line(f"\n>>> {what} (within {self.timeout:g} s)")

    def unplug(self) -> None:
        self._ask(f"Unplug the {self.device}'s cable")

    def replug(self) -> None:
        self._ask(f"Plug the {self.device} back in")

    def close(self) -> None:
        pass


class EmulatedBench(_Emulated):
    """The card-reader bench without a person: an emulator on a pty behind a stable symlink."""

    def __init__(self, tmp_path, **options) -> None:
        self.emulator = ReaderEmulator(**options)
        self.url = self.emulator.open_pty(str(tmp_path / "ttyREADER"))

    def place(self, preset: str = "resident"):
        self.emulator.place(PRESETS[preset])
        return PRESETS[preset]

    def lift(self) -> None:
        self.emulator.lift()


class HardwareBench(_AtTheBench):
    """The same bench with a real reader."""

    device = "reader"

    def __init__(self, config: pytest.Config) -> None:
        super().__init__(config, "--port", "--port-baud")

    def place(self, preset: str = "resident"):
        self._ask("Place an ID card on the reader")
        return None  # the card is whatever the person has: tests then check it is well formed

    def lift(self) -> None:
        self._ask("Lift the card off the reader")


@pytest.fixture
def bench(request: pytest.FixtureRequest, tmp_path):
    if request.config.getoption("--port"):
        yield HardwareBench(request.config)
        return
    b = EmulatedBench(tmp_path)
    yield b
    b.close()


@pytest.fixture
def emulated(request: pytest.FixtureRequest, tmp_path):
    """An emulator for fault injection; skipped when the suite is pointed at a real port."""
    if request.config.getoption("--port"):
        pytest.skip("fault injection needs the emulator (running against a real port)")

    made = []

    def make(**options) -> EmulatedBench:
        b = EmulatedBench(tmp_path, **options)
        made.append(b)
        return b

    yield make
    for b in made:
        b.close()


@pytest.fixture
def events() -> Events:
    return Events()


class EmulatedScannerBench(_Emulated):
    def __init__(self, tmp_path) -> None:
        from drivers.scanner.emulator import ScannerEmulator

        self.emulator = ScannerEmulator()
        self.url = self.emulator.open_pty(str(tmp_path / "ttySCANNER"))
        self.baudrate = 9600

    def scan(self, text: str) -> str | None:
        self.emulator.scan(text)
        return text


class HardwareScannerBench(_AtTheBench):
    device = "scanner"

    def __init__(self, config: pytest.Config) -> None:
        super().__init__(config, "--scanner-port", "--scanner-baud")

    def scan(self, text: str) -> str | None:
        self._ask("Show any QR code to the scanner")
        return None


@pytest.fixture
def scanner_bench(request: pytest.FixtureRequest, tmp_path):
    if request.config.getoption("--scanner-port"):
        yield HardwareScannerBench(request.config)
        return
    b = EmulatedScannerBench(tmp_path)
    yield b
    b.close()
