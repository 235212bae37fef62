"""Staff and admin flows from the keyboard alone: PINs and lockout, the ID lookup with check-character
validation as typed, counts, pause, language, timeout warning; admin sync, export, settings; kiosk mode exit."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from kiosk.core.outcome import strings
from kiosk.ui.staff.access import PinGuard, id_entry_feedback
from kiosk.ui.shared.services import UiServices

VALID_ID = "11010519491231002X"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def type_and_enter(text: str) -> None:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has keyboard focus"
    QTest.keyClicks(widget, text)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)


def tab_to(win, object_name: str, limit: int = 80) -> None:
    for _ in range(limit):
        if QApplication.focusWidget() is not None and QApplication.focusWidget().objectName() == object_name:
            return
        QTest.keyClick(QApplication.focusWidget() or win, Qt.Key.Key_Tab)
    raise AssertionError(f"{object_name} cannot be reached with Tab")


def test_id_entry_feedback_as_typed():
    assert id_entry_feedback("1101").fields == {"count": 14}
    assert id_entry_feedback(VALID_ID[:17]).accept_x
    assert not id_entry_feedback(VALID_ID[:16]).accept_x
    assert id_entry_feedback(VALID_ID).state == "valid"
    assert id_entry_feedback(VALID_ID.lower()).state == "valid"
    assert id_entry_feedback(VALID_ID[:17] + "5").state == "bad_check"
    assert id_entry_feedback("11X").state == "bad_char"


def test_pin_guard_locks_after_failures_and_unlocks_later():
    guard = PinGuard(3, 300)
    for _ in range(3):
        guard.record(False, 10.0)
    assert guard.is_locked(10.0) and guard.remaining(100.0) == pytest.approx(210.0)
    assert not guard.is_locked(311.0)


def test_pin_lockouts_escalate_survive_a_restart_and_end_with_a_right_pin(tmp_path):
    store = tmp_path / "lockouts.json"
    guard = PinGuard(3, 60, store, "staff")
    for now in (0.0, 1.0, 2.0):
        guard.record(False, now)
    assert guard.remaining(2.0) == pytest.approx(60.0)
    for now in (70.0, 71.0, 72.0):
        guard.record(False, now)
    assert guard.remaining(72.0) == pytest.approx(120.0)  # the second lockout is twice as long
    again = PinGuard(3, 60, store, "staff")  # a restart (power cut, reboot) does not lift it
    assert again.remaining(72.0) == pytest.approx(120.0)
    assert not PinGuard(3, 60, store, "admin").is_locked(72.0)  # staff and admin are counted apart
    for now in (300.0, 301.0, 302.0):
        again.record(False, now)
    assert again.remaining(302.0) == pytest.approx(240.0)
    assert again.remaining(-1e9) == 3600.0  # a clock set far back cannot lock staff out for longer than an hour
    again.record(True, 1000.0)
    assert PinGuard(3, 60, store, "staff").lockouts == 0


def test_staff_flow_keyboard_only(make_window, qtbot, valid_result):
    looked_up, paused = [], []
    services = UiServices(lookup=lambda number: looked_up.append(number) or valid_result,
                          counts=lambda: {"PASS": 5, "STOP": 1}, set_paused=paused.append)
    win = make_window(services=services)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=2000)
    QTest.keyClick(win, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    assert win.current_state() == "pin:staff"
    type_and_enter("2468")
    assert win.current_state() == "staff"
    page = win.staff.page
    assert "5" in page.counts.text() and "1" in page.counts.text()
    QTest.keyClicks(QApplication.focusWidget(), VALID_ID[:10])
    assert not page.keypad.keys["X"].isEnabled()
    QTest.keyClicks(QApplication.focusWidget(), "X")  # refused: X only as the 18th character
    assert page.keypad.text() == VALID_ID[:10]
    QTest.keyClicks(QApplication.focusWidget(), VALID_ID[10:17])
    assert page.keypad.keys["X"].isEnabled()
    QTest.keyClicks(QApplication.focusWidget(), "5")
    assert page.feedback.text() == "校验位不符，号码输错了"
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert looked_up == []  # a mistyped number is never looked up
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backspace)
    type_and_enter("x")
    assert looked_up == [VALID_ID]
    assert "110105********002X" in page.result.text() and "1949-12-31" in page.result.text()
    tab_to(win, "button.pause")
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert paused == [True]
    tab_to(win, "button.close")
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert win.current_state() == "paused"


@pytest.mark.parametrize("screen", ["pin", "staff"])
def test_staff_timeout_warns_20_s_ahead_and_more_time_extends(make_window, screen):
    win = make_window()
    clock = Clock()
    win.staff.clock = clock
    win.staff.ask_pin("staff")
    if screen == "staff":
        win.staff.page.submit("2468")
    clock.now += win.settings.staff_timeout_seconds - 15
    win.staff._on_tick()
    assert win.staff.page.more.isVisible() and "15" in win.staff.page.timeout.text()
    win.staff.page.more.click()
    assert not win.staff.page.more.isVisible()
    clock.now += win.settings.staff_timeout_seconds + 1
    win.staff._on_tick()
    assert win.current_state() == "idle"


def test_language_switch_at_runtime_from_staff_mode(make_window):
    win = make_window()
    win.staff.ask_pin("staff")
    win.staff.page.submit("2468")
    win.choose_language("en")
    assert win.settings.languages[0] == "en"
    assert win.idle_page.visible_text()[0] == "Lay your ID card here"
    assert win.current_state() == "staff" and "Staff mode" in [lbl.text() for lbl in
                                                              win.staff.page.findChildren(type(win.staff.page.counts))]
    win.choose_language("zh-Hant-HK")
    first = win.idle_page._lines[0][1]
    assert first.text() == "請把身份證放在這裏" and first.font().families()[0] == "Noto Sans CJK HK"


def test_admin_pin_lockout_and_keyboard_panel(make_window, tmp_path):
    calls = []
    services = UiServices(sync_now=lambda: calls.append("sync") or "sync started",
                          export_to=lambda folder: calls.append(folder) or f"exported to {folder}",
                          settings_changed=lambda s: calls.append(s.volume))
    win = make_window(services=services, kiosk_mode=True)
    clock = Clock()
    win.staff.clock = clock
    win.staff.ask_pin("admin")
    for _ in range(3):
        type_and_enter("1111")
    type_and_enter("135790")  # right PIN, but locked out
    assert win.current_state() == "pin:admin" and "1:00" in win.staff.page.message.text()  # a countdown
    clock.now += 61
    type_and_enter("135790")
    assert win.current_state() == "admin", (win.staff.page.message.text(), QApplication.focusWidget())
    tab_to(win, "button.sync")
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert calls == ["sync"] and win.staff.page.message.text() == "sync started"
    win.staff.page.export_dir.setText(str(tmp_path))
    tab_to(win, "button.export")
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert calls[-1] == Path(tmp_path)
    tab_to(win, "button.louder")
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert win.settings.volume == pytest.approx(0.9) and calls[-1] == pytest.approx(0.9)


def test_kiosk_mode_cannot_be_closed_without_the_admin_panel(make_window):
    exits = []
    win = make_window(services=UiServices(exit_requested=lambda: exits.append(True)), kiosk_mode=True)
    win.show_kiosk()
    assert win.isFullScreen() and QApplication.overrideCursor().shape() == Qt.CursorShape.BlankCursor
    win.close()
    assert win.isVisible()
    win.staff.ask_pin("admin")
    win.staff.page.submit("135790")
    exit_button = win.staff.page.findChild(type(win.bar.repeat), "button.exit")
    exit_button.click()  # stopping the gate is confirmed: the first press only asks
    assert exits == [] and win.current_state() == "admin"
    assert exit_button.text() == strings.text("button.exit_confirm", win.settings.primary_language)
    exit_button.click()
    assert exits == [True] and QApplication.overrideCursor() is None


def test_failing_services_never_take_the_staff_screen_down(make_window):
    def boom(*_):
        raise RuntimeError("database is locked")
    win = make_window(services=UiServices(lookup=boom, counts=boom, health=boom, sync_now=boom, export_to=boom))
    win.staff.ask_pin("staff")
    win.staff.page.submit("2468")
    win.staff.page.lookup(VALID_ID)
    assert "database is locked" in win.staff.page.result.text()
    win.staff.ask_pin("admin")
    win.staff.page.submit("135790")
    win.staff.page.findChild(type(win.bar.repeat), "button.sync").click()
    assert "database is locked" in win.staff.page.message.text()


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789Xx", min_size=18, max_size=18))
def test_entry_feedback_agrees_with_the_core_validator(typed):
    from kiosk.core.identity.idnumber import is_valid_resident_id
    if "X" in typed[:17].upper():
        assert id_entry_feedback(typed).state == "bad_char"
    else:
        assert id_entry_feedback(typed).complete_and_valid == is_valid_resident_id(typed)


def test_touch_only_lookup_and_nothing_typed_stays_on_screen(make_window, valid_result, qtbot):
    from PySide6.QtWidgets import QLabel, QLineEdit
    looked_up = []
    win = make_window(services=UiServices(lookup=lambda n: looked_up.append(n) or valid_result),
                      staff_press_seconds=0.2)
    corner = win.staff_door_rect().center()
    QTest.mouseClick(win.idle_page, Qt.MouseButton.LeftButton, pos=corner)  # a tap there does nothing
    assert win.current_state() == "idle"
    QTest.mousePress(win.idle_page, Qt.MouseButton.LeftButton, pos=corner)  # staff hold the corner
    qtbot.waitUntil(lambda: win.current_state() == "pin:staff", timeout=3000)
    QTest.mouseRelease(win.focusWidget() or win, Qt.MouseButton.LeftButton)
    for key in "2468":
        QTest.mouseClick(win.staff.page.keypad.keys[key], Qt.MouseButton.LeftButton)
    QTest.mouseClick(win.staff.page.keypad.ok, Qt.MouseButton.LeftButton)
    assert win.current_state() == "staff"
    keypad = win.staff.page.keypad
    for key in VALID_ID:
        QTest.mouseClick(keypad.keys[key], Qt.MouseButton.LeftButton)
    QTest.mouseClick(keypad.ok, Qt.MouseButton.LeftButton)
    assert looked_up == [VALID_ID]
    QTest.mouseClick(win.staff.page.findChild(type(win.bar.repeat), "button.close"), Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    texts = [w.text() for w in win.findChildren(QLabel) + win.findChildren(QLineEdit)]
    assert not any(VALID_ID in text or "1949-12-31" in text for text in texts)
