"""Every citizen, staff and admin state, in every language, on the six panels: the window keeps the panel's
size, every element is fully on screen, no text is clipped, the control strip stays pinned at the bottom."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from kiosk.core.outcome.strings import LANGUAGES
from kiosk.ui.gallery import sample_services, states
from kiosk.ui.layout_probe import measure, problems, settle
from kiosk.ui.shared.settings import PANELS, UiSettings
from kiosk.ui.window import KioskWindow


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("panel", list(PANELS), ids=lambda p: f"{p[0]}x{p[1]}")
def test_every_state_fits_the_panel(qapp, panel, language):
    order = (language,) + tuple(lg for lg in LANGUAGES if lg != language)
    settings = UiSettings(languages=order, voice_enabled=False, hold_seconds=3600).for_panel(*panel)
    win = KioskWindow(settings, services=sample_services())
    win.show()
    try:
        for name, action in states(win) + [("lift-hint", lambda: _lift(win))]:
            if win.staff.mode:
                win.staff.close()
            action()
            settle(win)
            assert (win.width(), win.height()) == panel, name  # the window never grows
            elements = measure(win)
            assert elements, name
            assert not problems(elements), (name, [e for e in problems(elements)])
            if win.bar.isVisible():
                strip = win.bar.geometry()
                assert strip.bottom() == panel[1] - 1, name  # pinned to the bottom edge
                assert {e.element for e in elements} >= {"repeat", "louder", "call-staff"}, name
            if name.startswith("verdict") or name == "lift-hint":
                names = {e.element.split(":")[0] for e in elements}
                assert {"verdict-word", "reason", "verdict-icon"} <= names, (name, names)
    finally:
        win.close()
        win.deleteLater()
        QApplication.processEvents()


def _lift(win: KioskWindow) -> None:
    from kiosk.ui.gallery import sample_result
    from kiosk.core.outcome.verdicts import Outcome
    from dataclasses import replace
    card = replace(sample_result("STOP"), format="ID_CARD")
    win.show_result(card, Outcome.STOP)
    win.verdict_page.show_lift_hint()


def test_text_stays_above_the_floor_on_every_panel(qapp):
    """Fitting never takes instruction text below a 7.33 mm capital H on the configured panel."""
    from PySide6.QtGui import QFontMetricsF
    for panel in PANELS:
        settings = UiSettings(voice_enabled=False, hold_seconds=3600).for_panel(*panel)
        win = KioskWindow(settings)
        win.show()
        settle(win)
        for _, label in win.idle_page._lines:
            if not label.isHidden():
                assert QFontMetricsF(label.font()).capHeight() * settings.pixel_pitch_mm >= 7.33 - 0.05, panel
        win.close()
        win.deleteLater()


def test_a_long_name_wraps_instead_of_running_off_a_narrow_panel(qapp):
    from kiosk.core.outcome.result import HolderView, VerificationResult
    from kiosk.core.outcome.verdicts import Outcome, Reason, Verdict
    settings = UiSettings(languages=("en", "zh-Hans", "zh-Hant-HK"), voice_enabled=False,
                          hold_seconds=3600).for_panel(800, 1280)
    win = KioskWindow(settings)
    win.show()
    long_name = VerificationResult(Verdict.VALID, Reason.OK, "HC1", pass_type="vaccination",
                                   holder=HolderView(name="WOLFESCHLEGELSTEINHAUSENBERGERDORFF", birth_date="1949-12-31"))
    win.show_result(long_name, Outcome.PASS)
    settle(win)
    assert not problems(measure(win)), problems(measure(win))
    win.close()
    win.deleteLater()
