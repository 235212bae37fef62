"""The gate's part of the composition root (Qt): kiosk/app.py calls `attach_gate(kiosk)` and nothing else.

Kept apart from app.py so that the gate can change without touching the kiosk's main wiring. It installs the
Gatekeeper's guard on the checkpoint (a PASS the gate cannot honour is logged and shown as SEE STAFF), opens the
gate when a PASS has been shown (Kiosk.check_shown), listens to the bridge for the gate's own events (relay
lost / back, tailgating, staff modes) and puts them on the staff screen's device list (and so into
KioskHealth), and offers staff control as a UiServices callback. GUI thread only.
"""
from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal

from drivers.gate.events import GateOpened, GateRefused
from kiosk.core.outcome.verdicts import Outcome, Reason, Verdict
from kiosk.gatekeeper import GATE_EVENTS, Gatekeeper

log = logging.getLogger(__name__)
JOURNAL_NAME = "gate-journal.jsonl"


class GateWiring(QObject):
    # every gate and sensor event, re-emitted on the GUI thread once handled (EventBridge.received is emitted on
    # the device's thread; tests, the demo and the benchmark wait on this one instead)
    event_seen = Signal(object)

    def __init__(self, kiosk: Any, *, hid_module: Any = None, gpiod_module: Any = None) -> None:
        super().__init__(kiosk)
        self.kiosk = kiosk
        self.keeper = Gatekeeper(kiosk.config.gate, kiosk.data.root / JOURNAL_NAME, kiosk.bridge.post,
                                 clock=kiosk.clock, hid_module=hid_module, gpiod_module=gpiod_module)
        self.opened = 0  # GateOpened events seen (the demo's summary line)
        self._last_pass = None
        kiosk.checkpoint.gate_guard = self.keeper.guard
        kiosk.check_shown.connect(self.on_check)
        kiosk.bridge.received.connect(self.on_event)
        kiosk.window.show_device_status("gate", False, "connecting")

    def start(self) -> None:
        self.keeper.start()

    def stop(self) -> None:
        self.keeper.stop()

    def on_check(self, check: Any) -> None:
        """Right after a verdict is shown: PASS opens (the pulse is queued to the gate's thread at once)."""
        if self.keeper.after_check(check.outcome, check.input_kind, check.event):
            self._last_pass = check

    def on_event(self, event: object) -> None:
        if isinstance(event, GateOpened):
            self.opened += 1
        elif isinstance(event, GateRefused) and event.source == "pass" and event.reason != "repeated":
            self._not_honoured(event.reason)
        if isinstance(event, GATE_EVENTS):
            shown = self.keeper.note(event)
            if shown is not None:
                self.kiosk.window.show_device_status(*shown)
            self.event_seen.emit(event)

    def _not_honoured(self, reason: str) -> None:
        """The relay went away between the verdict and the pulse: the person at the gate is told to see staff."""
        check, self._last_pass = self._last_pass, None
        self.keeper.journal.write(self.kiosk.clock(), "pass_not_opened", reason=reason)
        if check is None:
            return
        result = check.result.with_changes(verdict=Verdict.TECHNICAL_ERROR, reason=Reason.GATE_UNAVAILABLE,
                                           detail=f"the gate did not open ({reason})")
        self.kiosk.window.show_result(result, Outcome.SEE_STAFF)

    def control(self, action: str, role: str = "staff") -> str:
        """UiServices.gate: staff's open once / hold open / lock / normal."""
        return self.keeper.staff_action(action, role)


def attach_gate(kiosk: Any, **modules: Any) -> GateWiring | None:
    """The gate wiring when kiosk.toml has a [gate] relay, else None. Not started: call `start()`."""
    if not kiosk.config.gate.relay:
        return None
    return GateWiring(kiosk, **modules)
