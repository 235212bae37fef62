"""Staff mode: the 老幼 helper lookup by typed ID number, today's counts, devices, pause, language, admin.

Opened after the staff PIN. The ID number is checked as it is typed (kiosk.core.identity.idnumber via
kiosk.ui.staff.access.id_entry_feedback): X is offered only as the 18th character and a wrong check character is
flagged at once, before any lookup. Lookups and counts go through the app's callbacks (UiServices).
GUI thread only.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.core.outcome import strings
from kiosk.core.identity.idnumber import normalise
from kiosk.core.outcome.policy import Policy
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

    def __init__(self, settings: UiSettings, services: UiServices, paused: bool,
                 devices: dict[str, tuple[bool, str]], parent: QWidget | None = None) -> None:
        super().__init__(theme.STAFF, parent)
        self._services, self._paused = services, paused
        self._policy = Policy()
        self.sizes = sizes = Sizes(settings)
        self._lang = sizes.language
        grid = QGridLayout(self)
        m = settings.mm_to_px(5)
        grid.setContentsMargins(m, m, m, m)
        grid.setHorizontalSpacing(m)
        grid.addWidget(label(self, sizes, strings.text("staff.title", self._lang), title=True), 0, 0, 1, 2)
        left, right = QVBoxLayout(), QVBoxLayout()
        grid.addLayout(left, 1, 0)
        grid.addLayout(right, 1, 1)
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
        self.feedback = label(self, sizes)
        self.feedback.setAccessibleName(strings.text("staff.id_number", self._lang))
        left.addWidget(self.feedback)
        left.addStretch(1)

    def _build_controls(self, right: QVBoxLayout, paused: bool) -> None:
        sizes = self.sizes
        self.result = label(self, sizes)
        self.result.setAccessibleName(strings.text("button.lookup", self._lang))
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
            chooser.set_label(strings.LANGUAGE_NAMES[code], code)
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
        self.result.setText(self._describe(result))

    def clear(self) -> None:
        self.keypad.clear()
        self.result.setText("")

    def _describe(self, result: object) -> str:
        try:
            outcome = str(self._policy.outcome(result))
        except Exception:  # noqa: BLE001 - an odd result object is shown as SEE STAFF, never a crash
            outcome = "SEE_STAFF"
        reason = str(getattr(getattr(result, "reason", ""), "value", getattr(result, "reason", "")))
        holder = getattr(result, "holder", None)
        lines = [strings.text(f"verdict.{outcome}", self._lang),
                 f"{strings.reason_text(reason, outcome, self._lang)} ({clip(reason, 40)})",
                 "  ".join(p for p in (clip(getattr(holder, "masked_name", "")),
                                       clip(getattr(holder, "masked_id", ""))) if p)]
        birth = clip(getattr(holder, "birth_date", ""), 20)
        if birth:
            lines.append(f"{strings.text('staff.birth_date', self._lang)}: {birth}")
        until = getattr(result, "valid_until", None)
        pass_type = clip(getattr(result, "pass_type", ""), 40)
        lines.append(" ".join(p for p in (pass_type, clip(until, 40) if until else "") if p))
        return "\n".join(line for line in lines if line)

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
