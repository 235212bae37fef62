"""The gate's row on the staff screen: open once, hold open, lock, back to normal; one line of feedback.

Self-contained: StaffPage adds it when UiServices.gate is set; every press goes to that callback with the role
"staff" (the app journals it) and its answer, a words key, is shown below the buttons in the staff's language.
GUI thread only.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.core.outcome import strings
from kiosk.ui.staff.common import Sizes, button, call_safely, label

ACTIONS = ("open_once", "hold_open", "lock", "normal")


class GatePanel(QWidget):
    def __init__(self, sizes: Sizes, control: Callable[[str, str], str], role: str = "staff",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._control, self._role, self._lang = control, role, sizes.language
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(label(self, sizes, strings.text("gate.title", self._lang), bold=True))
        row = QHBoxLayout()
        self.buttons = {}
        for action in ACTIONS:
            self.buttons[action] = button(self, sizes, f"gate.{action}", lambda a=action: self.press(a))
            row.addWidget(self.buttons[action])
        column.addLayout(row)
        self.feedback = label(self, sizes)
        column.addWidget(self.feedback)

    def press(self, action: str) -> None:
        """The callback answers with a words key (gate.done.*, gate.refused.*); anything else is shown as is."""
        ok, message = call_safely(self._control, action, self._role)
        self.feedback.setText(strings.text(str(message or ""), self._lang) if message else "")
