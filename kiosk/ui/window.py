"""KioskWindow: the one top-level widget; a state machine over the citizen, staff and admin screens.

The composition root calls show_idle / show_reading / show_result / show_device_status / card_lifted (on the
GUI thread, typically from a slot connected to EventBridge.received). A verdict stays at least
`UiSettings.hold_seconds` and, when it came from a card, until `card_lifted()`; then the screen returns to
idle (or paused / unavailable) and the verdict page is wiped. No result can crash it: every field is read
defensively and unknown verdicts or reasons fall back to SEE STAFF and a generic sentence.
States: idle, reading, verdict, unavailable, paused, pin:staff, pin:admin, staff, admin.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QStackedLayout, QVBoxLayout, QWidget

from kiosk.core.outcome import strings
from kiosk.core.outcome.verdicts import Outcome
from kiosk.ui.shared import theme
from kiosk.ui.citizen.screens import IdlePage, NoticePage, VerdictPage
from kiosk.ui.citizen.bar import CitizenBar
from kiosk.ui.shared.services import UiServices
from kiosk.ui.shared.settings import UiSettings
from kiosk.ui.staff.flow import StaffFlow
from kiosk.ui.citizen.voice import Voice

READING_PROMPT_DELAY_MS = 1500  # a fast read goes straight to the verdict prompt without a clipped "checking"


class KioskWindow(QWidget):
    state_changed = Signal(str)
    verdict_shown = Signal(str)  # the outcome, once the verdict page is up

    def __init__(self, settings: UiSettings | None = None, parent: QWidget | None = None,
                 services: UiServices | None = None) -> None:
        super().__init__(parent)
        self.settings = settings or UiSettings()
        self.services = services or UiServices()
        self.setWindowTitle("Kiosk")
        self.setObjectName("kiosk")
        self.resize(*self.settings.screen_size)
        self._state = ""
        self._devices: dict[str, tuple[bool, str]] = {}
        self._card_present = False
        self._hold_elapsed = True
        self._paused = False
        self._exit_allowed = False
        self._cursor_hidden = False
        self._in_lookup = False
        self.last_announcement = ""
        self.voice = Voice(self.settings, self)
        self.voice.audio_changed.connect(lambda ok, detail: self._refresh_staff())
        self._build()
        self.staff = StaffFlow(self, self._stack)
        self.show_idle()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self._stack = QStackedLayout()
        layout.addLayout(self._stack, 1)
        self.idle_page = IdlePage(self.settings, self)
        self.reading_page = NoticePage(self.settings, "reading.card", theme.READING, self)
        self.verdict_page = VerdictPage(self.settings, self)
        self.notice_page = NoticePage(self.settings, "unavailable", theme.UNAVAILABLE, self)
        for page in (self.idle_page, self.reading_page, self.verdict_page, self.notice_page):
            self._stack.addWidget(page)
        self.bar = CitizenBar(self.settings, self)
        self.bar.repeat.clicked.connect(self.voice.repeat)
        self.bar.louder.clicked.connect(self._louder)
        self.bar.staff.clicked.connect(lambda: self.staff.ask_pin("staff"))
        layout.addWidget(self.bar)
        self._hold = QTimer(self)
        self._hold.setSingleShot(True)
        self._hold.timeout.connect(self._on_hold_elapsed)
        self._reading_prompt = QTimer(self)
        self._reading_prompt.setSingleShot(True)
        self._reading_prompt.timeout.connect(lambda: self._state == "reading" and self.voice.say("reading"))
        for keys, action in (("Ctrl+Alt+S", lambda: self.staff.ask_pin("staff")),
                             ("Ctrl+Alt+A", lambda: self.staff.ask_pin("admin")),
                             ("F5", self.voice.repeat)):
            QShortcut(QKeySequence(keys), self, activated=action, context=Qt.ShortcutContext.WindowShortcut)

    # ----------------------------------------------------------------- queries
    def current_state(self) -> str:
        return self._state

    def device_status(self) -> dict[str, tuple[bool, str]]:
        status = dict(self._devices)
        status.setdefault("audio", self.audio_status())
        return status

    def audio_status(self) -> tuple[bool, str]:
        return self.voice.audio_ok, self.voice.audio_detail

    def is_paused(self) -> bool:
        return self._paused

    # ----------------------------------------------------------------- citizen flow
    def show_idle(self) -> None:
        """Back to the resting screen of the moment (idle, or unavailable/paused when that applies)."""
        self._hold.stop()
        self.verdict_page.clear()
        self._hold_elapsed = True
        self.voice.reset_volume()
        if self.staff.mode:
            self._set_state(self.staff.mode)
            self._stack.setCurrentWidget(self.staff.container)
            return
        base = self._resting_state()
        if base == "idle":
            self._show_page(self.idle_page)
        else:
            self.notice_page.set_key(base)
            self._show_page(self.notice_page)
        previous = self._state
        self._set_state(base)
        if base != previous and (base != "idle" or previous in ("", "unavailable", "paused")):
            self.voice.say(base)

    def show_reading(self, source: str) -> None:
        if source == "card":
            self._card_present = True
        self.voice.stop()
        self.voice.reset_volume()
        self.reading_page.set_key("reading.card" if source == "card" else "reading.code")
        self._show_page(self.reading_page)
        self._set_state("reading")
        self._reading_prompt.start(READING_PROMPT_DELAY_MS)

    def show_result(self, result: object, outcome: object) -> None:
        """Show a verdict; any result object is accepted (missing fields are left blank).

        A card check (format ID_CARD) holds until `card_lifted()`. A result that arrives while a staff lookup is
        running is the lookup's own: the staff screen shows it, the citizen screen stays as it is."""
        if self._in_lookup:
            return
        if _text_of(getattr(result, "format", "")) == "ID_CARD":
            self._card_present = True
        self._reading_prompt.stop()
        outcome_name = _outcome_name(outcome)
        holder = getattr(result, "holder", None)
        name_text, id_text = _holder_parts(result, holder)
        self.verdict_page.show_verdict(
            outcome_name, _text_of(getattr(result, "reason", "")), name_text, id_text,
            _text_of(getattr(result, "pass_type", "")))
        self._show_page(self.verdict_page)
        self._hold_elapsed = False
        self._hold.start(int(self.settings.hold_seconds * 1000))
        self._set_state("verdict")
        shown = self.verdict_page.outcome
        self.voice.say(strings.OUTCOME_PROMPTS[shown])
        self._announce(shown)
        self.verdict_shown.emit(shown)

    def card_lifted(self) -> None:
        self._card_present = False
        if (self._state == "verdict" and self._hold_elapsed) or self._state == "reading":
            self.show_idle()

    def show_device_status(self, device: str, ok: bool, detail: str = "") -> None:
        self._devices[_text_of(device)[:40]] = (bool(ok), _text_of(detail)[:200])
        if _text_of(device) == "reader" and not ok:
            self.card_lifted()  # a reader that is gone cannot report the lift
        reader_ok = self._devices.get("reader", (True, ""))[0]
        code_ok = self._devices.get("scanner", (True, ""))[0] or self._devices.get("camera", (True, ""))[0]
        self.idle_page.set_inputs(reader_ok, code_ok)
        if self._state in ("idle", "unavailable", "paused"):
            self.show_idle()
        self._refresh_staff()

    def repeat_prompt(self) -> None:
        self.voice.repeat()

    # ----------------------------------------------------------------- staff-facing
    def set_paused(self, paused: bool) -> None:
        self._paused = bool(paused)
        if self.services.set_paused is not None:
            try:
                self.services.set_paused(self._paused)
            except Exception:  # noqa: BLE001 - the screen still shows paused; the app logs its own failure
                pass
        if not self.staff.mode and self._state in ("idle", "unavailable", "paused"):
            self.show_idle()

    def choose_language(self, language: str) -> None:
        order = (language,) + tuple(lang for lang in self.settings.languages if lang != language)
        self.apply_settings(self.settings.replace(languages=order))

    def apply_settings(self, settings: UiSettings) -> None:
        """New settings at runtime (language order, voice, volume, pixel pitch): re-lay every screen."""
        self.settings = settings
        self.voice.apply_settings(settings)
        for page in (self.idle_page, self.reading_page, self.notice_page, self.verdict_page, self.bar):
            page.retranslate(settings)
        if self.services.settings_changed is not None:
            try:
                self.services.settings_changed(settings)
            except Exception:  # noqa: BLE001 - persisting is the app's job; the screen keeps the new settings
                pass
        self.staff.rebuild()

    def staff_lookup(self, id_number: str) -> object:
        """Staff mode's lookup: the app's callback, with its echo to the citizen screen held back."""
        self._in_lookup = True
        try:
            return self.services.lookup(id_number)
        finally:
            self._in_lookup = False

    def set_services(self, services: UiServices) -> None:
        self.services = services

    def staff_opened(self, mode: str) -> None:
        self.bar.hide()
        self.voice.stop()
        self._set_state(mode)

    def staff_closed(self) -> None:
        self.bar.show()
        self._state = ""
        self.show_idle()

    def _refresh_staff(self) -> None:
        if getattr(self, "staff", None) is not None:
            self.staff.refresh()

    # ----------------------------------------------------------------- kiosk mode
    def show_kiosk(self) -> None:
        """Show as configured: full screen without a cursor in kiosk mode, else a normal window."""
        if self.settings.kiosk_mode:
            self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
            if not self._cursor_hidden:  # override: text fields would otherwise bring back an I-beam
                QApplication.setOverrideCursor(Qt.CursorShape.BlankCursor)
                self._cursor_hidden = True
            self.showFullScreen()
        else:
            self.show()

    def exit_kiosk(self) -> None:
        """Only reachable from the admin panel (after the admin PIN)."""
        self._exit_allowed = True
        if self._cursor_hidden:
            QApplication.restoreOverrideCursor()
            self._cursor_hidden = False
        self._in_lookup = False
        if self.services.exit_requested is not None:
            self.services.exit_requested()
            return
        self.close()
        QApplication.instance().quit()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self.settings.kiosk_mode and not self._exit_allowed:
            event.ignore()
            return
        super().closeEvent(event)

    # ----------------------------------------------------------------- internals
    def _show_page(self, page: QWidget) -> None:
        self._stack.setCurrentWidget(page)
        # the control strip keeps its own dark colour: repainting its buttons on every verdict costs ~4 ms

    def _louder(self) -> None:
        self.voice.louder()
        self.voice.repeat()

    def _announce(self, outcome: str) -> None:
        message = " ".join(self.verdict_page.visible_text()[:1] +
                           [strings.text(f"hint.{outcome}", lang) for lang in self.settings.languages])
        self.verdict_page.setAccessibleName(message)
        self.last_announcement = message
        if QAccessible.isActive():
            QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(self.verdict_page, message))

    def _resting_state(self) -> str:
        if self._paused:
            return "paused"
        ok = {name: state[0] for name, state in self._devices.items()}
        inputs = ok.get("reader", True) or ok.get("scanner", True) or ok.get("camera", True)
        if not inputs or not ok.get("trust", True) or not ok.get("clock", True) or not ok.get("log", True):
            return "unavailable"
        return "idle"

    def _on_hold_elapsed(self) -> None:
        if self._state != "verdict":
            return
        if not self._card_present:
            self.show_idle()
        elif not self._hold_elapsed:
            self._hold_elapsed = True
            self.verdict_page.show_lift_hint()
            self._hold.start(int(max(0.0, self.settings.card_forgotten_seconds - self.settings.hold_seconds) * 1000))
        else:  # a card forgotten on the reader: no personal data stays up indefinitely
            self._card_present = False
            self.show_idle()

    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)


def _holder_parts(result: object, holder: object) -> tuple[str, str]:
    """(name, identifier) for the identity row: masked forms; for a valid international pass, the full name and
    the birth date instead, which the operator must compare with an ID document (issue #5). Shown for the
    verdict's few seconds only, never spoken or logged."""
    name = _text_of(getattr(holder, "name", ""))
    if name and getattr(result, "is_valid", False) is True:
        born = _text_of(getattr(holder, "birth_date", ""))
        return name, f"*{born}" if born else ""
    return _text_of(getattr(holder, "masked_name", "")), _text_of(getattr(holder, "masked_id", ""))


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
