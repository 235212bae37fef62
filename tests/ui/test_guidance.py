"""Idle and fault states that guide, the staff door, help calls, Escape on the PIN page, audio looked at again,
and what screen readers hear on the staff screens."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest

from kiosk.ui.shared.services import UiServices


def test_the_idle_picture_points_toward_the_configured_reader(make_window):
    win = make_window(reader_position="left", camera_position="left")
    pictogram = win.idle_page._pictogram
    assert pictogram.alignment() == Qt.AlignmentFlag.AlignLeft
    name = QAccessible.queryAccessibleInterface(pictogram).text(QAccessible.Text.Name)
    assert "(left of the screen)" in name and "（在屏幕左边）" in name


def test_each_missing_device_gets_a_sentence_and_a_crossed_out_picture(make_window):
    win = make_window()
    win.show_device_status("scanner", False, "unplugged")
    win.show_device_status("camera", False, "no camera")
    shown = " ".join(win.idle_page.visible_text())
    assert "Codes cannot be read now. Please use your ID card" in shown and "Lay your ID card here" in shown
    assert win.idle_page._pictogram.signs() == ["card"] and win.idle_page._pictogram.missing() == ["code"]
    name = QAccessible.queryAccessibleInterface(win.idle_page._pictogram).text(QAccessible.Text.Name)
    assert "Pass code crossed out" in name


def test_every_input_gone_says_see_staff_on_screen_and_aloud(make_window):
    win = make_window()
    for device in ("reader", "scanner", "camera"):
        win.show_device_status(device, False, "gone")
    assert win.current_state() == "unavailable"
    assert "Please see staff" in " ".join(win.notice_page.visible_text())
    assert win.voice.last_key == "unavailable" and "see staff" in \
        __import__("kiosk.core.outcome.strings", fromlist=["spoken"]).spoken("unavailable", "en").lower()


def test_call_staff_is_no_door_but_raises_a_visible_and_audible_alert(make_window):
    calls = []
    win = make_window(services=UiServices(help_changed=calls.append))
    win.bar.call_staff.click()
    assert win.current_state() == "idle"  # a passer-by reaches no PIN page
    assert win.help_requested() and calls == [True]
    assert win.voice.queued[0] == "alert.wav" and win.voice.last_key == "help_called"
    assert win.bar.call_staff.text() == "已呼叫工作人员"
    win.staff.ask_pin("staff")
    win.staff.page.submit("2468")
    assert win.staff.page.help_banner.isVisibleTo(win.staff.page)
    win.staff.page.findChild(type(win.bar.repeat), "button.help_done").click()
    assert not win.help_requested() and calls == [True, False]
    assert win.staff.page.help_banner.isHidden()


def test_escape_cancels_the_pin_page(make_window, qtbot):
    win = make_window()
    win.staff.ask_pin("staff")
    assert win.current_state() == "pin:staff"
    QTest.keyClick(win.staff.page.keypad.entry, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: win.current_state() == "idle", timeout=2000)


def test_audio_is_looked_at_again_while_running(make_window):
    win = make_window()
    truth = win.voice._probe()
    changes = []
    win.voice.audio_changed.connect(lambda ok, detail: changes.append(ok))
    win.voice._set_audio(not truth[0], "pretend the other way")
    win.voice.recheck_audio()  # what the device-change signal and the 30 s timer call
    assert (win.voice.audio_ok, win.voice.audio_detail) == truth and changes == [not truth[0], truth[0]]


def test_screen_readers_hear_the_messages_themselves(make_window, valid_result):
    win = make_window(services=UiServices(lookup=lambda _n: valid_result))
    win.staff.ask_pin("staff")
    win.staff.page.submit("0000")
    message = QAccessible.queryAccessibleInterface(win.staff.page.message).text(QAccessible.Text.Name)
    assert message == "密码错误"
    win.staff.page.submit("2468")
    win.staff.page.lookup("11010519491231002X")
    name = QAccessible.queryAccessibleInterface(win.staff.page.result).text(QAccessible.Text.Name)
    assert name.startswith("通过") and "110105" not in name
    feedback = QAccessible.queryAccessibleInterface(win.staff.page.feedback).text(QAccessible.Text.Name)
    assert feedback == win.staff.page.feedback.text()


def test_a_wrong_ui_key_value_is_a_config_error_naming_the_key(tmp_path):
    import pytest

    from kiosk.app import make_window
    from kiosk.config import ConfigError, config_from_dict
    from kiosk.datadir import DataDir
    from kiosk.ui.shared.settings import UiSettings
    with pytest.raises(ValueError, match="reader_position"):
        UiSettings(reader_position="behind")
    with pytest.raises(ConfigError, match="screen_size"):  # checked up front by the config parse, before any window
        make_window(config_from_dict({"ui": {"screen_size": [1280]}}), DataDir(tmp_path))
