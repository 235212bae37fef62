"""The citizen screens: idle, reading, verdict and notice (unavailable / paused), in the configured languages.

Zero-touch: nothing here needs a tap. Every line appears once per configured language, each in its own CJK
family. Every page fits its panel: sizes come from the pixel pitch and shrink, within the accessibility floors,
until the column fits (kiosk.ui.shared.fit); what still does not fit is the repeats in other languages, left
out before anything in the primary language. The verdict page is given a typed VerdictView and shows only its
masked identity fields, clearing them when asked (`clear`). GUI thread only.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.core.outcome import strings
from kiosk.core.outcome.view import VerdictView
from kiosk.ui.citizen.icons import IdlePictogram, VerdictIcon
from kiosk.ui.shared import theme
from kiosk.ui.shared.fit import Row, fit_column
from kiosk.ui.shared.settings import UiSettings
from kiosk.ui.shared.widgets import Page, TextLabel

INSTRUCTION_FLOOR_MM = 7.33  # EN 301 549 5.1.4: capital H at 600 mm viewing distance


class FitPage(Page):
    """A page whose column of rows is fitted to its size whenever the content or the size changes."""

    def __init__(self, settings: UiSettings, scheme: theme.Scheme, parent: QWidget | None = None) -> None:
        super().__init__(scheme, parent)
        self._settings = settings
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)  # never grows the window
        self._layout = QVBoxLayout(self)
        self._layout.setSpacing(settings.mm_to_px(1.5))
        self.scale = 1.0
        self.left_out = 0
        self.area_provider: Callable[[], tuple[int, int]] | None = None  # the window sets it

    def _margin(self) -> int:
        return self._settings.mm_to_px(4)

    def _rows(self) -> list[Row]:
        raise NotImplementedError

    def _size_for_fit(self) -> tuple[int, int]:
        """The page's area: what the window gives it (the same for every page of the stack), else the panel."""
        area = self.area_provider() if self.area_provider is not None else None
        if area is not None and area[0] >= 50 and area[1] >= 50:
            w, h = area
        else:
            sw, sh = self._settings.screen_size
            w, h = sw, sh - self._settings.strip_height_px()
        m = self._margin()
        return w - 2 * m, h - 2 * m

    def refit(self) -> None:
        width, height = self._size_for_fit()
        spacing = self._layout.spacing()
        rows = self._rows()
        self.scale, self.left_out = fit_column(rows, width, height - 2 * spacing, spacing)
        self._after_fit(self.scale)

    def _after_fit(self, scale: float) -> None:
        pass

    def _instruction_px(self, language: str, bold: bool = False) -> tuple[int, int]:
        s = self._settings
        return (theme.pixel_size_for_cap(language, s.instruction_cap_mm, s.pixel_pitch_mm, bold),
                theme.pixel_size_for_cap(language, min(s.instruction_cap_mm, INSTRUCTION_FLOOR_MM),
                                         s.pixel_pitch_mm, bold))


class _LinesPage(FitPage):
    """A page of centred lines: an optional pictogram, then each text key in every configured language."""

    def __init__(self, settings: UiSettings, scheme: theme.Scheme, parent: QWidget | None = None) -> None:
        super().__init__(settings, scheme, parent)
        self._layout.setContentsMargins(*(self._margin(),) * 4)
        self._lines: list[tuple[str, TextLabel]] = []
        self._languages: tuple[str, ...] = settings.languages

    def _add_lines(self, keys: tuple[str, ...], languages: tuple[str, ...], at: int | None = None) -> None:
        for _, label in self._lines:
            _discard(label)
        self._lines = []
        self._languages = languages
        index = self._layout.count() - 1 if at is None else at
        for language in languages:
            for key in keys:
                label = TextLabel(language, self._instruction_px(language)[0], self.scheme.foreground, parent=self)
                label.setObjectName(f"line:{key}:{language}")
                label.setText(strings.text(key, language))
                self._layout.insertWidget(index, label)
                index += 1
                self._lines.append((key, label))

    def _line_rows(self) -> list[Row]:
        rows = []
        for _, label in self._lines:
            base, floor = self._instruction_px(label.language)
            rows.append(Row(label, base, floor, 0 if label.language == self._languages[0] else 2))
        return rows

    def visible_text(self) -> list[str]:
        return [label.text() for _, label in self._lines if label.text() and not label.isHidden()]

    def text_labels(self) -> list[TextLabel]:
        return [label for _, label in self._lines]


class IdlePage(_LinesPage):
    """How to check in, with a picture of each way that works now and an arrow toward where it is."""

    def __init__(self, settings: UiSettings, parent: QWidget | None = None) -> None:
        super().__init__(settings, theme.IDLE, parent)
        self._layout.addStretch(1)
        self._pictogram = IdlePictogram(settings.mm_to_px(28), theme.IDLE.foreground, self)
        self._pictogram.setObjectName("pictogram")
        self._layout.addWidget(self._pictogram, 0, Qt.AlignmentFlag.AlignHCenter)
        self._layout.addStretch(1)
        self._keys: tuple[str, ...] = ("idle.card", "idle.code")
        self._card, self._code = True, True
        self.retranslate(settings)

    def set_inputs(self, card: bool, code: bool) -> None:
        """Show only the ways in that work right now, and say in a sentence which device is not working."""
        keys = {(True, True): ("idle.card", "idle.code"), (True, False): ("idle.card", "fault.code"),
                (False, True): ("idle.code_only", "fault.reader"), (False, False): ("unavailable",)}[(card, code)]
        self._card, self._code = card, code
        if keys != self._keys:
            self._keys = keys
            self.retranslate(self._settings)

    def retranslate(self, settings: UiSettings) -> None:
        self._settings = settings
        self._pictogram.configure(card=self._card, code=self._code, reader_at=settings.reader_position,
                                  camera_at=settings.camera_position)
        self._pictogram.setAccessibleName(" / ".join(
            dict.fromkeys(self._pictogram.describe(lang) for lang in settings.languages)))
        self._layout.setAlignment(self._pictogram, self._pictogram.alignment())
        self._add_lines(self._keys, settings.languages)
        self.refit()

    def _rows(self) -> list[Row]:
        base = self._settings.mm_to_px(28)
        picture = Row(None, base, 0, 0, height_at=lambda scale: max(base * 0.4, base * scale))
        return [picture] + self._line_rows()

    def _after_fit(self, scale: float) -> None:
        self._pictogram.set_height(max(self._settings.mm_to_px(28) * 0.4, self._settings.mm_to_px(28) * scale))


class NoticePage(_LinesPage):
    """One message for citizens in every language: reading, unavailable (see staff), paused."""

    def __init__(self, settings: UiSettings, key: str, scheme: theme.Scheme, parent: QWidget | None = None) -> None:
        super().__init__(settings, scheme, parent)
        self._key = key
        self._layout.addStretch(1)
        self._layout.addStretch(1)
        self.retranslate(settings)

    def set_key(self, key: str) -> None:
        if key != self._key:
            self._key = key
            self.retranslate(self._settings)

    def retranslate(self, settings: UiSettings) -> None:
        self._settings = settings
        self._add_lines((self._key,), settings.languages)
        self.refit()

    def _rows(self) -> list[Row]:
        return self._line_rows()


class VerdictPage(FitPage):
    """PASS / STOP / SEE STAFF: colour, shape, word, then per language "word: reason", the masked identity, and
    (once the hold is over and the card is still there) the lift hint."""

    def __init__(self, settings: UiSettings, parent: QWidget | None = None) -> None:
        super().__init__(settings, theme.VERDICT["SEE_STAFF"], parent)
        self.outcome = ""
        self.view: VerdictView | None = None
        self._layout.setContentsMargins(*(self._margin(),) * 4)
        head = QHBoxLayout()
        head.addStretch(1)
        self.icon = VerdictIcon(settings.mm_to_px(settings.verdict_cap_mm * 1.4), self)
        self.icon.setObjectName("verdict-icon")
        head.addWidget(self.icon)
        lang = settings.primary_language
        self.word = TextLabel(lang, 10, "#000000", bold=True, parent=self)
        self.word.setObjectName("verdict-word")
        head.addWidget(self.word)
        head.addStretch(1)
        self._layout.addStretch(1)
        self._layout.addLayout(head)
        self._rows_box = QVBoxLayout()
        self._rows_box.setSpacing(self._layout.spacing())
        self._layout.addLayout(self._rows_box)
        self._layout.addStretch(1)
        self._labels: list[TextLabel] = []
        self._roles: list[tuple[str, int]] = []  # (element name, priority) of each used row
        self._used = 0
        self._word_px = (10, 10)

    # ----------------------------------------------------------------- showing
    def show_verdict(self, view: VerdictView) -> None:
        settings = self._settings
        self.view = view
        self.outcome = view.outcome.value
        self.set_scheme(theme.scheme_for(self.outcome))
        fg = self.scheme.foreground
        self.icon.set_outcome(self.outcome, fg)
        primary = settings.primary_language
        texts = view.texts(primary)
        self.icon.setAccessibleName(f"{texts.word} ({strings.text('shape.' + self.icon.shape, primary)})")
        self.word.set_language(primary)
        self.word.setText(texts.word)
        self.word.setAccessibleName(texts.word)
        self._clear_rows()
        for language in settings.languages:
            t = view.texts(language)
            line = t.reason if language == primary else strings.text("line.word_reason", language, word=t.word,
                                                                        reason=t.reason)
            self._add_row(line, language, "reason", 0 if language == primary else 3)
        identity = view.identity_line(primary)
        if identity:
            self._add_row(_breakable(identity), primary, "identity", 1)
        self._hide_unused_rows()
        self.refit()

    def show_lift_hint(self) -> None:
        """The hold is over but the card is still on the reader: ask for it back, in every language."""
        for language in self._settings.languages:
            self._add_row(strings.text("hint.lift", language), language, "lift-hint",
                          0 if language == self._settings.primary_language else 2, bold=True)
        self._hide_unused_rows()
        self.refit()

    def clear(self) -> None:
        """Remove every trace of the last person from the page."""
        self._clear_rows()
        self.word.setText("")
        self._hide_unused_rows()
        self.outcome = ""
        self.view = None

    def visible_text(self) -> list[str]:
        labels = [self.word] + self._labels[:self._used]
        return [label.text().replace("\u200b", "") for label in labels if label.text() and not label.isHidden()]

    def elements(self) -> list[tuple[str, TextLabel]]:
        """(element name, label) of every row in use: verdict-word, reason, identity, lift-hint."""
        return [("verdict-word", self.word)] + [(self._roles[i][0], self._labels[i]) for i in range(self._used)]

    def retranslate(self, settings: UiSettings) -> None:
        """New settings (language order, pixel pitch): sizes follow at once, words at the next verdict."""
        self._settings = settings
        self._layout.setContentsMargins(*(self._margin(),) * 4)
        if self.view is not None:
            self.show_verdict(self.view)

    # ----------------------------------------------------------------- fitting
    def _rows(self) -> list[Row]:
        settings = self._settings
        width, _ = self._size_for_fit()
        lang = self.word.language
        base = theme.pixel_size_for_cap(lang, settings.verdict_cap_mm, settings.pixel_pitch_mm, bold=True)
        floor = self._instruction_px(lang, bold=True)[1]
        font = self.word.font()
        font.setPixelSize(base)
        advance = QFontMetrics(font).horizontalAdvance(self.word.text() or "W")
        room = width - min(base, int(width * 0.2)) - self._margin()
        fitted = max(floor, min(base, int(base * room / max(1, advance))))
        self._word_px = (fitted, min(floor, fitted))
        rows = [Row(self.word, fitted, min(floor, fitted), 0)]
        for index in range(self._used):
            label = self._labels[index]
            b, f = self._instruction_px(label.language, label.font().bold())
            rows.append(Row(label, b, f, self._roles[index][1]))
        return rows

    def _after_fit(self, scale: float) -> None:
        px = self.word.font().pixelSize()
        width, _ = self._size_for_fit()
        side = max(self._settings.mm_to_px(8), min(px, int(width * 0.2)))
        if self.icon.width() != side:
            self.icon.setFixedSize(side, side)

    def _add_row(self, text: str, language: str, role: str, priority: int, bold: bool = False) -> None:
        """Fill the next row of the pool (rows are reused: 100,000 verdicts create no new widgets)."""
        if self._used < len(self._labels):
            label = self._labels[self._used]
            label.set_colour(self.scheme.foreground)
            self._roles[self._used] = (role, priority)
        else:
            label = TextLabel(language, self._instruction_px(language, bold)[0], self.scheme.foreground, bold,
                              parent=self)
            self._rows_box.addWidget(label)
            self._labels.append(label)
            self._roles.append((role, priority))
        if label.language != language or label.font().bold() != bold:
            label.language = language
            label.setFont(theme.language_font(language, self._instruction_px(language, bold)[0], bold))
        label.setObjectName(f"{role}:{language}")
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


def _breakable(text: str, run: int = 20) -> str:
    """A long unbroken token (a long name on an international pass) may wrap on a narrow panel: a zero-width
    space every `run` characters of a token longer than that, so no word can be wider than the page."""
    return " ".join("\u200b".join(word[i:i + run] for i in range(0, len(word), run)) if len(word) > run else word
                    for word in text.split(" "))


def _discard(widget: QWidget) -> None:
    """Take a widget off screen now (deleteLater alone leaves it painted until the loop runs)."""
    widget.hide()
    widget.setParent(None)
    widget.deleteLater()
