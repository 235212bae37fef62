"""The gate's device thread: owns one relay and the GateLogic, reconnects, and keeps the contact fail-closed.

The one small interface the kiosk sees (any thread): `open_for(ms, source, check_id)`, `state`, `fault`; plus the
staff modes (`set_mode`) and `passage()` from the sensor. Commands are queued and applied on the gate's own
thread, which also ends pulses on time and probes the relay a few times a second. The relay is driven off when
the thread connects, after every pulse, on any fault (then closed and reopened) and when the thread stops.
`on_event` is called on the gate's thread.
"""
from __future__ import annotations

import dataclasses
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from drivers.device_thread import DeviceThread
from drivers.gate.events import GateAvailable, GateClosed, GateOpened, GateRefused, GateUnavailable
from drivers.gate.logic import NORMAL, GateLogic
from drivers.gate.relays import Relay, RelayError

log = logging.getLogger(__name__)
PROBE_INTERVAL_S = 0.2


def _release(command: tuple | None) -> None:
    """Wake a caller waiting in open_for(handoff_s=...)."""
    if command is not None and command[0] == "open":
        command[-1].set()


def _written(event: object, at: float) -> object:
    return dataclasses.replace(event, at=at) if isinstance(event, GateOpened) else event


@dataclass(frozen=True)
class GateState:
    available: bool
    relay_on: bool
    mode: str
    fault: str  # why the relay is unavailable; "" when it is fine
    tailgating: int


class GateController(DeviceThread):
    thread_label = "gate"

    def __init__(self, make_relay: Callable[[], Relay], on_event: Callable[[object], None], *, pulse_ms: int = 3000,
                 max_open_ms: int = 8000, name: str = "", retry_interval: float = 0.2,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(name or "relay", on_event)
        self.make_relay = make_relay
        self.retry_interval = retry_interval
        self.clock = clock
        self.logic = GateLogic(pulse_ms / 1000, max_open_ms / 1000)
        self._commands: queue.Queue[tuple] = queue.Queue()
        self._lock = threading.Condition()
        self._state = GateState(False, False, NORMAL, "not connected yet", 0)
        self._announced: bool | None = None

    # ------------------------------------------------------------------ any thread
    def open_for(self, ms: int | None = None, source: str = "pass", check_id: str | None = None,
                 handoff_s: float = 0.0) -> bool:
        """Open now for `ms` (default: the pulse), capped at max_open; a check id opens at most once.

        With `handoff_s`, the caller waits up to that long for the gate thread to have applied the command: a
        blocking wait gives the gate thread the interpreter at once, where a busy GUI thread would otherwise
        keep it for a switch interval (5 ms) or more. Returns True when the command was applied in time."""
        applied = threading.Event()
        self._commands.put(("open", source, check_id, None if ms is None else ms / 1000, applied))
        return applied.wait(handoff_s) if handoff_s > 0 else False

    def set_mode(self, mode: str) -> None:
        """normal | held_open | locked (staff emergency control)."""
        self._commands.put(("mode", mode))

    def passage(self) -> None:
        """The passage sensor saw one person go through."""
        self._commands.put(("passage",))

    @property
    def state(self) -> GateState:
        with self._lock:
            return self._state

    @property
    def fault(self) -> str:
        return self.state.fault

    def wait_available(self, timeout: float) -> bool:
        """Block until the relay is connected (the demo and the benchmark start their scenario then)."""
        with self._lock:
            return self._lock.wait_for(lambda: self._state.available, timeout)

    # ------------------------------------------------------------------ gate thread
    def _run(self) -> None:
        while not self._stop.is_set():
            relay = self.make_relay()
            try:
                relay.open()
                self.logic.connected()
                if self.logic.relay_on:  # open() left it off; staff hold the gate open
                    relay.set(True)
                self._publish("")
                if self._announced is not True:
                    self._announced = True
                    self._emit(GateAvailable(relay.name))
                self._serve(relay)
            except RelayError as exc:
                self._lost(relay, str(exc))
                self._drain_while_down()
            finally:
                relay.close()  # drives the contact off first where the relay still answers
        self.logic.fault()
        self._publish("stopped")

    def _serve(self, relay: Relay) -> None:
        next_probe = self.clock() + PROBE_INTERVAL_S
        while not self._stop.is_set():
            now = self.clock()
            deadline = min(d for d in (self.logic.next_deadline(), next_probe) if d is not None)
            try:
                command = self._commands.get(timeout=max(0.0, deadline - now))
            except queue.Empty:
                command = None
            wanted = self.logic.relay_on
            events = self._apply(command) if command is not None else []
            events += self.logic.tick(self.clock())
            try:
                if self.logic.relay_on != wanted:
                    relay.set(self.logic.relay_on)
                    if self.logic.relay_on:
                        events = [_written(e, time.perf_counter()) for e in events]
            except RelayError:
                for event in events:  # an opening that never reached the contact is a refused one
                    if isinstance(event, GateOpened):
                        self._emit(GateRefused(event.source, "unavailable"))
                raise
            finally:
                _release(command)
            for event in events:
                self._emit(event)
            self._publish("")
            if self.clock() >= next_probe:
                relay.probe()
                next_probe = self.clock() + PROBE_INTERVAL_S
        if self.logic.relay_on:
            relay.set(False)
            self._emit(GateClosed("stop"))

    def _apply(self, command: tuple) -> list:
        now = self.clock()
        if command[0] == "open":
            _, source, check_id, seconds, _applied = command
            return self.logic.open_for(now, source, check_id, seconds)
        if command[0] == "mode":
            return self.logic.set_mode(command[1], now)
        if command[0] == "stop":
            return []
        return self.logic.passage(now)

    def _lost(self, relay: Relay, detail: str) -> None:
        for event in self.logic.fault():
            self._emit(event)
        self._publish(detail)
        if self._announced is not False:
            self._announced = False
            self._emit(GateUnavailable(relay.name, detail))
        log.debug("gate relay %s unavailable: %s", relay.name, detail)

    def _drain_while_down(self) -> None:
        """While the relay is gone: wait before retrying, refusing openings (and counting passages) meanwhile."""
        deadline = self.clock() + self.retry_interval
        while not self._stop.is_set() and (remaining := deadline - self.clock()) > 0:
            try:
                command = self._commands.get(timeout=remaining)
            except queue.Empty:
                return
            for event in self._apply(command):
                self._emit(event)
            _release(command)
            self._publish(self.state.fault)

    def _publish(self, fault: str) -> None:
        logic = self.logic
        with self._lock:
            self._state = GateState(logic.available, logic.relay_on, logic.mode, fault, logic.tailgating)
            self._lock.notify_all()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        self._commands.put(("stop",))  # wake the thread now
        super().stop(timeout)
