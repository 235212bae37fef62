"""StaffFlow: opens the PIN, staff and admin screens inside the kiosk window and closes them on time.

Owns the two PIN guards (staff and admin are counted separately), the staff-screen timeout (warned 20 s ahead,
extended with one action or by any key or touch), and rebuilds the open screen when the language changes.
GUI thread only.
"""
from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QFrame, QScrollArea, QStackedLayout, QWidget

from kiosk.ui.staff.access import PinGuard
from kiosk.ui.admin.page import AdminPage
from kiosk.ui.staff.pin_page import PinPage
from kiosk.ui.shared.services import UiServices
from kiosk.ui.shared.settings import UiSettings
from kiosk.ui.staff.page import StaffPage

WARN_SECONDS = 20


class StaffFlow(QObject):
    def __init__(self, window: QWidget, stack: QStackedLayout, clock: Callable[[], float] = time.time) -> None:
        super().__init__(window)
        self._window, self._stack, self.clock = window, stack, clock
        settings: UiSettings = window.settings
        store = Path(settings.lockout_state_path) if settings.lockout_state_path else None
        self.guards = {role: PinGuard(settings.admin_max_failures, settings.admin_lockout_seconds, store, role)
                       for role in ("staff", "admin")}
        self.page: QWidget | None = None
        self.container: QScrollArea | None = None  # the page scrolls (200 % text) rather than clip
        self.mode = ""  # "", "pin:staff", "pin:admin", "staff", "admin"
        self._deadline = 0.0
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._on_tick)

    # ----------------------------------------------------------------- opening and closing
    def ask_pin(self, role: str) -> None:
        guard = self.guards[role]
        page = PinPage(self._window.settings, role, guard, self.clock, self._window)
        page.accepted.connect(lambda: self._open(role))
        page.cancelled.connect(self.close)
        page.more_time.connect(self.extend)
        self._show(page, f"pin:{role}")

    def close(self) -> None:
        self._tick.stop()
        QApplication.instance().removeEventFilter(self)
        page, container, self.page, self.container, self.mode = self.page, self.container, None, None, ""
        if page is not None:
            if isinstance(page, StaffPage):
                page.clear()
            self._stack.removeWidget(container)
            container.deleteLater()
        self._window.staff_closed()

    def rebuild(self) -> None:
        """Re-create the open screen (language or sizes changed)."""
        if self.mode in ("staff", "admin"):
            self._open(self.mode)
        elif self.mode.startswith("pin:"):
            self.ask_pin(self.mode[4:])

    def refresh(self) -> None:
        if isinstance(self.page, StaffPage):
            self.page.refresh(self._window.device_status())
            self.page.set_help(self._window.help_requested())
        elif isinstance(self.page, AdminPage):
            self.page.refresh()

    def extend(self) -> None:
        self._deadline = self.clock() + self._window.settings.staff_timeout_seconds
        if self.page is not None:
            self.page.set_timeout_warning(None)

    # ----------------------------------------------------------------- internals
    def _open(self, role: str) -> None:
        win = self._window
        services: UiServices = win.services
        if role == "staff":
            if services.lookup is not None:
                services = dataclasses.replace(services, lookup=win.staff_lookup)
            page = StaffPage(win.settings, services, win.is_paused(), win.device_status(), win)
            page.pause_toggled.connect(win.set_paused)
            page.language_chosen.connect(win.choose_language)
            page.admin_requested.connect(lambda: self.ask_pin("admin"))
            page.help_answered.connect(win.answer_help)
            page.set_help(win.help_requested())
        else:
            page = AdminPage(win.settings, services, win.device_status(), win.audio_status(), win)
            page.settings_edited.connect(win.apply_settings)
            page.exit_requested.connect(win.exit_kiosk)
        page.close_requested.connect(self.close)
        page.more_time.connect(self.extend)
        self._show(page, role)

    def _show(self, page: QWidget, mode: str) -> None:
        old = self.container
        container = QScrollArea(self._window)
        container.setWidgetResizable(True)
        container.setFrameShape(QFrame.Shape.NoFrame)
        container.setWidget(page)
        self.page, self.container, self.mode = page, container, mode
        self._stack.addWidget(container)
        self._stack.setCurrentWidget(container)
        if old is not None:
            self._stack.removeWidget(old)
            old.hide()
            old.deleteLater()
        page.focus_entry()
        self.extend()
        self._tick.start()
        QApplication.instance().installEventFilter(self)
        self._window.staff_opened(mode)

    def _on_tick(self) -> None:
        remaining = self._deadline - self.clock()
        if remaining <= 0:
            self.close()
        elif remaining <= WARN_SECONDS and self.page is not None:
            self.page.set_timeout_warning(int(remaining + 0.999))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress) and self.page is not None:
            self.extend()
        return False
