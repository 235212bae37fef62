"""render_gallery: every citizen, staff and admin state in every language, saved as PNGs for human review.

Used by `kiosk demo --headless --screenshots DIR`. Builds one KioskWindow per language (primary language first,
the others after it), drives it through each state with sample data (masked identities only) and grabs it.
Needs a QApplication (offscreen or a real display such as Xvfb); creates one if there is none. GUI thread.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from PySide6.QtWidgets import QApplication

from kiosk.core.checks.health import DataAge, DeviceHealth, KioskHealth, SyncHealth
from kiosk.core.outcome.result import HolderView, VerificationResult
from kiosk.core.outcome.strings import LANGUAGES
from kiosk.core.outcome.verdicts import Outcome, Reason, Status, Verdict
from kiosk.ui.shared.services import UiServices
from kiosk.ui.shared.settings import DEFAULT_ADMIN_PIN, DEFAULT_STAFF_PIN, UiSettings
from kiosk.ui.layout_probe import measure, settle
from kiosk.ui.window import KioskWindow

SAMPLE_NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
SAMPLE_ID = "11010519491231002X"


def sample_result(outcome: str) -> VerificationResult:
    holder = HolderView("张*", "110105********002X", "1949-12-31")
    if outcome == "PASS":
        return VerificationResult(Verdict.VALID, Reason.OK, "KP1", status=Status.GREEN, pass_type="KP1",
                                  holder=holder)
    if outcome == "STOP":
        return VerificationResult(Verdict.EXPIRED, Reason.PASS_EXPIRED, "KP1", pass_type="KP1", holder=holder)
    return VerificationResult(Verdict.NOT_FOUND, Reason.ID_NOT_IN_STATUS_LIST, "ID_CARD", holder=holder)


def sample_card(status: str) -> VerificationResult:
    return VerificationResult(Verdict.VALID, Reason.OK, "ID_CARD", status=Status(status), pass_type="resident",
                              holder=HolderView("李*", "440106********0032"))


def sample_services() -> UiServices:
    health = KioskHealth(
        now=SAMPLE_NOW, kiosk_id="gate-7",
        devices=(DeviceHealth("reader", True, "/dev/ttyUSB0 SAM ok"), DeviceHealth("scanner", True, "loop://"),
                 DeviceHealth("camera", False, "no camera at /dev/video0")),
        data=(DataAge("trust bundle", SAMPLE_NOW - timedelta(hours=5), timedelta(days=7), "v42"),
              DataAge("status list", SAMPLE_NOW - timedelta(days=2), timedelta(days=1), "v311")),
        sync=SyncHealth(log_entries=1520, log_bytes=412_000, pending=12,
                        last_sync_at=SAMPLE_NOW - timedelta(minutes=35), last_sync_ok=True, last_sync_message="200"))
    return UiServices(lookup=lambda _id: sample_result("PASS"), counts=lambda: {"PASS": 120, "STOP": 3, "SEE_STAFF": 7},
                      health=lambda: health, sync_now=lambda: "sync started", export_to=lambda p: f"exported to {p}")


def states(win: KioskWindow) -> list[tuple[str, Callable[[], None]]]:
    def pin(role: str, typed: str = "") -> Callable[[], None]:
        def go() -> None:
            win.staff.ask_pin(role)
            for key in typed:
                win.staff.page.keypad.press(key)
        return go

    def staff_lookup(typed: str, submit: bool) -> Callable[[], None]:
        def go() -> None:
            pin("staff", DEFAULT_STAFF_PIN)()
            win.staff.page.keypad.submitted.emit(DEFAULT_STAFF_PIN)
            for key in typed:
                win.staff.page.keypad.press(key)
            if submit:
                win.staff.page.lookup(typed)
        return go

    def admin() -> None:
        pin("admin", DEFAULT_ADMIN_PIN)()
        win.staff.page.keypad.submitted.emit(DEFAULT_ADMIN_PIN)

    return [
        ("idle", win.show_idle),
        ("reading-card", lambda: win.show_reading("card")),
        ("reading-code", lambda: win.show_reading("code")),
        ("verdict-pass", lambda: win.show_result(sample_result("PASS"), Outcome.PASS)),
        ("verdict-stop", lambda: win.show_result(sample_result("STOP"), Outcome.STOP)),
        ("verdict-see-staff", lambda: win.show_result(sample_result("SEE_STAFF"), Outcome.SEE_STAFF)),
        ("verdict-red-lift-hint", lambda: (win.show_result(sample_card("red"), Outcome.STOP),
                                           win.verdict_page.show_lift_hint())),
        ("reader-gone", lambda: (win.show_idle(), win.show_device_status("reader", False, "unplugged"))),
        ("help-called", lambda: (win.show_device_status("reader", True), win.call_staff())),
        ("unavailable", lambda: (win.show_idle(), win.show_device_status("trust", False, "bundle expired 2 d ago"))),
        ("paused", lambda: (win.show_device_status("trust", True), win.set_paused(True), win.show_idle())),
        ("staff-pin", lambda: (win.answer_help(), win.set_paused(False), pin("staff", "12")())),
        ("staff-lookup-typing", staff_lookup(SAMPLE_ID[:12], False)),
        ("staff-lookup-bad-check", staff_lookup(SAMPLE_ID[:17] + "5", False)),
        ("staff-lookup-result", staff_lookup(SAMPLE_ID, True)),
        ("admin-pin", pin("admin")),
        ("admin-panel", admin),
    ]


def render_gallery(out_dir: Path, languages: tuple[str, ...] | list[str] = LANGUAGES,
                   settings: UiSettings | None = None, recorder=None) -> list[Path]:
    """Save `<language>/<nn>-<state>.png` for every state; returns the paths written. With `settings` for a panel
    the window is exactly that size; a `recorder` (layout_probe.ScreenRecorder) also records each state's layout."""
    app = QApplication.instance() or QApplication([])
    out_dir = Path(out_dir)
    written: list[Path] = []
    base = settings or UiSettings()
    for language in languages:
        order = (language,) + tuple(lang for lang in base.languages if lang != language)
        win = KioskWindow(base.replace(languages=order, voice_enabled=False, hold_seconds=3600),
                          services=sample_services())
        win.setFixedSize(*win.settings.screen_size)
        win.show()
        folder = out_dir / language
        folder.mkdir(parents=True, exist_ok=True)
        for index, (name, action) in enumerate(states(win)):
            if win.staff.mode:
                win.staff.close()
            action()
            settle(win)
            path = folder / f"{index:02d}-{name}.png"
            win.grab().save(str(path), "PNG", 80)  # light compression: 10x faster, still small
            written.append(path)
            if recorder is not None:
                recorder.entries.extend(_entries(f"gallery:{language}:{name}", win.current_state().value, win,
                                                 recorder))
        if win.staff.mode:
            win.staff.close()
        win.close()
        win.deleteLater()
        app.processEvents()
    return written


def _entries(step: str, state: str, win: KioskWindow, recorder) -> list[dict]:
    entries = []
    for element in measure(win):
        ok = element.visible and not element.clipped
        entries.append({"step": step, "state": state, "element": element.element, "text": element.text,
                        "x": element.x, "y": element.y, "w": element.w, "h": element.h, "visible": ok})
        if not ok:
            recorder.problems.append((step, state, element))
    return entries
