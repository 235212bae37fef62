"""The citizen screens: idle, reading, verdict and notice (unavailable / paused), in the configured languages.

Zero-touch: nothing here needs a tap. Every line appears once per configured language, each in its own CJK
family. The verdict page shows only masked identity fields and clears them when asked (`clear`), so nothing
personal is left on screen after a verdict. GUI thread only.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.core.outcome import strings
from kiosk.ui.shared import theme
from kiosk.ui.citizen.icons import IdlePictogram, VerdictIcon
from kiosk.ui.shared.settings import UiSettings
from kiosk.ui.shared.widgets import Page, TextLabel, clip


class _LinesPage(Page):
    """A page of centred lines: an optional pictogram, then each text key in every configured language."""

    def __init__(self, settings: UiSettings, scheme: theme.Scheme, parent: QWidget | None = None) -> None:
        super().__init__(scheme, parent)
        self._settings = settings
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(*(settings.mm_to_px(6),) * 4)
        self._layout.setSpacing(settings.mm_to_px(1.5))
        self._lines: list[tuple[str, TextLabel]] = []

    def _add_lines(self, keys: tuple[str, ...], languages: tuple[str, ...]) -> None:
        for _, label in self._lines:
            _discard(label)
        self._lines = []
        for language in languages:
            for key in keys:
                size = theme.pixel_size_for_cap(language, self._settings.instruction_cap_mm,
                                                self._settings.pixel_pitch_mm)
                label = TextLabel(language, size, self.scheme.foreground, parent=self)
                label.setText(strings.text(key, language))
                self._layout.addWidget(label)
                self._lines.append((key, label))

    def visible_text(self) -> list[str]:
        return [label.text() for _, label in self._lines if label.text()]


class IdlePage(_LinesPage):
    def __init__(self, settings: UiSettings, parent: QWidget | None = None) -> None:
        super().__init__(settings, theme.IDLE, parent)
        self._layout.addStretch(1)
        self._pictogram = IdlePictogram(settings.mm_to_px(28), theme.IDLE.foreground, self)
        self._layout.addWidget(self._pictogram, 0, Qt.AlignmentFlag.AlignHCenter)
        self._keys: tuple[str, ...] = ("idle.card", "idle.code")
        self.retranslate(settings)

    def set_inputs(self, card: bool, code: bool) -> None:
        """Show only the ways in that work right now (a broken reader is not offered)."""
        keys = tuple(k for k, on in (("idle.card", card), ("idle.code", code)) if on) or ("unavailable",)
        if keys != self._keys:
            self._keys = keys
            self.retranslate(self._settings)

    def retranslate(self, settings: UiSettings) -> None:
        self._settings = settings
        self._pictogram.set_height(settings.mm_to_px(28))
        self._pictogram.setAccessibleName(" / ".join(strings.text("idle.pictogram", lang) for lang in settings.languages))
        while self._layout.count() > 2:
            item = self._layout.takeAt(2)
            if item.widget() is not None:
                _discard(item.widget())
        self._lines = []
        self._add_lines(self._keys, settings.languages)
        self._layout.addStretch(1)


class NoticePage(_LinesPage):
    """One message for citizens in every language: reading, unavailable (see staff), paused."""

    def __init__(self, settings: UiSettings, key: str, scheme: theme.Scheme, parent: QWidget | None = None) -> None:
        super().__init__(settings, scheme, parent)
        self._key = key
        self.retranslate(settings)

    def set_key(self, key: str) -> None:
        if key != self._key:
            self._key = key
            self.retranslate(self._settings)

    def retranslate(self, settings: UiSettings) -> None:
        self._settings = settings
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item.widget() is not None:
                _discard(item.widget())
        self._lines = []
        self._layout.addStretch(1)
        self._add_lines((self._key,), settings.languages)
        self._layout.addStretch(1)


class VerdictPage(Page):
    """PASS / STOP / SEE STAFF: colour, shape, word (every language), plain reason, masked identity, pass type."""

    def __init__(self, settings: UiSettings, parent: QWidget | None = None) -> None:
        super().__init__(theme.VERDICT["SEE_STAFF"], parent)
        self._settings = settings
        self.outcome = ""
        layout = QVBoxLayout(self)
        margin = settings.mm_to_px(5)
        layout.setContentsMargins(margin, margin, margin, margin)
        layout.setSpacing(settings.mm_to_px(2))
        head = QHBoxLayout()
        head.addStretch(1)
        self.icon = VerdictIcon(settings.mm_to_px(settings.verdict_cap_mm * 1.4), self)
        head.addWidget(self.icon)
        lang = settings.primary_language
        self.word = TextLabel(lang, theme.pixel_size_for_cap(lang, settings.verdict_cap_mm, settings.pixel_pitch_mm,
                                                             bold=True), "#000000", bold=True, parent=self)
        head.addWidget(self.word)
        head.addStretch(1)
        layout.addStretch(1)
        layout.addLayout(head)
        self._others = QHBoxLayout()
        self._others.setSpacing(settings.mm_to_px(10))
        self._other_words: list[TextLabel] = []
        for _ in range(2):
            other = TextLabel(lang, 10, "#000000", bold=True, parent=self)
            self._other_words.append(other)
        self._others.addStretch(1)
        for other in self._other_words:
            self._others.addWidget(other)
        self._others.addStretch(1)
        layout.addLayout(self._others)
        self._rows = QVBoxLayout()
        self._rows.setSpacing(settings.mm_to_px(1.5))
        layout.addLayout(self._rows)
        layout.addStretch(1)
        self._labels: list[TextLabel] = []
        self._used = 0

    def show_verdict(self, outcome: str, reason: str, masked_name: str, masked_id: str, pass_type: str) -> None:
        settings = self._settings
        self.outcome = outcome if outcome in theme.VERDICT else "SEE_STAFF"
        self.set_scheme(theme.scheme_for(self.outcome))
        fg = self.scheme.foreground
        self.icon.set_outcome(self.outcome, fg)
        self.icon.setAccessibleName(f"{strings.text(f'verdict.{self.outcome}', settings.primary_language)} "
                                    f"({self.icon.shape})")
        primary = settings.primary_language
        self.word.set_language(primary)
        self._fit_word(strings.text(f"verdict.{self.outcome}", primary))
        self._clear_rows()
        others: list[tuple[str, str]] = []
        seen = {self.word.text()}
        for language in settings.languages[1:]:
            word = strings.text(f"verdict.{self.outcome}", language)
            if word not in seen:
                seen.add(word)
                others.append((language, word))
        for index, other in enumerate(self._other_words):
            language, word = others[index] if index < len(others) else (primary, "")
            other.set_language(language)
            font = other.font()
            font.setPixelSize(theme.pixel_size_for_cap(language, settings.instruction_cap_mm,
                                                       settings.pixel_pitch_mm, bold=True))
            other.setFont(font)
            other.set_colour(fg)
            other.setText(word)
            if other.isHidden() == bool(word):
                other.setVisible(bool(word))
        for language in settings.languages:
            self._add_row(strings.reason_text(reason, self.outcome, language), language)
        identity = "   ".join(part for part in (clip(masked_name, 24), clip(masked_id, 32), clip(pass_type, 24))
                               if part)
        if identity:
            self._add_row(identity, primary)
        self._hide_unused_rows()

    def _fit_word(self, word: str) -> None:
        settings = self._settings
        font = self.word.font()
        font.setPixelSize(theme.pixel_size_for_cap(self.word.language, settings.verdict_cap_mm,
                                                   settings.pixel_pitch_mm, bold=True))
        room = settings.screen_size[0] - self.icon.width() - settings.mm_to_px(30)
        floor = theme.pixel_size_for_cap(self.word.language, settings.instruction_cap_mm * 2,
                                         settings.pixel_pitch_mm, bold=True)
        while font.pixelSize() > floor and QFontMetrics(font).horizontalAdvance(word) > room:
            font.setPixelSize(int(font.pixelSize() * 0.92))
        self.word.setFont(font)
        self.word.setText(word)
        self.word.setAccessibleName(word)

    def _add_row(self, text: str, language: str, bold: bool = False) -> None:
        """Fill the next row of the pool (rows are reused: 100,000 verdicts create no new widgets)."""
        settings = self._settings
        size = theme.pixel_size_for_cap(language, settings.instruction_cap_mm, settings.pixel_pitch_mm, bold)
        if self._used < len(self._labels):
            label = self._labels[self._used]
            label.set_colour(self.scheme.foreground)
        else:
            label = TextLabel(language, size, self.scheme.foreground, bold, parent=self)
            self._rows.addWidget(label)
            self._labels.append(label)
        if (label.language, label.font().pixelSize(), label.font().bold()) != (language, size, bold):
            label.language = language
            label.setFont(theme.language_font(language, size, bold))
        label.setText(text)
        if label.isHidden():
            label.show()
        self._used += 1

    def _clear_rows(self) -> None:
        """Blank every row; rows stay in place (showing and hiding widgets is what costs time)."""
        for label in self._labels:
            label.setText("")
        self._used = 0

    def _hide_unused_rows(self) -> None:
        for label in self._labels[self._used:]:
            if not label.isHidden():
                label.hide()

    def show_lift_hint(self) -> None:
        """The hold is over but the card is still on the reader: ask for it back, in every language."""
        for language in self._settings.languages:
            self._add_row(strings.text("hint.lift", language), language, bold=True)
        self._hide_unused_rows()

    def clear(self) -> None:
        """Remove every trace of the last person from the page."""
        self._clear_rows()
        self.word.setText("")
        for other in self._other_words:
            other.setText("")
        self._hide_unused_rows()
        self.outcome = ""

    def visible_text(self) -> list[str]:
        labels = [self.word] + self._other_words + self._labels[:self._used]
        return [label.text() for label in labels if label.text()]

    def retranslate(self, settings: UiSettings) -> None:
        """New settings (language order, pixel pitch): sizes follow at once, words at the next verdict."""
        self._settings = settings
        side = settings.mm_to_px(settings.verdict_cap_mm * 1.4)
        self.icon.setFixedSize(side, side)


def _discard(widget: QWidget) -> None:
    """Take a widget off screen now (deleteLater alone leaves it painted until the loop runs)."""
    widget.hide()
    widget.setParent(None)
    widget.deleteLater()
