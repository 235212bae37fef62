"""Contrast measured on rendered pixels: ≥ 7:1 for citizen text, ≥ 4.5:1 on staff screens, 3:1 for icons and
buttons; PASS vs STOP backgrounds ≥ 3:1 in luminance under simulated deuteranopia and protanopia."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QPushButton

from kiosk.core.outcome.verdicts import Outcome
from tests.ui.pixels import DEUTERANOPIA, PROTANOPIA, contrast, simulated_luminance, text_contrast


def _label_contrasts(page):
    for label in page.findChildren(QLabel):
        if label.isVisible() and label.text():
            yield label.text(), text_contrast(page.grab(label.geometry()).toImage())[0]


@pytest.mark.parametrize("outcome", list(Outcome))
def test_verdict_text_and_icon_contrast_at_least_7_to_1(make_window, valid_result, outcome):
    win = make_window()
    win.show_result(valid_result, outcome)
    page = win.verdict_page
    measured = list(_label_contrasts(page))
    assert len(measured) >= 4
    for text, ratio in measured:
        assert ratio >= 7.0, (outcome, text, ratio)
    icon_ratio = text_contrast(page.grab(page.icon.geometry()).toImage())[0]
    assert icon_ratio >= 3.0


@pytest.mark.parametrize("state", ["idle", "reading", "unavailable", "paused"])
def test_other_citizen_screens_at_least_7_to_1(make_window, state):
    win = make_window()
    if state == "reading":
        win.show_reading("card")
    elif state == "unavailable":
        win.show_device_status("trust", False, "expired")
    elif state == "paused":
        win.set_paused(True)
    assert win.current_state() == state
    page = win._stack.currentWidget()
    measured = list(_label_contrasts(page))
    assert measured
    assert all(ratio >= 7.0 for _, ratio in measured), measured


def test_citizen_buttons_at_least_7_to_1_text_and_3_to_1_edge(make_window, valid_result):
    win = make_window()
    for outcome in Outcome:
        win.show_result(valid_result, outcome)
        strip_background = text_contrast(win.bar.grab().toImage())[1]
        for button in win.bar.findChildren(QPushButton):
            assert text_contrast(button.grab(button.rect().adjusted(8, 8, -8, -8)).toImage())[0] >= 7.0
            ring = button.grab().toImage().pixelColor(1, button.height() // 2)  # the white border
            fill = button.grab().toImage().pixelColor(12, button.height() // 2)
            edge = max(contrast((c.red(), c.green(), c.blue()), strip_background) for c in (ring, fill))
            assert edge >= 3.0, (outcome, button.text(), edge)


def test_staff_screens_at_least_4_5_to_1(make_window):
    win = make_window()
    win.staff.ask_pin("staff")
    win.staff.page.submit("2468")
    assert win.current_state() == "staff"
    measured = list(_label_contrasts(win.staff.page))
    assert measured and all(ratio >= 4.5 for _, ratio in measured), measured


@pytest.mark.parametrize("matrix", [DEUTERANOPIA, PROTANOPIA], ids=["deuteranopia", "protanopia"])
def test_pass_and_stop_differ_in_luminance_for_red_green_colour_blindness(make_window, valid_result, matrix):
    win = make_window()
    backgrounds = {}
    for outcome in (Outcome.PASS, Outcome.STOP):
        win.show_result(valid_result, outcome)
        backgrounds[outcome] = text_contrast(win.verdict_page.grab().toImage())[1]
    light = simulated_luminance(backgrounds[Outcome.PASS], matrix)
    dark = simulated_luminance(backgrounds[Outcome.STOP], matrix)
    assert (max(light, dark) + 0.05) / (min(light, dark) + 0.05) >= 3.0


def test_palette_pairs_meet_their_targets(qapp):
    from PySide6.QtGui import QColor

    from kiosk.ui.shared import theme
    for scheme in (theme.IDLE, theme.READING, theme.UNAVAILABLE, *theme.VERDICT.values()):
        assert theme.contrast_ratio(QColor(scheme.background), QColor(scheme.foreground)) >= 7.0, scheme
    assert theme.contrast_ratio(QColor(theme.STAFF.background), QColor(theme.STAFF.foreground)) >= 7.0
    assert theme.contrast_ratio(QColor(theme.STAFF_ACCENT), QColor("#FFFFFF")) >= 7.0  # button text
    assert theme.contrast_ratio(QColor(theme.FOCUS_RING), QColor(theme.STAFF.background)) >= 3.0
