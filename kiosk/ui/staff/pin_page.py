"""The PIN screen for staff and admin: keypad entry, hashed comparison, lockout after repeated failures.

The guard's clock is `time.monotonic` unless the window hands another (tests). GUI thread only.
"""
from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.core.outcome import strings
from kiosk.ui.shared import theme
from kiosk.ui.staff.access import PinGuard, format_wait
from kiosk.ui.staff.keypad import Keypad
from kiosk.ui.staff.pins import check_pin
from kiosk.ui.shared.settings import UiSettings
from kiosk.ui.staff.common import Sizes, button, label
from kiosk.ui.shared.widgets import Page


class PinPage(Page):
    accepted = Signal()
    cancelled = Signal()
    more_time = Signal()

    def __init__(self, settings: UiSettings, role: str, guard: PinGuard, clock: Callable[[], float],
                 parent: QWidget | None = None) -> None:
        super().__init__(theme.STAFF, parent)
        self.role = role
        self._hash = settings.admin_pin_hash if role == "admin" else settings.staff_pin_hash
        self._guard, self._clock = guard, clock
        sizes = Sizes(settings)
        lang = sizes.language
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        column = QVBoxLayout()
        outer.addLayout(column)
        outer.addStretch(1)
        self.title = label(self, sizes, strings.text(f"pin.{role}", lang), title=True)
        column.addWidget(self.title)
        self.keypad = Keypad(lang, sizes.target, sizes.text, with_x=False, secret=True, max_length=12, parent=self)
        self.keypad.entry.setAccessibleName(strings.text(f"pin.{role}", lang))
        self.keypad.submitted.connect(self.submit)
        column.addWidget(self.keypad)
        self.message = label(self, sizes, "")
        # no fixed accessible name: a screen reader reads the message itself ("Wrong PIN", the countdown)
        column.addWidget(self.message)
        self.cancel = button(self, sizes, "button.cancel", self.cancelled.emit)
        column.addWidget(self.cancel)
        self.timeout = label(self, sizes, bold=True)
        self.more = button(self, sizes, "button.more_time", self.more_time.emit)
        column.addWidget(self.timeout)
        column.addWidget(self.more)
        self._language = lang
        self.set_timeout_warning(None)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.cancelled.emit,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._countdown = QTimer(self)  # the lockout counts down on screen
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._show_lock)
        self._show_lock()

    def set_timeout_warning(self, seconds: int | None) -> None:
        self.timeout.setVisible(seconds is not None)
        self.more.setVisible(seconds is not None)
        if seconds is not None:
            self.timeout.setText(strings.text("staff.timeout", self._language, seconds=seconds))

    def focus_entry(self) -> None:
        self.keypad.entry.setFocus()

    def submit(self, pin: str) -> bool:
        now = self._clock()
        self.keypad.clear()
        if self._guard.is_locked(now):
            self._show_lock()
            return False
        ok = bool(pin) and check_pin(pin, self._hash)
        self._guard.record(ok, now)
        if ok:
            self.message.setText("")
            self.accepted.emit()
            return True
        self.message.setText(strings.text("pin.wrong", self._language))
        _announce(self.message)
        self._show_lock()
        return False

    def _show_lock(self) -> None:
        remaining = self._guard.remaining(self._clock())
        locked = remaining > 0
        if locked:
            self.message.setText(strings.text("pin.locked", self._language, time=format_wait(remaining),
                                              seconds=math.ceil(remaining)))
            if not self._countdown.isActive():
                self._countdown.start()
        elif self._countdown.isActive():
            self._countdown.stop()
            self.message.setText("")
        _announce(self.message)


def _announce(widget: QWidget) -> None:
    """Tell a screen reader about a new message (Qt >= 6.8 announcement events)."""
    from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
    if widget.text() and QAccessible.isActive():
        QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(widget, widget.text()))
