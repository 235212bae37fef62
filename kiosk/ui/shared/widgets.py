"""Small building blocks shared by every screen: a painted background page, language-aware labels, big buttons.

Everything is drawn on an opaque background that the page paints itself, so a grab of the widget shows exactly
the colours a citizen sees (the contrast tests measure those pixels). GUI thread only.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QWidget

from kiosk.ui.shared import theme

MAX_FIELD_CHARS = 64  # anything longer from a pass or a card is cut: no string can push the layout apart


def clip(value: object, limit: int = MAX_FIELD_CHARS) -> str:
    """A printable, bounded form of any field value (None, bytes, huge strings, control characters)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = "".join(ch if ch.isprintable() else " " for ch in text[: limit * 4]).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Page(QWidget):
    """A screen with a solid background colour that it paints itself."""

    def __init__(self, scheme: theme.Scheme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scheme = scheme
        self.paint_count = 0  # read by the benchmark: a verdict counts as shown once painted

    @property
    def scheme(self) -> theme.Scheme:
        return self._scheme

    def set_scheme(self, scheme: theme.Scheme) -> None:
        self._scheme = scheme
        for label in self.findChildren(TextLabel):
            label.set_colour(scheme.foreground)
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(self._scheme.background))
        painter.end()
        self.paint_count += 1


class TextLabel(QLabel):
    """A word-wrapped label in one language's font, on a transparent background."""

    def __init__(self, language: str, pixel_size: int, colour: str, bold: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.language = language
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setFont(theme.language_font(language, pixel_size, bold))
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.set_colour(colour)

    def set_colour(self, colour: str) -> None:
        """Through the palette, not a style sheet: re-polishing a style sheet costs milliseconds per label."""
        if getattr(self, "_colour", None) == colour:
            return
        self._colour = colour
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor(colour))
        self.setPalette(palette)

    def set_language(self, language: str) -> None:
        font = self.font()
        self.language = language
        font.setFamilies(theme.FAMILIES.get(language, theme.FAMILIES["en"]) + ["Noto Sans CJK SC"])
        self.setFont(font)


class BigButton(QPushButton):
    """A touch target at least `min_px` square, with a visible focus ring and an accessible name."""

    def __init__(self, label: str, min_px: int, language: str, pixel_size: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(label, parent)
        self.setMinimumSize(min_px, min_px)
        self.setFont(theme.language_font(language, pixel_size, bold=True))
        self.setAccessibleName(label)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setStyleSheet(
            f"QPushButton {{ background: {theme.STAFF_ACCENT}; color: #FFFFFF; border: 3px solid #FFFFFF;"
            f" border-radius: 8px; padding: 6px 14px; }}"
            f"QPushButton:focus {{ border: 6px solid #FFC20A; }}"
            f"QPushButton:disabled {{ background: #5A6470; color: #FFFFFF; }}")
        self._fit_text()

    def setMinimumSize(self, *size) -> None:  # noqa: N802 (Qt override)
        super().setMinimumSize(*size)
        self._min_px = self.minimumHeight()
        self._fit_text()

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_text()

    def _fit_text(self) -> None:
        """Never narrower than its text: a squeezed layout scrolls (staff) or is fitted (citizen), never clips."""
        super().setMinimumWidth(max(getattr(self, "_min_px", 0), self.sizeHint().width() + 6))  # + focus ring

    def set_label(self, label: str, language: str) -> None:
        self.setText(label)
        self.setAccessibleName(label)
        font = self.font()
        font.setFamilies(theme.FAMILIES.get(language, theme.FAMILIES["en"]) + ["Noto Sans CJK SC"])
        self.setFont(font)
        self._fit_text()
