"""The large on-screen keypad and its entry field, used for PINs and for typed ID numbers.

Each key is a real QPushButton (≥ the configured target size, named for screen readers, reachable with Tab);
the field is a QLineEdit, so a USB keyboard works as well as touch. GUI thread only.
"""
from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QGridLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.core.outcome import strings
from kiosk.ui.shared import theme
from kiosk.ui.shared.widgets import BigButton

DIGITS = "1234567890"


class Keypad(QWidget):
    submitted = Signal(str)

    def __init__(self, language: str, target_px: int, text_px: int, with_x: bool, secret: bool,
                 max_length: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.language = language
        self.entry = QLineEdit(self)
        self.entry.setMaxLength(max_length)
        self.entry.setFont(theme.language_font(language, int(text_px * 1.2), bold=True))
        self.entry.setMinimumHeight(target_px)
        self.entry.setStyleSheet("QLineEdit { background: #FFFFFF; color: #000000; border: 3px solid #101418; }"
                                 f"QLineEdit:focus {{ border: 6px solid {theme.FOCUS_RING}; }}")
        if secret:
            self.entry.setEchoMode(QLineEdit.EchoMode.Password)
        pattern = (f"[0-9]{{0,{max_length - 1}}}|[0-9]{{{max_length - 1}}}[0-9xX]" if with_x
                   else f"[0-9]{{0,{max_length}}}")
        self.entry.setValidator(QRegularExpressionValidator(QRegularExpression(pattern), self.entry))
        self.entry.textEdited.connect(self._upper)
        self.entry.returnPressed.connect(self._submit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.entry)
        grid = QGridLayout()
        layout.addLayout(grid)
        self.keys: dict[str, BigButton] = {}
        labels = list(DIGITS[:9]) + (["X"] if with_x else [""]) + ["0", "⌫"]
        for index, label in enumerate(labels):
            if not label:
                continue
            button = BigButton(label, target_px, language, text_px, self)
            button.clicked.connect(lambda _=False, k=label: self.press(k))
            grid.addWidget(button, index // 3, index % 3)
            self.keys[label] = button
        self.ok = BigButton(strings.text("button.ok", language), target_px, language, text_px, self)
        self.ok.clicked.connect(self._submit)
        grid.addWidget(self.ok, 4, 0, 1, 3)
        self.keys["⌫"].setAccessibleName(strings.text("button.delete", language))

    def press(self, key: str) -> None:
        if key == "⌫":
            self.entry.backspace()
        elif len(self.entry.text()) < self.entry.maxLength():
            self.entry.insert(key)
        self.entry.setFocus(Qt.FocusReason.OtherFocusReason)

    def text(self) -> str:
        return self.entry.text()

    def clear(self) -> None:
        self.entry.clear()

    def set_x_enabled(self, enabled: bool) -> None:
        if "X" in self.keys:
            self.keys["X"].setEnabled(enabled)

    def _upper(self, text: str) -> None:
        if text != text.upper():
            self.entry.setText(text.upper())

    def _submit(self) -> None:
        self.submitted.emit(self.entry.text())
