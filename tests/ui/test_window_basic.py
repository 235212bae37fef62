"""KioskWindow's citizen flow offscreen: idle -> reading -> verdict -> idle, and no personal data left over."""
from __future__ import annotations

import threading

import pytest

from kiosk.core.outcome.verdicts import Outcome
from kiosk.ui.shared.bridge import EventBridge
from kiosk.ui.shared.settings import UiSettings
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


def test_card_left_on_the_reader_gets_a_hint_then_is_cleared(qtbot, card_result):
    win = KioskWindow(UiSettings(hold_seconds=0.05, card_forgotten_seconds=0.3))
    qtbot.addWidget(win)
    win.show_reading("card")
    win.show_result(card_result, Outcome.PASS)
    qtbot.waitUntil(lambda: "Please take your card" in win.verdict_page.visible_text(), timeout=2000)
    assert win.current_state() == "verdict"
    qtbot.waitUntil(lambda: win.current_state() == "idle", timeout=3000)
    assert win.verdict_page.visible_text() == []


def test_losing_the_reader_releases_a_held_card_verdict(window, qtbot, card_result):
    window.show_reading("card")
    window.show_result(card_result, Outcome.STOP)
    qtbot.wait(100)
    window.show_device_status("reader", False, "USB unplugged")
    assert window.current_state() == "idle"
    assert "Lay your ID card here" not in " ".join(window.idle_page.visible_text())
    shown = " ".join(window.idle_page.visible_text())
    assert "Please show your pass code" in shown and "The card reader is not working now" in shown
    assert window.idle_page._pictogram.signs() == ["code"]  # no card picture for a reader that is gone


def test_each_language_line_names_the_verdict_before_its_reason(qtbot, expired_result):
    win = KioskWindow(UiSettings(languages=("en", "zh-Hans", "zh-Hant-HK")))
    qtbot.addWidget(win)
    win.show_result(expired_result, Outcome.STOP)
    shown = win.verdict_page.visible_text()
    assert shown[:4] == ["STOP", "This pass has expired", "停止：通行证已过期", "停止：通行證已過期"]


def test_a_card_check_holds_until_lifted_even_without_show_reading(window, qtbot, card_result):
    window.show_result(card_result, Outcome.PASS)  # the app may go straight from CardPresented to the verdict
    qtbot.waitUntil(lambda: window.verdict_page.visible_text()[-1].startswith("Please take"), timeout=2000)
    assert window.current_state() == "verdict"
    window.card_lifted()
    assert window.current_state() == "idle"


def test_a_staff_lookup_that_the_app_also_shows_stays_on_the_staff_screen(qtbot, card_result):
    from kiosk.ui.shared.services import UiServices
    win = KioskWindow(UiSettings(hold_seconds=0.05))
    qtbot.addWidget(win)

    def lookup(number):  # like Kiosk.lookup_id: logs and shows the check, then returns it
        win.show_result(card_result, Outcome.PASS)
        return card_result
    win.set_services(UiServices(lookup=lookup))
    win.staff.ask_pin("staff")
    win.staff.page.submit("2468")
    win.staff.page.lookup("11010519491231002X")
    assert win.current_state() == "staff" and "440301********1234" in win.staff.page.result.text()
    assert win.verdict_page.visible_text() == []
