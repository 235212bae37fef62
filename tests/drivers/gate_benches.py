"""Benches for the gate relay contract tests: each emulated kind, or the real relay named with --gate-port.

An emulated bench observes the contact itself (the LCUS emulator's decoded frames, the fake hidapi board's
state, the fake gpiod line); at a real bench the relay cannot be watched by the test (LCUS boards answer
nothing), so the person at the bench is told what to listen for and `is_on`/`wait_pulses` return None.
"""
from __future__ import annotations

from typing import Any

import pytest

from drivers.gate.emulator import RelayEmulator
from drivers.gate.fake_gpiod import FakeGpiod, GpioChip
from drivers.gate.fake_hid import FakeHid, HidRelayBoard
from drivers.gate.relays import GpioRelay, HidRelay, LcusRelay, Relay, open_relay

EMULATED_KINDS = ("lcus", "hid", "gpio")


class LcusBench:
    real, timeout, kind = False, 5.0, "lcus"

    def __init__(self, tmp_path) -> None:
        self.emulator = RelayEmulator(channels=2)
        self.url = self.emulator.open_pty(str(tmp_path / "ttyRELAY"))

    def make_relay(self) -> Relay:
        return LcusRelay(self.url, 1)

    def is_on(self) -> bool:
        return self.emulator.is_on(1)

    def wait_pulses(self, count: int) -> bool:
        return self.emulator.wait_pulses(count, 1, self.timeout)

    def wait_on(self) -> bool:
        return self.emulator.wait_state(True, 1, self.timeout)

    def wait_off(self) -> bool:
        return self.emulator.wait_state(False, 1, self.timeout)

    def unplug(self) -> None:
        self.emulator.unplug()

    def replug(self) -> None:
        self.emulator.replug()

    def close(self) -> None:
        self.emulator.close()


class _Synchronous:
    """Fakes of the hardware libraries switch inside the driver's call: by the time the controller reports an
    event the contact is already where it will be, so observing needs no waiting."""

    real, timeout = False, 5.0

    def wait_pulses(self, count: int) -> bool:
        return self.pulses() >= count and not self.is_on()

    def wait_on(self) -> bool:
        return self.is_on()

    def wait_off(self) -> bool:
        return not self.is_on()

    def close(self) -> None:
        pass


class HidBench(_Synchronous):
    kind = "hid"

    def __init__(self, tmp_path) -> None:
        self.board = HidRelayBoard("QAAMZ", channels=2)
        self.hid = FakeHid([self.board])

    def make_relay(self) -> Relay:
        return HidRelay("hid:QAAMZ", 1, self.hid)

    def is_on(self) -> bool:
        return 1 in self.board.closed

    def pulses(self) -> int:
        return sum(1 for report, _ in self.board.reports if report[1:3] == [0xFF, 1])

    def unplug(self) -> None:
        self.board.unplug()

    def replug(self) -> None:
        self.board.replug()


class GpioBench(_Synchronous):
    kind = "gpio"
    LINE = 17

    def __init__(self, tmp_path) -> None:
        self.chip = GpioChip("/dev/gpiochip0")
        self.gpiod = FakeGpiod([self.chip])

    def make_relay(self) -> Relay:
        return GpioRelay(f"gpio:gpiochip0:{self.LINE}", self.gpiod)

    def is_on(self) -> bool:
        return self.chip.is_active(self.LINE)

    def pulses(self) -> int:
        return sum(1 for line, value, _ in self.chip.history if line == self.LINE and value.name == "ACTIVE")

    def unplug(self) -> None:
        self.chip.remove()

    def replug(self) -> None:
        self.chip.restore()


class HardwareGateBench:
    real, timeout = True, 30.0

    def __init__(self, config: pytest.Config) -> None:
        self.url = config.getoption("--gate-port")
        self.kind = config.getoption("--gate-kind")
        self.channel = config.getoption("--gate-channel")
        self._terminal = config.pluginmanager.getplugin("terminalreporter")

    def _say(self, what: str) -> None:
        self._terminal.write_line(f"\n>>> {what} (within {self.timeout:g} s)")

    def make_relay(self) -> Relay:
        return open_relay(self.kind, self.url, self.channel)

    def is_on(self) -> None:
        return None

    def wait_pulses(self, count: int) -> None:
        self._say(f"The relay should have clicked on and off {count} time(s)")
        return None

    def wait_on(self) -> None:
        return None

    def wait_off(self) -> None:
        return None

    def unplug(self) -> None:
        self._say("Unplug the relay board")

    def replug(self) -> None:
        self._say("Plug the relay board back in")

    def close(self) -> None:
        pass


def make_bench(kind: str, tmp_path) -> Any:
    return {"lcus": LcusBench, "hid": HidBench, "gpio": GpioBench}[kind](tmp_path)
