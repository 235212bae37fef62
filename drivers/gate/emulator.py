"""An LCUS USB-serial relay board in software, on a pty or a socket: it switches its channels as commanded.

Why: the gate path (kiosk, demo, benchmark, contract tests) runs without a board. The emulator decodes the
frames the host writes (drivers/gate/lcus.py), keeps each channel's state, remembers every switch with the
monotonic time its last byte arrived (the benchmark's "on the wire" moment), and can be unplugged and
replugged like the other emulators. Like a real board it answers nothing. Methods may be called from any
thread; host bytes are handled on the link's thread.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from drivers.emulation import Link, OnTheCable
from drivers.gate.lcus import MAX_CHANNEL, LcusDecoder, LcusFault, RelayCommand


@dataclass(frozen=True)
class Switch:
    channel: int
    on: bool
    at: float  # time.perf_counter() when the frame had arrived


class RelayEmulator(OnTheCable):
    def __init__(self, channels: int = 1) -> None:
        if not 1 <= channels <= MAX_CHANNEL:
            raise ValueError(f"an LCUS board has 1..{MAX_CHANNEL} channels")
        self.channels = channels
        self.switches: list[Switch] = []
        self.faults: list[LcusFault] = []
        self._state = {ch: False for ch in range(1, channels + 1)}
        self._decoder = LcusDecoder()
        self._changed = threading.Condition()
        self._powered = True  # unplugged, the board switches nothing, even a frame already on its way
        self.on_switch = None  # optional callable(Switch), called on the link's thread (the CLI prints them)
        self._link = Link(self._on_bytes, name="relay-emulator")

    def _on_bytes(self, data: bytes) -> None:
        at = time.perf_counter()
        for item in self._decoder.feed(data):
            with self._changed:
                if not self._powered:
                    switch = None  # the frame reached a board without power (unplugged meanwhile)
                elif isinstance(item, RelayCommand) and item.channel in self._state:
                    self._state[item.channel] = item.on
                    switch = Switch(item.channel, item.on, at)
                    self.switches.append(switch)
                elif isinstance(item, LcusFault):
                    self.faults.append(item)
                    switch = None
                else:
                    switch = None  # a channel this board does not have: ignored, as a real board does
                self._changed.notify_all()
            if switch is not None and self.on_switch is not None:
                self.on_switch(switch)

    def is_on(self, channel: int = 1) -> bool:
        with self._changed:
            return self._state[channel]

    def ons(self, channel: int = 1) -> int:
        """How many times `channel` was switched on."""
        with self._changed:
            return sum(1 for s in self.switches if s.channel == channel and s.on)

    def wait_switches(self, count: int, timeout: float = 3.0) -> bool:
        """Block until at least `count` switch frames have arrived (tests synchronise on it)."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self.switches) >= count, timeout)

    def wait_pulses(self, count: int, channel: int = 1, timeout: float = 3.0) -> bool:
        """Block until `channel` has been switched on `count` times and is off again."""
        with self._changed:
            return self._changed.wait_for(lambda: sum(1 for s in self.switches if s.channel == channel and s.on)
                                          >= count and not self._state[channel], timeout)

    def wait_state(self, on: bool, channel: int = 1, timeout: float = 3.0) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self._state[channel] == on, timeout)

    def unplug(self) -> None:
        """The board loses power with the cable: its relays fall off, and a frame that was already on its way
        (read by the link's thread before the cable went) switches nothing."""
        with self._changed:
            self._powered = False
            for ch in self._state:
                self._state[ch] = False
            self._changed.notify_all()
        self._link.unplug()

    def replug(self) -> str:
        with self._changed:
            self._powered = True
        return self._link.replug()
