"""The strip under the citizen screens: repeat, louder (in steps), other languages, and call staff.

Large buttons (≥ the configured target size), named in every configured language for screen readers. It is
pinned to the bottom of the window at a fixed height, so no page can push it off the screen, and keeps one dark
colour on every screen (a fixed place to find it; no repaint per verdict). "Call staff" calls for help; it is
not the staff door (staff open their screens with a key or a long press in a corner). GUI thread only.
"""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QWidget

from kiosk.core.outcome import strings
from kiosk.ui.shared import theme
from kiosk.ui.shared.settings import UiSettings
from kiosk.ui.shared.widgets import BigButton, Page


STRIP_CAP_MM = 4.0


class CitizenBar(Page):
    def __init__(self, settings: UiSettings, parent: QWidget | None = None) -> None:
        super().__init__(theme.IDLE, parent)
        self._layout = QHBoxLayout(self)
        lang = settings.primary_language
        self.repeat = BigButton("", 10, lang, 18, self)
        self.louder = BigButton("", 10, lang, 18, self)
        self.language = BigButton("", 10, lang, 18, self)
        self.call_staff = BigButton("", 10, lang, 18, self)
        for name, control in (("repeat", self.repeat), ("louder", self.louder), ("language", self.language),
                              ("call-staff", self.call_staff)):
            control.setObjectName(name)
            control.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._layout.addWidget(self.repeat)
        self._layout.addWidget(self.louder)
        self._layout.addWidget(self.language)
        self._layout.addStretch(1)
        self._layout.addWidget(self.call_staff)
        self._step = 0
        self.retranslate(settings)

    def buttons(self) -> list[BigButton]:
        return [self.repeat, self.louder, self.language, self.call_staff]

    def retranslate(self, settings: UiSettings) -> None:
        self._settings = settings
        margin = settings.mm_to_px(3)
        self._layout.setContentsMargins(margin, 0, margin, margin)
        self._layout.setSpacing(settings.mm_to_px(2))
        size = settings.mm_to_px(max(settings.target_mm, 9.53))
        self.setFixedHeight(settings.strip_height_px())
        lang = settings.primary_language
        # a 4 mm capital H where the panel allows it (large panels), at most 42 % of the button's height
        text_px = max(18, min(int(size * 0.42), theme.pixel_size_for_cap(lang, STRIP_CAP_MM,
                                                                        settings.pixel_pitch_mm, True)))
        for control in self.buttons():
            control.setMinimumSize(size, size)
            control.setFixedHeight(size)
            font = control.font()
            font.setPixelSize(text_px)
            control.setFont(font)
        self.repeat.set_label(strings.text("control.repeat", lang), lang)
        self.repeat.setAccessibleName(_names("control.repeat", settings))
        self.language.set_label(strings.text("control.language", lang), lang)
        self.language.setAccessibleName(_names("control.language", settings))
        self.language.setVisible(len(settings.languages) > 1)
        self.call_staff.set_label(strings.text("control.call_staff", lang), lang)
        self.call_staff.setAccessibleName(_names("control.call_staff", settings))
        self.show_volume_step(self._step)

    def show_volume_step(self, step: int) -> None:
        """Louder shows how far up it is: one filled dot per step reached (○ none yet)."""
        self._step = step
        lang = self._settings.primary_language
        steps = len(self._settings.volume_steps)
        dots = "●" * min(step, steps) + "○" * max(0, steps - step)
        self.louder.set_label(f"{strings.text('button.louder', lang)} {dots}", lang)
        self.louder.setAccessibleName(f"{_names('button.louder', self._settings)} {min(step, steps)}/{steps}")


def _names(key: str, settings: UiSettings) -> str:
    return " / ".join(dict.fromkeys(strings.text(key, lang) for lang in settings.languages))
