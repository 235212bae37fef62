"""Fixtures for the driver contract tests: an emulated device on a real pty, or a real port (`--port`).

`pytest tests/drivers --port /dev/ttyUSB0` runs the contract tests against real hardware: a person at the
bench is asked (on the terminal) to place/lift a card or pull/replug the cable; fault-injection tests that
only an emulator can do are skipped with a message. Without --port everything runs on emulators.
"""
from __future__ import annotations

import queue
import time

import pytest

from drivers.sam.emulator import ReaderEmulator
from drivers.sam.presets import PRESETS


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kiosk drivers")
    group.addoption("--port", default=None, help="run the card-reader contract tests against this real port URL")
    group.addoption("--port-baud", type=int, default=115200, help="baud rate of the real reader")
    group.addoption("--scanner-port", default=None, help="run the scanner contract tests against this port URL")


class Events:
    """A queue fed by a driver's on_event (the driver's thread); tests wait on it with timeouts."""

    def __init__(self) -> None:
        self.queue: queue.Queue = queue.Queue()
        self.seen: list = []

    def __call__(self, event: object) -> None:
        self.queue.put(event)

    def next(self, timeout: float = 3.0):
        event = self.queue.get(timeout=timeout)
        self.seen.append(event)
        return event

    def wait_for(self, kind: type, timeout: float = 3.0, ignore: tuple[type, ...] = ()):
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


class EmulatedBench:
    """The card-reader bench without a person: an emulator on a pty behind a stable symlink."""

    real = False
    timeout = 3.0

    def __init__(self, tmp_path, **options) -> None:
        self.emulator = ReaderEmulator(**options)
        self.url = self.emulator.open_pty(str(tmp_path / "ttyREADER"))

    def place(self, preset: str = "resident"):
        self.emulator.place(PRESETS[preset])
        return PRESETS[preset]

    def lift(self) -> None:
        self.emulator.lift()

    def unplug(self) -> None:
        self.emulator.unplug()

    def replug(self) -> None:
        self.emulator.replug()

    def close(self) -> None:
        self.emulator.close()


class HardwareBench:
    """The same bench with a real reader: each step is a request to the person at the bench."""

    real = True
    timeout = 30.0

    def __init__(self, config: pytest.Config) -> None:
        self.url = config.getoption("--port")
        self.baudrate = config.getoption("--port-baud")
        self._terminal = config.pluginmanager.getplugin("terminalreporter")

    def _ask(self, what: str) -> None:
        self._terminal.write_line(f"\n>>> {what} (within {self.timeout:g} s)")

    def place(self, preset: str = "resident"):
        self._ask("Place an ID card on the reader")
        return None  # the card is whatever the person has: tests then check it is well formed

    def lift(self) -> None:
        self._ask("Lift the card off the reader")

    def unplug(self) -> None:
        self._ask("Unplug the reader's cable")

    def replug(self) -> None:
        self._ask("Plug the reader back in")

    def close(self) -> None:
        pass


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
