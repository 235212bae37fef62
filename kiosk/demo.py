"""`kiosk demo`: the whole kiosk with emulated devices, running a scripted scenario to a printed summary.

The card reader is our SAM emulator on a real pseudo-terminal, read by the real driver; printed codes are PNG
pages decoded by the real camera decoder. The scenario runs on its own thread and waits for each check the
kiosk shows (never sleeps to synchronise); the kiosk itself runs in the GUI thread as in production.
"""
from __future__ import annotations

import queue
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from drivers.camera.decoder import decode_image_file
from drivers.camera.events import CodeSeen
from drivers.gate.emulator import RelayEmulator
from drivers.sam.emulator import ReaderEmulator
from kiosk.app import Check, Kiosk, make_window
from kiosk.config import DeviceConfig, GateConfig, KioskConfig
from kiosk.core.outcome.verdicts import Outcome
from kiosk.datadir import DataDir
from kiosk.demo_data import Step, provision
from kiosk.ui.layout_probe import ScreenRecorder

STEP_TIMEOUT_S = 15.0
HUMAN_PACE_S = 3.0  # in a real window, leave each verdict up long enough for a person to read it


@dataclass(frozen=True)
class StepReport:
    step: Step
    check: Check | None
    gate_pulses: int | None = None  # relay openings during the step (None: no gate in this run)

    @property
    def gate_ok(self) -> bool:
        """The emulated relay opened exactly once for a PASS and never otherwise."""
        return self.gate_pulses is None or self.gate_pulses == (1 if self.step.expected is Outcome.PASS else 0)

    @property
    def ok(self) -> bool:
        return self.check is not None and self.check.outcome is self.step.expected and self.gate_ok


class DemoReports(list):
    """The steps' reports, and whether the emulated gate relay was off when the kiosk had stopped."""

    relay_off_at_end: bool | None = None


def run_demo(data_root: Path | None = None, screenshots: Path | None = None, headless: bool = True,
             screen: tuple[int, int] | None = None) -> list[StepReport]:
    """Run the scenario; with `screen` (W, H) the window is exactly that panel, and with `screenshots` every
    state is saved at exactly W x H together with DIR/layout.json (kiosk.ui.layout_probe.ScreenRecorder)."""
    app = QApplication.instance() or QApplication([])
    work = Path(tempfile.mkdtemp(prefix="kiosk-demo-"))
    data = DataDir(data_root or work / "data")
    steps = provision(data, datetime.now(timezone.utc), work)
    emulator = ReaderEmulator()
    port = emulator.open_pty()
    relay = RelayEmulator()  # the turnstile's LCUS relay board, on its own pty, driven by the real gate driver
    gate = GateConfig(relay=relay.open_pty(), pulse_ms=300 if headless else 2000, max_open_ms=600 if headless
                      else 4000)
    config = KioskConfig(devices=DeviceConfig(reader=port), gate=gate)
    window = _panel_window(config, data, screen)
    kiosk = Kiosk(config, data, window)
    window.set_services(kiosk.services(app.quit))
    checks: queue.Queue[Check] = queue.Queue()
    lifts: queue.Queue[bool] = queue.Queue()
    kiosk.card_lifted.connect(lambda: lifts.put(True))
    recorder = ScreenRecorder(window, screenshots) if screenshots is not None else None
    _record_states(kiosk, window, steps, checks, recorder)
    reports = DemoReports()
    window.show()
    if recorder is not None:
        QTimer.singleShot(0, lambda: recorder.capture("start", window.current_state().value))
    kiosk.start_devices()
    scenario = threading.Thread(target=_play, args=(steps, emulator, relay, kiosk, checks, lifts, reports,
                                                    0.0 if headless else HUMAN_PACE_S), daemon=True)
    QTimer.singleShot(0, scenario.start)
    kiosk.bridge.received.connect(lambda ev: app.quit() if ev is _FINISHED else None)
    app.exec()
    kiosk.stop()
    reports.relay_off_at_end = relay.wait_state(False, timeout=STEP_TIMEOUT_S)
    relay.close()
    emulator.close()
    if recorder is not None:
        _gallery(screenshots, window.settings if screen is not None else None, recorder)
        recorder.write()
        run_demo.layout_problems = recorder.problems
    return reports


def _panel_window(config: KioskConfig, data: DataDir, screen: tuple[int, int] | None):
    window = make_window(config, data, screen)
    if screen is not None:
        window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        window.setFixedSize(*screen)  # full screen on a panel of this size; exactly this size offscreen
        window.move(0, 0)
    return window


def _record_states(kiosk: Kiosk, window, steps: list, checks: queue.Queue, recorder: ScreenRecorder | None) -> None:
    """Every shown check goes to `checks`; with a recorder, every state the citizen sees is captured once its
    layout has settled, named after the scenario step it belongs to (GUI thread)."""
    shown = [0]  # checks shown so far

    def on_state(state: str) -> None:
        if recorder is None or (state == "verdict" and shown[0] >= len(steps)):
            return
        current = shown[0] if state in ("reading", "verdict") else shown[0] - 1
        name = steps[min(current, len(steps) - 1)].name if current >= 0 else "start"
        QTimer.singleShot(0, lambda: recorder.capture(name, state))

    def on_check(check: Check) -> None:  # right after the verdict is shown
        shown[0] += 1
        checks.put(check)

    kiosk.check_shown.connect(on_check)
    window.state_changed.connect(lambda state: state != "verdict" and on_state(state))
    window.verdict_shown.connect(lambda outcome: on_state("verdict"))
    window.lift_hint_shown.connect(lambda: on_state("verdict"))


_FINISHED = object()


def _play(steps: list[Step], emulator: ReaderEmulator, relay: RelayEmulator, kiosk: Kiosk, checks: queue.Queue,
          lifts: queue.Queue, reports: list, pace_s: float) -> None:
    """Scenario thread: act like a citizen, wait for the kiosk's verdict (and, after a PASS, for the gate's
    pulse to end), lift the card, wait until the reader has seen it go (as a person's hand would take longer
    than one poll), next."""
    try:
        kiosk.gate.keeper.controller.wait_available(STEP_TIMEOUT_S)  # a PASS before that would be SEE STAFF
        for step in steps:
            opened_before = relay.ons()
            if step.kind == "card":
                emulator.place(step.card)
            else:
                decoded = decode_image_file(step.code_image)
                kiosk.bridge.post(CodeSeen(decoded.text or ""))
            try:
                check = checks.get(timeout=STEP_TIMEOUT_S)
            except queue.Empty:
                check = None
            if check is not None and check.outcome is Outcome.PASS:
                relay.wait_pulses(opened_before + 1, timeout=STEP_TIMEOUT_S)
            reports.append(StepReport(step, check, relay.ons() - opened_before))
            threading.Event().wait(pace_s)  # pacing for a watching person, not synchronisation
            if step.kind == "card":
                emulator.lift()
                if check is not None:
                    _wait(lifts)
    finally:
        kiosk.bridge.post(_FINISHED)


def _wait(events: queue.Queue) -> None:
    try:
        events.get(timeout=STEP_TIMEOUT_S)
    except queue.Empty:
        pass


def _gallery(out_dir: Path, settings=None, recorder=None) -> None:
    """Every other state (staff, admin, unavailable, ...) in every language, on the same panel."""
    from kiosk.ui.gallery import render_gallery
    render_gallery(out_dir / "gallery", settings=settings, recorder=recorder)


def summary(reports: list[StepReport]) -> str:
    lines = [f"{'step':<24}{'expected':<11}{'shown':<11}{'verdict':<20}{'reason':<26}{'gate':<8}{'ms':>7}"]
    for report in reports:
        c = report.check
        shown, verdict, reason, ms = ("(none)", "-", "timeout", 0.0) if c is None else \
            (str(c.outcome), str(c.result.verdict) + (f"/{c.result.status}" if c.result.status else ""),
             str(c.result.reason), c.latency_ms)
        mark = "ok" if report.ok else "WRONG"
        gate = "-" if report.gate_pulses is None else "opened" if report.gate_pulses == 1 else \
            "shut" if report.gate_pulses == 0 else f"{report.gate_pulses}x"
        lines.append(f"{report.step.name:<24}{report.step.expected:<11}{shown:<11}{verdict:<20}{reason:<26}"
                     f"{gate:<8}{ms:7.1f}  {mark}")
    good = sum(r.ok for r in reports)
    lines.append(f"{good}/{len(reports)} steps showed the expected outcome")
    pulses = [r for r in reports if r.gate_pulses is not None]
    if pulses:
        passes = sum(r.step.expected is Outcome.PASS for r in pulses)
        opened = sum(r.gate_pulses for r in pulses)
        off = getattr(reports, "relay_off_at_end", None)
        lines.append(f"gate: the relay opened {opened} time(s) for {passes} PASS step(s), "
                     f"{'never' if all(r.gate_ok for r in pulses) else 'WRONGLY'} for the others; "
                     f"relay {'off' if off else 'NOT off' if off is False else 'state unknown'} at the end")
    return "\n".join(lines)
