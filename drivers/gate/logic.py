"""The gate's decisions, sans-I/O: when the relay goes on and off, what a passage means, what is tailgating.

Why separate: fail-closed rules are easiest to get right, and to test exhaustively, without threads or a clock.
Every method takes `now` (monotonic seconds) and returns what happened as events; `relay_on` is the wanted
relay state after the call, and the controller drives the relay to it. Rules (docs/gate.md):
- only `open_for` opens (a PASS or staff's "open once"); a check id opens at most once;
- a second opening while open extends the pulse, never past `opened_at + max_open`;
- a passage seen by the sensor uses up one allowance and closes the gate when none is left; a passage with no
  allowance is tailgating (except while held open, when passages are free);
- an allowance lasts until the pulse ends plus `passage_grace` (a door opened in time may be walked through late);
- held open keeps the relay on until released; locked refuses every opening; a fault drops everything.
Single-threaded: the controller's thread owns it.
"""
from __future__ import annotations

from collections import deque

from drivers.gate.events import GateClosed, GateModeChanged, GateOpened, GateRefused, Tailgating

NORMAL, HELD_OPEN, LOCKED = "normal", "held_open", "locked"
MODES = (NORMAL, HELD_OPEN, LOCKED)
RECENT_CHECKS = 256


class GateLogic:
    def __init__(self, pulse_s: float, max_open_s: float, passage_grace_s: float | None = None) -> None:
        if not 0 < pulse_s <= max_open_s:
            raise ValueError("need 0 < pulse <= max_open")
        self.pulse_s, self.max_open_s = pulse_s, max_open_s
        self.passage_grace_s = pulse_s if passage_grace_s is None else passage_grace_s
        self.mode = NORMAL
        self.relay_on = False
        self.available = False
        self.opened_at = 0.0
        self.open_until = 0.0
        self.tailgating = 0
        self._allowances: list[float] = []  # expiry time of each person allowed through
        self._recent: deque[str] = deque(maxlen=RECENT_CHECKS)

    # ------------------------------------------------------------------ inputs
    def open_for(self, now: float, source: str = "pass", check_id: str | None = None,
                 seconds: float | None = None) -> list:
        if check_id is not None:
            if check_id in self._recent:
                return [GateRefused(source, "repeated")]
            self._recent.append(check_id)
        if self.mode == LOCKED:
            return [GateRefused(source, "locked")]
        if not self.available:
            return [GateRefused(source, "unavailable")]
        pulse = self.pulse_s if seconds is None else max(0.001, min(seconds, self.max_open_s))
        if self.mode == HELD_OPEN:
            return []
        if not self.relay_on:
            self.relay_on, self.opened_at = True, now
            self.open_until = now + pulse
        else:
            self.open_until = max(self.open_until, min(now + pulse, self.opened_at + self.max_open_s))
        self._allowances.append(self.open_until + self.passage_grace_s)
        return [GateOpened(source, round((self.open_until - now) * 1000))]

    def passage(self, now: float) -> list:
        self._expire(now)
        if self.mode == HELD_OPEN:
            return []
        if not self._allowances:
            self.tailgating += 1
            return [Tailgating(self.tailgating)]
        self._allowances.pop(0)
        if self.relay_on and not self._allowances:
            self.relay_on = False
            return [GateClosed("passed")]
        return []

    def set_mode(self, mode: str, now: float) -> list:
        if mode not in MODES:
            raise ValueError(f"mode is one of {MODES}")
        if mode == self.mode:
            return []
        self.mode = mode
        events: list = [GateModeChanged(mode)]
        self._allowances.clear()
        if mode == HELD_OPEN:
            self.relay_on = self.available
            if self.relay_on:
                events.append(GateOpened("hold", 0))
        elif self.relay_on:
            self.relay_on = False
            events.append(GateClosed("staff"))
        return events

    def tick(self, now: float) -> list:
        self._expire(now)
        if self.relay_on and self.mode == NORMAL and now >= self.open_until:
            self.relay_on = False
            return [GateClosed("timeout")]
        return []

    def connected(self) -> None:
        """The relay answers again: it was driven off; a hold resumes (a lock never needed the relay)."""
        self.available = True
        self.relay_on = self.mode == HELD_OPEN

    def fault(self) -> list:
        was_on = self.relay_on
        self.available = False
        self.relay_on = False
        self._allowances.clear()
        return [GateClosed("fault")] if was_on else []

    # ------------------------------------------------------------------ timing
    def next_deadline(self) -> float | None:
        """When `tick` has something to do (the pulse's end), or None."""
        if self.relay_on and self.mode == NORMAL:
            return self.open_until
        return min(self._allowances) if self._allowances else None

    def _expire(self, now: float) -> None:
        self._allowances = [t for t in self._allowances if t > now]
