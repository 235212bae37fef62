"""The staff screen's gate row: present only when the app offers gate control, each button reaches the
callback with the staff role from the keyboard, and a failing callback is shown, never a crash."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from kiosk.ui.shared.services import UiServices
from kiosk.ui.staff.page import StaffPage
from tests.ui.test_staff_admin import tab_to


def staff_page(win) -> StaffPage:
    win.staff._open("staff")
    return win.staff.page


def test_no_gate_row_without_gate_control(make_window):
    assert staff_page(make_window(services=UiServices())).gate is None


def test_every_gate_button_reaches_the_callback_with_the_staff_role_from_the_keyboard(make_window):
    calls = []
    win = make_window(services=UiServices(gate=lambda action, role: calls.append((action, role)) or f"{action} done"),
                      languages=("en", "zh-Hans", "zh-Hant-HK"))
    page = staff_page(win)
    assert [b.text() for b in page.gate.buttons.values()] == ["Open once", "Hold open", "Lock", "Normal"]
    for action in ("open_once", "hold_open", "lock", "normal"):
        tab_to(win, f"gate.{action}")
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
        assert page.gate.feedback.text() == f"{action} done"
    assert calls == [(a, "staff") for a in ("open_once", "hold_open", "lock", "normal")]


def test_a_failing_gate_callback_is_shown_not_raised(make_window):
    def broken(action: str, role: str) -> str:
        raise OSError("relay gone")

    page = staff_page(make_window(services=UiServices(gate=broken)))
    page.gate.press("open_once")
    assert "relay gone" in page.gate.feedback.text()


def test_the_answer_is_shown_in_the_staff_language(make_window):
    page = staff_page(make_window(services=UiServices(gate=lambda action, role: f"gate.done.{action}")))
    page.gate.press("lock")
    assert page.gate.feedback.text() == "闸门已锁定"  # the default first language, Simplified Chinese
