"""KioskWindow: the one top-level widget; a state machine over the citizen, staff and admin screens.

The composition root calls show_idle / show_reading / show_result / show_device_status / card_lifted (on the
GUI thread, typically from a slot connected to EventBridge.received). `show_result` takes a typed VerdictView
(kiosk.core.outcome.view), or a VerificationResult and its Outcome from which it builds one; the screen, the
announcement and the voice all read that one view. The window keeps its panel size: pages are fitted to it
and the control strip is pinned below them, so nothing can grow the window or push the strip off the screen.
A verdict stays at least `UiSettings.hold_seconds` and, when it came from a card, until `card_lifted()`; then
the screen returns to idle (or paused / unavailable) and the verdict page is wiped. No result can crash it:
unknown verdicts or reasons fall back to SEE STAFF and a generic sentence. States: `ScreenState`.
The staff door is not a citizen button: Ctrl+Alt+S / Ctrl+Alt+A, or a long press in the top-left corner. The
strip's "call staff" raises a help request: a chime and a sentence here, a banner on the staff screen, and
`help_requested()` for the heartbeat (through UiServices.help_changed).
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QLayout, QStackedLayout, QVBoxLayout, QWidget

from kiosk.core.outcome import strings
from kiosk.core.outcome.view import VerdictView, verdict_view
from kiosk.ui.shared.state import ScreenState
from kiosk.ui.shared import theme
from kiosk.ui.citizen.screens import IdlePage, NoticePage, VerdictPage
from kiosk.ui.citizen.bar import CitizenBar
from kiosk.ui.shared.services import UiServices
from kiosk.ui.shared.settings import UiSettings
from kiosk.ui.staff.flow import StaffFlow
from kiosk.ui.citizen.voice import Voice

READING_PROMPT_DELAY_MS = 1500  # a fast read goes straight to the verdict prompt without a clipped "checking"


class KioskWindow(QWidget):
    state_changed = Signal(str)  # a ScreenState
    verdict_shown = Signal(str)  # the outcome, once the verdict page is up
    lift_hint_shown = Signal()  # the hold is over and the card is still there
    help_changed = Signal(bool)  # a citizen called staff (True) / staff answered (False)

    def __init__(self, settings: UiSettings | None = None, parent: QWidget | None = None,
                 services: UiServices | None = None) -> None:
        super().__init__(parent)
        self.settings = settings or UiSettings()
        self.services = services or UiServices()
        self.setWindowTitle("Kiosk")
        self.setObjectName("kiosk")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # holds the focus at rest: no ring on a strip button
        self.resize(*self.settings.screen_size)
        self._state = ScreenState.NONE
        self._devices: dict[str, tuple[bool, str]] = {}
        self._card_present = False
        self._hold_elapsed = True
        self._paused = False
        self._exit_allowed = False
        self._cursor_hidden = False
        self._in_lookup = False
        self._help = False
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
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)  # the window never grows to its pages
        self._stack = QStackedLayout()
        layout.addLayout(self._stack, 1)
        self.idle_page = IdlePage(self.settings, self)
        self.reading_page = NoticePage(self.settings, "reading.card", theme.READING, self)
        self.verdict_page = VerdictPage(self.settings, self)
        self.notice_page = NoticePage(self.settings, "unavailable", theme.UNAVAILABLE, self)
        for page in self.citizen_pages():
            page.area_provider = self.page_area
            page.installEventFilter(self)
            self._stack.addWidget(page)
        self.bar = CitizenBar(self.settings, self)
        self.bar.repeat.clicked.connect(self.voice.repeat)
        self.bar.louder.clicked.connect(self._louder)
        self.bar.language.clicked.connect(self.voice.say_other_languages)
        self.bar.call_staff.clicked.connect(self.call_staff)
        layout.addWidget(self.bar)
        self._hold = QTimer(self)
        self._hold.setSingleShot(True)
        self._hold.timeout.connect(self._on_hold_elapsed)
        self._reading_prompt = QTimer(self)
        self._reading_prompt.setSingleShot(True)
        self._reading_prompt.timeout.connect(lambda: self._state == "reading" and self.voice.say("reading"))
        self._door = QTimer(self)  # the staff door: a long press in the top-left corner
        self._door.setSingleShot(True)
        self._door.timeout.connect(lambda: self.staff.ask_pin("staff"))
        for keys, action in (("Ctrl+Alt+S", lambda: self.staff.ask_pin("staff")),
                             ("Ctrl+Alt+A", lambda: self.staff.ask_pin("admin")),
                             ("F5", self.voice.repeat)):
            QShortcut(QKeySequence(keys), self, activated=action, context=Qt.ShortcutContext.WindowShortcut)

    def citizen_pages(self) -> tuple:
        return (self.idle_page, self.reading_page, self.verdict_page, self.notice_page)

    def page_area(self) -> tuple[int, int]:
        """The size every page of the stack gets: the window less the pinned strip."""
        strip = self.bar.height() if self.bar.isVisibleTo(self) else 0
        return self.width(), self.height() - strip

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        for page in self.citizen_pages():
            page.refit()

    def staff_door_rect(self) -> QRect:
        side = self.settings.mm_to_px(max(self.settings.target_mm, 9.53)) * 2
        return QRect(0, 0, side, side)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """A press held in the top-left corner of a citizen page opens the staff PIN; a tap there does nothing."""
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and watched in self.citizen_pages():
            if self.staff_door_rect().contains(event.position().toPoint()):
                self._door.start(int(self.settings.staff_press_seconds * 1000))
        elif kind in (QEvent.Type.MouseButtonRelease, QEvent.Type.Leave):
            self._door.stop()
        return False

    # ----------------------------------------------------------------- queries
    def current_state(self) -> ScreenState:
        return self._state

    def device_status(self) -> dict[str, tuple[bool, str]]:
        status = dict(self._devices)
        status.setdefault("audio", self.audio_status())
        return status

    def audio_status(self) -> tuple[bool, str]:
        return self.voice.audio_ok, self.voice.audio_detail

    def is_paused(self) -> bool:
        return self._paused

    def help_requested(self) -> bool:
        """A citizen pressed "call staff" and no staff member has answered yet (for the heartbeat)."""
        return self._help

    # ----------------------------------------------------------------- citizen flow
    def show_idle(self) -> None:
        """Back to the resting screen of the moment (idle, or unavailable/paused when that applies)."""
        self._hold.stop()
        self.verdict_page.clear()
        self._hold_elapsed = True
        self.voice.reset_volume()
        self.bar.show_volume_step(self.voice.volume_step())
        if self.staff.mode:
            self._set_state(ScreenState(self.staff.mode))
            self._stack.setCurrentWidget(self.staff.container)
            return
        base = self._resting_state()
        if self.focusWidget() in self.bar.buttons() or self.focusWidget() is None:
            self.setFocus()
        if base is ScreenState.IDLE:
            self._show_page(self.idle_page)
        else:
            self.notice_page.set_key(base.value)
            self._show_page(self.notice_page)
        previous = self._state
        self._set_state(base)
        if base != previous and (base is not ScreenState.IDLE or previous in (
                ScreenState.NONE, ScreenState.UNAVAILABLE, ScreenState.PAUSED)):
            self.voice.say(base.value)

    def show_reading(self, source: str) -> None:
        if source == "card":
            self._card_present = True
        self.voice.stop()
        self.voice.reset_volume()
        self.reading_page.set_key("reading.card" if source == "card" else "reading.code")
        self._show_page(self.reading_page)
        self._set_state(ScreenState.READING)
        self._reading_prompt.start(READING_PROMPT_DELAY_MS)

    def show_result(self, view: VerdictView | object, outcome: object = None) -> None:
        """Show a verdict: a VerdictView, or a result and its outcome (anything odd becomes SEE STAFF).

        A card check holds until `card_lifted()`. A result that arrives while a staff lookup is running is the
        lookup's own: the staff screen shows it, the citizen screen stays as it is."""
        if self._in_lookup:
            return
        if not isinstance(view, VerdictView):
            view = verdict_view(view, outcome)
        if view.from_card:
            self._card_present = True
        self._reading_prompt.stop()
        self.verdict_page.show_verdict(view)
        self._show_page(self.verdict_page)
        self._hold_elapsed = False
        self._hold.start(int(self.settings.hold_seconds * 1000))
        self._set_state(ScreenState.VERDICT)
        self.voice.say(view.prompt)
        self._announce(view)
        self.verdict_shown.emit(view.outcome.value)

    def call_staff(self) -> None:
        """The strip's "call staff": a chime and a spoken confirmation here, a banner on the staff screen and a
        flag in the heartbeat until a staff member answers (`answer_help`)."""
        self.voice.alert()
        self.call_staff_label()
        self._set_help(True)

    def call_staff_label(self) -> None:
        lang = self.settings.primary_language
        self.bar.call_staff.set_label(strings.text("control.called", lang), lang)
        self.bar.call_staff.setAccessibleName(" / ".join(
            dict.fromkeys(strings.text("help.called", lg) for lg in self.settings.languages)))

    def answer_help(self) -> None:
        self.bar.retranslate(self.settings)
        self._set_help(False)

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
        if self._state.is_resting:
            self.show_idle()
        self._refresh_staff()

    # ----------------------------------------------------------------- staff-facing
    def set_paused(self, paused: bool) -> None:
        self._paused = bool(paused)
        if self.services.set_paused is not None:
            try:
                self.services.set_paused(self._paused)
            except Exception:  # noqa: BLE001 - the screen still shows paused; the app logs its own failure
                pass
        if not self.staff.mode and self._state.is_resting:
            self.show_idle()

    def choose_language(self, language: str) -> None:
        order = (language,) + tuple(lang for lang in self.settings.languages if lang != language)
        self.apply_settings(self.settings.replace(languages=order))

    def apply_settings(self, settings: UiSettings) -> None:
        """New settings at runtime (language order, voice, volume, pixel pitch): re-lay every screen."""
        self.settings = settings
        self.voice.apply_settings(settings)
        for page in (self.bar, self.idle_page, self.reading_page, self.notice_page, self.verdict_page):
            page.retranslate(settings)
        if self._help:
            self.call_staff_label()
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
        self._set_state(ScreenState(mode))

    def staff_closed(self) -> None:
        self.bar.show()
        self._state = ScreenState.NONE
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
        self.bar.show_volume_step(self.voice.louder())
        self.voice.repeat()

    def _announce(self, view: VerdictView) -> None:
        """What a screen reader hears: the verdict, its reason and what to do, in every language (no identity)."""
        parts = []
        for language in self.settings.languages:
            texts = view.texts(language)
            parts.append(f"{texts.word}. {texts.reason}. {texts.hint}.")
        message = " ".join(dict.fromkeys(parts))
        self.verdict_page.setAccessibleName(message)
        self.last_announcement = message
        if QAccessible.isActive():
            QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(self.verdict_page, message))

    def _set_help(self, on: bool) -> None:
        if on != self._help:
            self._help = on
            self.help_changed.emit(on)
            if self.services.help_changed is not None:
                try:
                    self.services.help_changed(on)
                except Exception:  # noqa: BLE001 - the alert stays visible here even if the app cannot pass it on
                    pass
        self._refresh_staff()

    def _resting_state(self) -> ScreenState:
        if self._paused:
            return ScreenState.PAUSED
        ok = {name: state[0] for name, state in self._devices.items()}
        inputs = ok.get("reader", True) or ok.get("scanner", True) or ok.get("camera", True)
        if not inputs or not ok.get("trust", True) or not ok.get("clock", True) or not ok.get("log", True):
            return ScreenState.UNAVAILABLE
        return ScreenState.IDLE

    def _on_hold_elapsed(self) -> None:
        if self._state is not ScreenState.VERDICT:
            return
        if not self._card_present:
            self.show_idle()
        elif not self._hold_elapsed:
            self._hold_elapsed = True
            self.verdict_page.show_lift_hint()
            self.voice.say("lift")
            self.lift_hint_shown.emit()
            self._hold.start(int(max(0.0, self.settings.card_forgotten_seconds - self.settings.hold_seconds) * 1000))
        else:  # a card forgotten on the reader: no personal data stays up indefinitely
            self._card_present = False
            self.show_idle()

    def _set_state(self, state: ScreenState) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state.value)


def _text_of(value: object) -> str:
    if value is None:
        return ""
    try:
        return str(getattr(value, "value", value))
    except Exception:  # noqa: BLE001 - a field whose __str__ raises must not crash the screen
        return ""
