"""The strip under the citizen screens: repeat the prompt, louder, and the staff door.

Three large buttons (≥ the configured target size), named in every configured language for screen readers.
It keeps one dark colour on every screen (a fixed place to find it; no repaint per verdict). GUI thread only.
"""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QWidget

from kiosk.core.outcome import strings
from kiosk.ui.shared import theme
from kiosk.ui.shared.settings import UiSettings
from kiosk.ui.shared.widgets import BigButton, Page


class CitizenBar(Page):
    def __init__(self, settings: UiSettings, parent: QWidget | None = None) -> None:
        super().__init__(theme.IDLE, parent)
        layout = QHBoxLayout(self)
        margin = settings.mm_to_px(3)
        layout.setContentsMargins(margin, 0, margin, margin)
        size = settings.mm_to_px(max(settings.target_mm, 9.53))
        text_px = max(18, int(size * 0.4))
        lang = settings.primary_language
        self.repeat = BigButton("", size, lang, text_px, self)
        self.louder = BigButton("", size, lang, text_px, self)
        self.staff = BigButton("", size, lang, text_px, self)
        layout.addWidget(self.repeat)
        layout.addWidget(self.louder)
        layout.addStretch(1)
        layout.addWidget(self.staff)
        self.retranslate(settings)

    def retranslate(self, settings: UiSettings) -> None:
        def name(key: str) -> str:
            return " / ".join(dict.fromkeys(strings.text(key, lang) for lang in settings.languages))
        lang = settings.primary_language
        size = settings.mm_to_px(max(settings.target_mm, 9.53))
        for control in (self.repeat, self.louder, self.staff):
            control.setMinimumSize(size, size)
        self.repeat.set_label(strings.text("control.repeat", lang), lang)
        self.repeat.setAccessibleName(name("control.repeat"))
        self.louder.set_label(strings.text("button.louder", lang), lang)
        self.louder.setAccessibleName(name("button.louder"))
        self.staff.set_label(strings.text("control.staff", lang), lang)
        self.staff.setAccessibleName(name("control.staff"))
