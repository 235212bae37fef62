"""Sizes in millimetres from the configured pixel pitch: capital H, line spacing, touch targets."""
from __future__ import annotations

import pytest
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit

from kiosk.core.outcome.verdicts import Outcome
from kiosk.ui.shared.settings import UiSettings

H_MIN_MM = 7.33
TARGET_MIN_MM = 9.53


def _cap_mm(widget, pitch):
    return QFontMetricsF(widget.font()).capHeight() * pitch


@pytest.mark.parametrize("pitch", [0.179, 0.2745, 0.12])  # 15.6" FHD, 21.5" 1366x768 (approx.), 15.6" 4K-ish
def test_capital_h_of_instructions_and_verdict_word(make_window, valid_result, pitch):
    win = make_window(UiSettings(pixel_pitch_mm=pitch, hold_seconds=60, screen_size=(4000, 3000)))
    for label in win.idle_page.findChildren(QLabel):
        if label.text():
            assert _cap_mm(label, pitch) >= H_MIN_MM, label.text()
    win.show_result(valid_result, Outcome.PASS)
    rows = [lbl for lbl in win.verdict_page.findChildren(QLabel) if lbl.isVisible() and lbl.text()]
    assert all(_cap_mm(lbl, pitch) >= H_MIN_MM for lbl in rows)
    word = _cap_mm(win.verdict_page.word, pitch)
    assert word >= 2.5 * H_MIN_MM  # "far larger"


def test_line_spacing_at_least_1_3_times_the_font_size(make_window):
    win = make_window()
    for label in win.idle_page.findChildren(QLabel):
        if label.text():
            metrics = QFontMetricsF(label.font())
            assert metrics.lineSpacing() >= 1.3 * label.font().pixelSize() - 0.5, label.text()


def _targets(root):
    return [w for w in root.findChildren(QAbstractButton) + root.findChildren(QLineEdit) if w.isVisible()]


def _assert_targets(widgets, pitch):
    assert widgets
    for widget in widgets:
        assert widget.width() * pitch >= TARGET_MIN_MM and widget.height() * pitch >= TARGET_MIN_MM, \
            (widget.text(), widget.width(), widget.height())


def test_touch_targets_on_citizen_staff_and_admin_screens(make_window):
    win = make_window()
    pitch = win.settings.pixel_pitch_mm
    _assert_targets(_targets(win.bar), pitch)
    win.staff.ask_pin("staff")
    _assert_targets(_targets(win.staff.page), pitch)
    win.staff.page.submit("2468")
    _assert_targets(_targets(win.staff.page), pitch)
    win.staff.ask_pin("admin")
    win.staff.page.submit("135790")
    assert win.current_state() == "admin"
    _assert_targets(_targets(win.staff.page), pitch)


def _clipped(root):
    from PySide6.QtWidgets import QPushButton
    bad = []
    for widget in root.findChildren(QLabel) + root.findChildren(QPushButton):
        if not widget.isVisible() or not widget.text():
            continue
        hint = widget.minimumSizeHint()
        need_h = widget.heightForWidth(widget.width()) if widget.hasHeightForWidth() else hint.height()
        if widget.width() < hint.width() - 1 or widget.height() < need_h - 1:
            bad.append((widget.text()[:30], widget.size(), hint, need_h))
    return bad


@pytest.mark.parametrize("role,pin", [("staff", "2468"), ("admin", "135790")])
def test_staff_screens_survive_200_percent_text_without_clipping(make_window, qtbot, role, pin):
    from kiosk.ui.gallery import sample_services
    win = make_window(services=sample_services(), staff_text_scale=2.0)
    win.staff.ask_pin(role)
    win.staff.page.submit(pin)
    qtbot.waitUntil(lambda: win.staff.page.isVisible())
    qtbot.wait(50)  # let the layout settle at its final size
    from kiosk.ui.staff.common import Sizes
    assert win.staff.page.sizes.text >= 1.9 * Sizes(win.settings.replace(staff_text_scale=1.0)).text
    assert not _clipped(win.staff.page)
    if role == "admin":  # the admin panel no longer fits at 200 %: it scrolls instead of clipping
        qtbot.waitUntil(lambda: win.staff.container.verticalScrollBar().maximum() > 0, timeout=30_000)


def test_a_new_pixel_pitch_from_the_admin_panel_resizes_text_and_targets(make_window, valid_result):
    win = make_window()
    before = win.idle_page._lines[0][1].font().pixelSize()
    win.apply_settings(win.settings.replace(pixel_pitch_mm=0.25))  # a coarser panel needs more pixels per mm
    assert win.idle_page._lines[0][1].font().pixelSize() < before
    label = win.idle_page._lines[0][1]
    assert _cap_mm(label, 0.25) >= H_MIN_MM
    win.show_result(valid_result, Outcome.PASS)
    assert _cap_mm(win.verdict_page.word, 0.25) >= 2.5 * H_MIN_MM
    assert win.bar.repeat.minimumWidth() * 0.25 >= TARGET_MIN_MM


def test_focus_is_visible_on_staff_controls(make_window):
    from PySide6.QtWidgets import QApplication
    win = make_window()
    win.staff.ask_pin("staff")
    win.staff.page.submit("2468")
    button = win.staff.page.pause
    plain = button.grab().toImage()
    button.setFocus()
    QApplication.processEvents()
    focused = button.grab().toImage()
    assert plain != focused  # the focus ring changes the pixels
