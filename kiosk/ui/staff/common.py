"""What the staff and admin screens share: sizes from the settings, labelled text, and safe callback calls.

Staff screens are rebuilt when opened or when the language changes, so every string is always in the chosen
language without per-widget bookkeeping. GUI thread only.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from kiosk.core.outcome import strings
from kiosk.ui.shared import theme
from kiosk.ui.shared.settings import UiSettings
from kiosk.ui.shared.widgets import BigButton

STAFF_TEXT_MM = 3.2  # capital H on staff screens: read at arm's length (>= 18 dp main text)


class Sizes:
    def __init__(self, settings: UiSettings) -> None:
        self.language = settings.primary_language
        self.target = settings.mm_to_px(max(settings.target_mm, 9.53))
        scale = max(0.5, min(3.0, settings.staff_text_scale))
        self.text = theme.pixel_size_for_cap(self.language, STAFF_TEXT_MM * scale, settings.pixel_pitch_mm)
        self.title = theme.pixel_size_for_cap(self.language, STAFF_TEXT_MM * 1.6 * scale, settings.pixel_pitch_mm,
                                              True)


def label(parent: QWidget, sizes: Sizes, text: str = "", bold: bool = False, title: bool = False) -> QLabel:
    widget = QLabel(text, parent)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setWordWrap(True)
    widget.setFont(theme.language_font(sizes.language, sizes.title if title else sizes.text, bold or title))
    widget.setStyleSheet(f"color: {theme.STAFF.foreground}; background: transparent;")
    return widget


def button(parent: QWidget, sizes: Sizes, key: str, on_click: Callable[[], Any], **fields: object) -> BigButton:
    widget = BigButton(strings.text(key, sizes.language, **fields), sizes.target, sizes.language, sizes.text, parent)
    widget.setObjectName(key)
    widget.clicked.connect(lambda _=False: on_click())
    return widget


def call_safely(callback: Callable[..., Any] | None, *args: Any) -> tuple[bool, Any]:
    """(True, value) or (False, message); a missing callback is (False, None)."""
    if callback is None:
        return False, None
    try:
        return True, callback(*args)
    except Exception as exc:  # noqa: BLE001 - a failing service must never take the staff screen down
        return False, f"{type(exc).__name__}: {exc}"[:200]


def add_closing_rows(page: Any, column: Any, sizes: Sizes, first_key: str,
                     first_action: Callable[[], Any]) -> tuple[QLabel, BigButton]:
    """The foot of a staff or admin page: [first action] [close], the time-out warning and "more time".

    `page` has the signals `close_requested` and `more_time`; returns (warning label, more-time button)."""
    actions = QHBoxLayout()
    actions.addWidget(button(page, sizes, first_key, first_action))
    actions.addWidget(button(page, sizes, "button.close", page.close_requested.emit))
    column.addLayout(actions)
    timeout = label(page, sizes, bold=True)
    more = button(page, sizes, "button.more_time", page.more_time.emit)
    column.addWidget(timeout)
    column.addWidget(more)
    column.addStretch(1)
    return timeout, more
