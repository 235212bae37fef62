"""The gatekeeper: what the kiosk does with its gate output. Qt-free; the GUI thread calls it.

It builds the gate's device threads from `[gate]` (one GateController for the relay, one PassageSensor when a
sensor is configured), opens the gate for a shown PASS (once per logged check; never for a staff lookup), turns
a PASS the gate cannot honour (relay lost, staff lock) into SEE STAFF before it is logged (`guard`, installed
on the Checkpoint), carries out staff's "open once" / "hold open" / "lock" / "normal" with the staff role in the
gate journal, journals tailgating and relay faults, and gives the health snapshot (KioskHealth.gate).
kiosk/gate_wiring.py moves Qt events in and status out.
"""
from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from drivers.gate.controller import GateController
from drivers.gate.events import (GateAvailable, GateClosed, GateModeChanged, GateOpened, GateRefused,
                                 GateUnavailable, PassageSeen, SensorAvailable, SensorUnavailable, Tailgating)
from drivers.gate.logic import HELD_OPEN, LOCKED, NORMAL
from drivers.gate.relays import open_relay
from drivers.gate.sensor import PassageSensor
from kiosk.config import GateConfig
from kiosk.core.checks.health import GateHealth
from kiosk.core.outcome.result import VerificationResult
from kiosk.core.outcome.verdicts import Outcome, Reason, Verdict

log = logging.getLogger(__name__)
GATE_EVENTS = (GateAvailable, GateUnavailable, GateOpened, GateClosed, GateRefused, GateModeChanged, Tailgating,
               SensorAvailable, SensorUnavailable)
STAFF_ACTIONS = {"open_once": None, "hold_open": HELD_OPEN, "lock": LOCKED, "normal": NORMAL}
OPENING_INPUTS = ("card", "code")  # a staff lookup ("manual") never opens the gate by itself
JOURNAL_MAX_BYTES = 4 * 1024 * 1024
HANDOFF_S = 0.02  # the GUI thread waits at most this long for the gate thread to have switched the relay


class GateJournal:
    """Append-only JSON lines of gate actions (staff role, mode, tailgating, faults): no personal data, ever.
    Each line is flushed and fsynced; past JOURNAL_MAX_BYTES the file rolls over to `.1` (one generation)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def write(self, now: datetime, kind: str, **fields: Any) -> dict:
        entry = {"utc": now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "kind": kind, **fields}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists() and self.path.stat().st_size > JOURNAL_MAX_BYTES:
                os.replace(self.path, self.path.with_name(self.path.name + ".1"))
            with open(self.path, "a", encoding="utf-8") as out:
                out.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:  # a full disk must not stop the gate; the event log's own alarm covers the disk
            log.error("gate journal not written (%s): %s", exc, entry)
        return entry

    def entries(self) -> list[dict]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return []
        return [json.loads(line) for line in lines if line.strip()]


class Gatekeeper:
    def __init__(self, config: GateConfig, journal_path: Path, post: Callable[[object], None], *,
                 clock: Callable[[], datetime], hid_module: Any = None, gpiod_module: Any = None) -> None:
        self.config, self.clock = config, clock
        self.journal = GateJournal(journal_path)
        self.controller = GateController(
            lambda: open_relay(config.kind, config.relay, config.channel, baudrate=config.baud,
                               hid_module=hid_module, gpiod_module=gpiod_module),
            post, pulse_ms=config.pulse_ms, max_open_ms=config.max_open_ms, name=config.relay)
        self.sensor: PassageSensor | None = None
        if config.sensor:
            self.sensor = PassageSensor(config.sensor, self._on_sensor(post), gpiod_module=gpiod_module)
        self.opened_for = 0  # PASS checks the gate was asked to open for
        self.last_action = ""
        self.sensor_ok: bool | None = None if self.sensor is None else False

    def _on_sensor(self, post: Callable[[object], None]) -> Callable[[object], None]:
        def on_event(event: object) -> None:  # sensor thread: a passage goes straight to the gate's queue
            if isinstance(event, PassageSeen):
                self.controller.passage()
            else:
                post(event)
        return on_event

    def start(self) -> None:
        self.controller.start()
        if self.sensor is not None:
            self.sensor.start()

    def stop(self) -> None:
        if self.sensor is not None:
            self.sensor.stop()
        self.controller.stop()  # the relay is driven off on the way out

    # -- checks --------------------------------------------------------------------------------------------
    def guard(self, result: VerificationResult) -> VerificationResult:
        """Installed as Checkpoint.gate_guard: a PASS the gate cannot honour becomes SEE STAFF (and is logged so)."""
        state = self.controller.state
        if state.mode == LOCKED:
            detail = "the gate is locked by staff"
        elif not state.available:
            detail = f"the gate relay is unavailable: {state.fault}"
        else:
            return result
        return result.with_changes(verdict=Verdict.TECHNICAL_ERROR, reason=Reason.GATE_UNAVAILABLE, detail=detail)

    def after_check(self, outcome: Outcome, input_kind: str, event: dict | None) -> bool:
        """A check has been shown: PASS by card or code opens the gate, once per logged check."""
        if outcome is not Outcome.PASS or input_kind not in OPENING_INPUTS or event is None:
            return False
        self.opened_for += 1
        self.controller.open_for(source="pass", check_id=str(event.get("event_id") or id(event)),
                                 handoff_s=HANDOFF_S)
        return True

    # -- staff ---------------------------------------------------------------------------------------------
    def staff_action(self, action: str, role: str) -> str:
        """open_once | hold_open | lock | normal, by `role` (staff/admin); journaled. Returns the key of the words
        for the screen (kiosk/core/outcome/gate_words.py): gate.done.ACTION or gate.refused.locked/unavailable."""
        if action not in STAFF_ACTIONS:
            raise ValueError(f"gate action is one of {', '.join(STAFF_ACTIONS)}")
        state = self.controller.state
        self.journal.write(self.clock(), f"staff_{action}", role=role, relay_ok=state.available, mode=state.mode)
        self.last_action = f"{action} by {role} at {self.clock().astimezone(timezone.utc):%H:%M}Z"
        if action == "open_once":
            if state.mode == LOCKED:
                return "gate.refused.locked"
            if not state.available:
                return "gate.refused.unavailable"
            self.controller.open_for(source="staff")
        else:
            self.controller.set_mode(STAFF_ACTIONS[action])
        return f"gate.done.{action}"

    # -- device events (GUI thread) ------------------------------------------------------------------------
    def note(self, event: object) -> tuple[str, bool, str] | None:
        """Journal what must be kept and say what staff should see: (device, ok, detail) or None."""
        now = self.clock()
        if isinstance(event, Tailgating):
            self.journal.write(now, "tailgating", count=event.count)
            return "gate", self.controller.state.available, f"tailgating seen ({event.count} since start)"
        if isinstance(event, GateUnavailable):
            self.journal.write(now, "relay_lost", reason=event.reason[:200])
            return "gate", False, event.reason
        if isinstance(event, GateAvailable):
            self.journal.write(now, "relay_ok")
            return "gate", True, self._mode_detail()
        if isinstance(event, GateModeChanged):
            self.journal.write(now, "mode", mode=event.mode)
            state = self.controller.state
            return "gate", state.available, self._mode_detail(event.mode)
        if isinstance(event, (SensorAvailable, SensorUnavailable)):
            self.sensor_ok = isinstance(event, SensorAvailable)
            if not self.sensor_ok:
                self.journal.write(now, "sensor_lost", reason=event.reason[:200])
            return "gate sensor", self.sensor_ok, getattr(event, "reason", "")
        return None

    def _mode_detail(self, mode: str | None = None) -> str:
        mode = mode or self.controller.state.mode
        return "" if mode == NORMAL else {HELD_OPEN: "HELD OPEN by staff", LOCKED: "LOCKED by staff"}[mode]

    def health(self) -> GateHealth:
        state = self.controller.state
        return GateHealth(relay_ok=state.available, mode=state.mode, open=state.relay_on,
                          tailgating=state.tailgating, sensor_ok=self.sensor_ok,
                          detail=state.fault or self.last_action)
