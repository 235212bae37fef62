"""KioskWindow: the one top-level widget; a state machine over the citizen, staff and admin screens.

The composition root calls show_idle / show_reading / show_result / show_device_status / card_lifted (on the
GUI thread, typically from a slot connected to EventBridge.received). A verdict stays at least
`UiSettings.hold_seconds` and, when it came from a card, until `card_lifted()`; then the screen returns to
idle (or paused / unavailable) and the verdict page is wiped. No result can crash it: every field is read
defensively and unknown verdicts or reasons fall back to SEE STAFF and a generic sentence.
"""
from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QStackedLayout, QWidget

from kiosk.core.verdicts import Outcome
from kiosk.ui import theme
from kiosk.ui.citizen import IdlePage, NoticePage, VerdictPage
from kiosk.ui.settings import UiSettings

DEVICES = ("reader", "scanner", "camera", "trust", "clock", "audio")


class KioskWindow(QWidget):
    state_changed = Signal(str)
    verdict_shown = Signal(str)  # the outcome, once the verdict page is up

    def __init__(self, settings: UiSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings or UiSettings()
        self.setWindowTitle("Kiosk")
        self.resize(*self.settings.screen_size)
        self._state = ""
        self._base = "idle"  # where a verdict returns to: idle, unavailable or paused
        self._devices: dict[str, tuple[bool, str]] = {}
        self._card_present = False
        self._hold_elapsed = True
        self._paused = False
        self._stack = QStackedLayout(self)
        self.idle_page = IdlePage(self.settings, self)
        self.reading_page = NoticePage(self.settings, "reading.card", theme.READING, self)
        self.verdict_page = VerdictPage(self.settings, self)
        self.notice_page = NoticePage(self.settings, "unavailable", theme.UNAVAILABLE, self)
        for page in (self.idle_page, self.reading_page, self.verdict_page, self.notice_page):
            self._stack.addWidget(page)
        self._hold = QTimer(self)
        self._hold.setSingleShot(True)
        self._hold.timeout.connect(self._on_hold_elapsed)
        self.show_idle()

    # ----------------------------------------------------------------- queries
    def current_state(self) -> str:
        return self._state

    def device_status(self) -> dict[str, tuple[bool, str]]:
        return dict(self._devices)

    # ----------------------------------------------------------------- citizen flow
    def show_idle(self) -> None:
        """Back to the resting screen of the moment (idle, or unavailable/paused when that applies)."""
        self._hold.stop()
        self.verdict_page.clear()
        self._hold_elapsed = True
        base = self._resting_state()
        if base == "idle":
            self._stack.setCurrentWidget(self.idle_page)
        else:
            self.notice_page.set_key(base)
            self._stack.setCurrentWidget(self.notice_page)
        self._set_state(base)

    def show_reading(self, source: str) -> None:
        if source == "card":
            self._card_present = True
        self.reading_page.set_key("reading.card" if source == "card" else "reading.code")
        self._stack.setCurrentWidget(self.reading_page)
        self._set_state("reading")

    def show_result(self, result: object, outcome: object) -> None:
        """Show a verdict; any result object is accepted (missing fields are left blank)."""
        outcome_name = _outcome_name(outcome)
        holder = getattr(result, "holder", None)
        self.verdict_page.show_verdict(
            outcome_name,
            _text_of(getattr(result, "reason", "")),
            _text_of(getattr(holder, "masked_name", "")),
            _text_of(getattr(holder, "masked_id", "")),
            _text_of(getattr(result, "pass_type", "")),
        )
        if _text_of(getattr(result, "format", "")) == "ID_CARD":
            self._card_present = self._card_present or self._state == "reading"
        self._stack.setCurrentWidget(self.verdict_page)
        self._hold_elapsed = False
        self._hold.start(int(self.settings.hold_seconds * 1000))
        self._set_state("verdict")
        self.verdict_shown.emit(self.verdict_page.outcome)

    def card_lifted(self) -> None:
        self._card_present = False
        if self._state == "verdict" and self._hold_elapsed:
            self.show_idle()
        elif self._state == "reading":
            self.show_idle()

    def show_device_status(self, device: str, ok: bool, detail: str = "") -> None:
        self._devices[str(device)] = (bool(ok), _text_of(detail)[:200])
        reader_ok = self._devices.get("reader", (True, ""))[0]
        code_ok = self._devices.get("scanner", (True, ""))[0] or self._devices.get("camera", (True, ""))[0]
        self.idle_page.set_inputs(reader_ok, code_ok)
        if self._state in ("idle", "unavailable", "paused"):
            self.show_idle()

    # ----------------------------------------------------------------- internals
    def _resting_state(self) -> str:
        if self._paused:
            return "paused"
        ok = {name: state[0] for name, state in self._devices.items()}
        inputs = ok.get("reader", True) or ok.get("scanner", True) or ok.get("camera", True)
        if not inputs or not ok.get("trust", True) or not ok.get("clock", True):
            return "unavailable"
        return "idle"

    def _on_hold_elapsed(self) -> None:
        self._hold_elapsed = True
        if self._state == "verdict" and not self._card_present:
            self.show_idle()

    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)


def _outcome_name(outcome: object) -> str:
    name = _text_of(getattr(outcome, "value", outcome))
    return name if name in {o.value for o in Outcome} else "SEE_STAFF"


def _text_of(value: object) -> str:
    if value is None:
        return ""
    try:
        return str(getattr(value, "value", value))
    except Exception:  # noqa: BLE001 - a field whose __str__ raises must not crash the screen
        return ""
