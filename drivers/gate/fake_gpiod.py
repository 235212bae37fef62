"""An emulator of the `gpiod` (libgpiod v2) module's request interface, with chips whose lines can be watched.

Why: no GPIO chip (nor the gpio-sim configfs) exists where the tests run, so the GpioRelay and PassageSensor
drivers run against this stand-in for `gpiod.request_lines` and its LineRequest (`set_value`, `get_value`,
`wait_edge_events`, `read_edge_events`, `release`). The settings, values and edge types are the real gpiod
classes when the package is installed, so the drivers build exactly what they would build on hardware.
`GpioChip.edge(line)` makes an input line see a rising edge (a person passing the sensor). Thread-safe.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import gpiod as _gpiod


class GpioChip:
    def __init__(self, path: str = "/dev/gpiochip0", lines: int = 32) -> None:
        self.path, self.lines = path, lines
        self.values: dict[int, Any] = {}
        self.history: list[tuple[int, Any, float]] = []  # (offset, value, perf_counter) of every output write
        self.present = True
        self.requested: set[int] = set()
        self._edges: list[tuple[int, int]] = []  # (offset, seqno)
        self._cond = threading.Condition()

    def edge(self, offset: int) -> None:
        with self._cond:
            self._edges.append((offset, len(self._edges) + 1))
            self._cond.notify_all()

    def remove(self) -> None:
        with self._cond:
            self.present = False
            self.values.clear()
            self._cond.notify_all()

    def restore(self) -> None:
        with self._cond:
            self.present = True
            self.requested.clear()

    def is_active(self, offset: int) -> bool:
        with self._cond:
            return self.values.get(offset) == _gpiod.line.Value.ACTIVE


class FakeGpiod:
    """Use where the `gpiod` module would be."""

    LineSettings = _gpiod.LineSettings
    line = _gpiod.line
    EdgeEvent = _gpiod.EdgeEvent

    def __init__(self, chips: list[GpioChip]) -> None:
        self.chips = {chip.path: chip for chip in chips}

    def request_lines(self, path: str, config: dict, consumer: str | None = None, **_: Any) -> _Request:
        chip = self.chips.get(path)
        if chip is None or not chip.present:
            raise FileNotFoundError(2, "No such file or directory", path)
        offsets = [o for key in config for o in (key if isinstance(key, tuple) else (key,))]
        with chip._cond:
            for offset in offsets:
                if not isinstance(offset, int) or not 0 <= offset < chip.lines:
                    raise ValueError(f"line {offset!r} not found")
                if offset in chip.requested:
                    raise OSError(16, "Device or resource busy")
            chip.requested.update(offsets)
            for key, settings in config.items():
                if settings is not None and settings.direction == _gpiod.line.Direction.OUTPUT:
                    chip.values[key] = settings.output_value
        return _Request(chip, offsets)


@dataclass
class _Request:
    chip: GpioChip
    offsets: list[int]
    released: bool = False
    seen: int = 0

    def _check(self) -> None:
        if self.released:
            raise _gpiod.RequestReleasedError()
        if not self.chip.present:
            raise OSError(19, "No such device")

    def set_value(self, line: int, value: Any) -> None:
        with self.chip._cond:
            self._check()
            self.chip.values[line] = value
            self.chip.history.append((line, value, time.perf_counter()))

    def get_value(self, line: int) -> Any:
        with self.chip._cond:
            self._check()
            return self.chip.values.get(line, _gpiod.line.Value.INACTIVE)

    def wait_edge_events(self, timeout: timedelta | float | None = None) -> bool:
        seconds = timeout.total_seconds() if isinstance(timeout, timedelta) else timeout
        with self.chip._cond:
            self._check()
            return self.chip._cond.wait_for(lambda: self._pending() or not self.chip.present, seconds) \
                and self.chip.present

    def _pending(self) -> bool:
        return any(seq > self.seen and off in self.offsets for off, seq in self.chip._edges)

    def read_edge_events(self, max_events: int | None = None) -> list:
        with self.chip._cond:
            self._check()
            fresh = [(off, seq) for off, seq in self.chip._edges if seq > self.seen and off in self.offsets]
            fresh = fresh[:max_events] if max_events else fresh
            if fresh:
                self.seen = fresh[-1][1]
            return [_gpiod.EdgeEvent(_gpiod.EdgeEvent.Type.RISING_EDGE.value, time.monotonic_ns(), off, seq, seq)
                    for off, seq in fresh]

    def release(self) -> None:
        with self.chip._cond:
            if not self.released:
                self.released = True
                self.chip.requested.difference_update(self.offsets)
