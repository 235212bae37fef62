"""Staff mode: the 老幼 helper lookup by typed ID number, today's counts, devices, pause, language, admin.

Opened after the staff PIN. The ID number is checked as it is typed (kiosk.core.identity.idnumber via
kiosk.ui.staff.access.id_entry_feedback): X is offered only as the 18th character and a wrong check character is
flagged at once, before any lookup. Lookups and counts go through the app's callbacks (UiServices).
GUI thread only.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.core.outcome import strings
from kiosk.core.identity.idnumber import normalise
from kiosk.core.outcome.policy import Policy
from kiosk.core.outcome.result import VerificationResult
from kiosk.core.outcome.view import VerdictView, verdict_view
from kiosk.ui.citizen.icons import VerdictIcon
from kiosk.ui.shared import theme
from kiosk.ui.staff.access import id_entry_feedback
from kiosk.ui.staff.gate_panel import GatePanel
from kiosk.ui.staff.keypad import Keypad
from kiosk.ui.shared.services import UiServices
from kiosk.ui.shared.settings import UiSettings
from kiosk.ui.staff.common import Sizes, add_closing_rows, button, call_safely, label
from kiosk.ui.shared.widgets import Page, clip

OUTCOMES = ("PASS", "STOP", "SEE_STAFF")


class StaffPage(Page):
    close_requested = Signal()
    admin_requested = Signal()
    pause_toggled = Signal(bool)
    language_chosen = Signal(str)
    more_time = Signal()
    help_answered = Signal()

    def __init__(self, settings: UiSettings, services: UiServices, paused: bool,
                 devices: dict[str, tuple[bool, str]], parent: QWidget | None = None) -> None:
        super().__init__(theme.STAFF, parent)
        self._services, self._paused = services, paused
        self.last_announcement = ""
        self.sizes = sizes = Sizes(settings)
        self._lang = sizes.language
        grid = QGridLayout(self)
        m = settings.mm_to_px(5)
        grid.setContentsMargins(m, m, m, m)
        grid.setHorizontalSpacing(m)
        grid.addWidget(label(self, sizes, strings.text("staff.title", self._lang), title=True), 0, 0, 1, 2)
        self._build_help(grid)
        left, right = QVBoxLayout(), QVBoxLayout()
        grid.addLayout(left, 2, 0)
        if settings.screen_size[0] < settings.screen_size[1]:  # portrait: the controls go under the keypad
            grid.addLayout(right, 3, 0)
        else:
            grid.addLayout(right, 2, 1)
        self._build_lookup(left)
        self._build_controls(right, paused)
        self.set_timeout_warning(None)
        self._on_typed("")
        self.refresh(devices)

    def _build_lookup(self, left: QVBoxLayout) -> None:
        sizes = self.sizes
        left.addWidget(label(self, sizes, strings.text("staff.id_number", self._lang), bold=True))
        self.keypad = Keypad(self._lang, sizes.target, sizes.text, with_x=True, secret=False, max_length=18,
                             parent=self)
        self.keypad.entry.setAccessibleName(strings.text("staff.id_number", self._lang))
        self.keypad.ok.set_label(strings.text("button.lookup", self._lang), self._lang)
        self.keypad.entry.textChanged.connect(self._on_typed)
        self.keypad.submitted.connect(self.lookup)
        left.addWidget(self.keypad)
        self.feedback = label(self, sizes)  # read out as what it says (no fixed name hiding it)
        left.addWidget(self.feedback)
        left.addStretch(1)

    def _build_help(self, grid: QGridLayout) -> None:
        """The alert when a citizen pressed "call staff": amber banner, warning shape, and "answered"."""
        self.help_banner = QWidget(self)
        self.help_banner.setObjectName("help-banner")
        self.help_banner.setStyleSheet(f"#help-banner {{ background: {theme.VERDICT['SEE_STAFF'].background}; }}")
        self.help_banner.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        row = QHBoxLayout(self.help_banner)
        icon = VerdictIcon(self.sizes.target, self.help_banner)
        icon.set_outcome("SEE_STAFF", "#000000")
        row.addWidget(icon)
        self.help_text = label(self.help_banner, self.sizes, strings.text("staff.help", self._lang), bold=True)
        self.help_text.setStyleSheet("color: #000000; background: transparent;")
        self.help_text.setAccessibleName(strings.text("staff.help", self._lang))
        row.addWidget(self.help_text, 1)
        row.addWidget(button(self.help_banner, self.sizes, "button.help_done", self.help_answered.emit))
        grid.addWidget(self.help_banner, 1, 0, 1, 2)
        self.help_banner.setVisible(False)

    def set_help(self, on: bool) -> None:
        self.help_banner.setVisible(on)

    def _build_controls(self, right: QVBoxLayout, paused: bool) -> None:
        sizes = self.sizes
        badge = QHBoxLayout()
        self.badge_icon = VerdictIcon(sizes.target, self)
        self.badge_icon.hide()
        badge.addWidget(self.badge_icon)
        self.badge = label(self, sizes, bold=True, title=True)
        self.badge.setObjectName("verdict-badge")
        self.badge.hide()
        badge.addWidget(self.badge, 1)
        right.addLayout(badge)
        self.result = label(self, sizes)
        self.result.setObjectName("lookup-result")
        right.addWidget(self.result)
        self.counts = label(self, sizes)
        right.addWidget(self.counts)
        self.devices = label(self, sizes)
        right.addWidget(self.devices)
        self.pause = button(self, sizes, "button.resume" if paused else "button.pause", self._toggle_pause)
        right.addWidget(self.pause)
        self.gate = GatePanel(sizes, self._services.gate, parent=self) if self._services.gate else None
        if self.gate is not None:
            right.addWidget(self.gate)
        langs = QHBoxLayout()
        for code in strings.LANGUAGES:
            chooser = button(self, sizes, "", lambda c=code: self.language_chosen.emit(c))
            chooser.set_label(strings.LANGUAGE_SHORT[code], code)
            chooser.setAccessibleName(strings.LANGUAGE_NAMES[code])
            langs.addWidget(chooser)
        right.addLayout(langs)
        self.timeout, self.more = add_closing_rows(self, right, sizes, "button.admin", self.admin_requested.emit)

    def focus_entry(self) -> None:
        self.keypad.entry.setFocus()

    def refresh(self, devices: dict[str, tuple[bool, str]]) -> None:
        ok, counts = call_safely(self._services.counts)
        if ok and counts is not None:
            values = {name: int(dict(counts).get(name, 0) or 0) for name in OUTCOMES}
            self.counts.setText(strings.text("staff.counts", self._lang, **values))
        else:
            self.counts.setText(strings.text("staff.counts", self._lang, PASS="–", STOP="–", SEE_STAFF="–"))
        lines = [strings.text("staff.devices", self._lang) + ":"]
        for name, (device_ok, detail) in sorted(devices.items()):
            state = strings.text("admin.ok" if device_ok else "admin.fault", self._lang)
            lines.append(f"{strings.text('device.' + name, self._lang)}: {state} {clip(detail, 80)}".rstrip())
        self.devices.setText("\n".join(lines))

    def set_timeout_warning(self, seconds: int | None) -> None:
        self.timeout.setVisible(seconds is not None)
        self.more.setVisible(seconds is not None)
        if seconds is not None:
            self.timeout.setText(strings.text("staff.timeout", self._lang, seconds=seconds))

    def lookup(self, typed: str) -> None:
        feedback = id_entry_feedback(typed)
        if not feedback.complete_and_valid:
            self._on_typed(typed)
            return
        if self._services.lookup is None:
            self.result.setText(strings.text("staff.unavailable", self._lang))
            return
        ok, result = call_safely(self._services.lookup, normalise(typed))
        if not ok:
            self.result.setText(strings.text("staff.error", self._lang, message=result))
            return
        self.show_view(_as_view(result))

    def show_view(self, view: VerdictView) -> None:
        """The same badge the gate shows (colour, shape, word), then the status, the reason and the identity."""
        lang, outcome = self._lang, view.outcome.value
        scheme = theme.scheme_for(outcome)
        texts = view.texts(lang)
        self.badge.setText(texts.word)
        self.badge.setStyleSheet(f"color: {scheme.foreground}; background: {scheme.background}; padding: 6px;")
        self.badge.setAccessibleName(f"{texts.word}. {texts.reason}")
        self.badge_icon.set_outcome(outcome, theme.STAFF.foreground)
        self.badge.show()
        self.badge_icon.show()
        status = view.status_text(lang)
        lines = [texts.reason,
                 f"{strings.text('staff.status', lang)}: {status}" if status else "",
                 f"{strings.text('staff.code', lang)}: {view.reason_code}" if view.reason_code else "",
                 view.identity_line(lang),
                 f"{strings.text('staff.birth_date', lang)}: {view.birth_date}" if view.birth_date else ""]
        self.result.setText("\n".join(line for line in lines if line))
        spoken = " ".join([texts.word] + [line for line in lines[:2] if line])  # no identity read out
        self.result.setAccessibleName(spoken)
        from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
        self.last_announcement = spoken
        if QAccessible.isActive():
            QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(self.result, spoken))

    def clear(self) -> None:
        self.keypad.clear()
        self.result.setText("")
        self.badge.setText("")
        self.badge.hide()
        self.badge_icon.hide()

    def _on_typed(self, typed: str) -> None:
        feedback = id_entry_feedback(typed)
        self.feedback.setText(strings.text(feedback.key, self._lang, **feedback.fields))
        self.keypad.set_x_enabled(feedback.accept_x)
        colour = {"valid": "#0A5C2E", "incomplete": theme.STAFF.foreground}.get(feedback.state, "#A50021")
        self.feedback.setStyleSheet(f"color: {colour}; background: transparent;")

    def _toggle_pause(self) -> None:
        self._paused = not self._paused
        self.pause.set_label(strings.text("button.resume" if self._paused else "button.pause", self._lang),
                             self._lang)
        self.pause_toggled.emit(self._paused)


def _as_view(result: object) -> VerdictView:
    """The lookup service returns a VerdictView decided by the checkpoint's policy; a bare result (a test
    double, an older service) is decided here with the built-in defaults."""
    if isinstance(result, VerdictView):
        return result
    if isinstance(result, VerificationResult):
        return verdict_view(result, Policy().outcome(result))
    return verdict_view(result, "SEE_STAFF")
