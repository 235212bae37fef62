"""KioskWindow's citizen flow offscreen: idle -> reading -> verdict -> idle, and no personal data left over."""
from __future__ import annotations

import threading

import pytest

from kiosk.core.verdicts import Outcome
from kiosk.ui.bridge import EventBridge
from kiosk.ui.settings import UiSettings
from kiosk.ui.window import KioskWindow


@pytest.fixture
def window(qtbot):
    win = KioskWindow(UiSettings(hold_seconds=0.05))
    qtbot.addWidget(win)
    win.show()
    return win


def test_starts_idle_with_instructions_in_every_language(window):
    assert window.current_state() == "idle"
    text = " ".join(window.idle_page.visible_text())
    assert "请把身份证放在这里" in text and "請把身份證放在這裏" in text and "Lay your ID card here" in text


def test_pass_verdict_shows_word_reason_and_masked_identity_then_clears(window, qtbot, valid_result):
    window.show_reading("code")
    assert window.current_state() == "reading"
    window.show_result(valid_result, Outcome.PASS)
    assert window.current_state() == "verdict"
    shown = " ".join(window.verdict_page.visible_text())
    assert "通过" in shown and "PASS" in shown and "110105********002X" in shown and "张*" in shown
    assert "1949" not in shown  # the birth date is for staff eyes only, never on the citizen screen
    qtbot.waitUntil(lambda: window.current_state() == "idle", timeout=2000)
    assert window.verdict_page.visible_text() == []


def test_card_verdict_waits_for_the_card_to_be_lifted(window, qtbot, card_result):
    window.show_reading("card")
    window.show_result(card_result, Outcome.PASS)
    with qtbot.waitSignal(window.state_changed, timeout=500, raising=False) as blocker:
        pass
    assert not blocker.signal_triggered and window.current_state() == "verdict"
    with qtbot.waitSignal(window.state_changed, timeout=2000) as blocker:
        window.card_lifted()
    assert blocker.args == ["idle"]


@pytest.mark.parametrize("outcome", [Outcome.STOP, Outcome.SEE_STAFF, "NONSENSE", None])
def test_stop_and_unknown_outcomes(window, expired_result, outcome):
    window.show_result(expired_result, outcome)
    assert window.verdict_page.outcome == ("STOP" if outcome == Outcome.STOP else "SEE_STAFF")


def test_bridge_delivers_events_from_a_worker_thread_on_the_gui_thread(qtbot):
    bridge = EventBridge()
    seen: list[tuple[object, bool]] = []
    bridge.received.connect(lambda ev: seen.append((ev, threading.current_thread() is threading.main_thread())))
    worker = threading.Thread(target=bridge.post, args=("card-present",))
    worker.start()
    worker.join(5)
    qtbot.waitUntil(lambda: bool(seen), timeout=2000)
    assert seen == [("card-present", True)]
