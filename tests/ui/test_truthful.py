"""The citizen screen tells the truth: the reason line follows the outcome and the status, screen and voice name
the same verdict, no internal code reaches a citizen, and the staff lookup shows what the gate would."""
from __future__ import annotations

import itertools
import re

import pytest

from kiosk.core.outcome import strings
from kiosk.core.outcome.policy import Policy
from kiosk.core.outcome.result import HolderView, VerificationResult
from kiosk.core.outcome.verdicts import Outcome, Reason, Status, Verdict
from kiosk.core.outcome.view import verdict_view

HOLDER = HolderView("李*", "440106********0032")
# The word both the screen and the loudspeaker must contain, per outcome and language (spoken Cantonese is
# colloquial: 請搵職員 is said where 請聯絡職員 is written; both name 職員).
SAME_WORD = {"PASS": {"zh-Hans": "通过", "zh-Hant-HK": "通過", "en": "pass"},
             "STOP": {"zh-Hans": "停", "zh-Hant-HK": "停", "en": "stop"},
             "SEE_STAFF": {"zh-Hans": "工作人员", "zh-Hant-HK": "職員", "en": "staff"}}


def card(status: Status) -> VerificationResult:
    return VerificationResult(Verdict.VALID, Reason.OK, "ID_CARD", status=status, pass_type="resident", holder=HOLDER)


@pytest.mark.parametrize("status,outcome,words", [
    (Status.RED, Outcome.STOP, ("健康码红码", "紅碼", "Status red")),
    (Status.YELLOW, Outcome.SEE_STAFF, ("健康码黄码", "黃碼", "Status yellow")),
    (Status.YELLOW, Outcome.STOP, ("健康码黄码", "黃碼", "Status yellow")),  # a site that stops yellow
])
def test_red_and_yellow_cards_state_their_status_never_valid(make_window, status, outcome, words):
    win = make_window()
    win.show_result(card(status), outcome)
    shown = " ".join(win.verdict_page.visible_text())
    assert all(word in shown for word in words), shown
    assert not any(ok in shown for ok in ("核验通过", "核對通過", "Checked and valid")), shown


@pytest.mark.parametrize("outcome", list(Outcome))
@pytest.mark.parametrize("language", strings.LANGUAGES)
def test_screen_and_voice_name_the_same_verdict(make_window, outcome, language):
    win = make_window(languages=(language,) + tuple(lg for lg in strings.LANGUAGES if lg != language))
    result = card(Status.GREEN) if outcome is Outcome.PASS else card(Status.RED)
    win.show_result(result, outcome)
    prompt = strings.OUTCOME_PROMPTS[outcome.value]
    assert win.voice.history[-1] == (prompt, language)
    assert win.voice.queued[:2] == ["tone.wav", f"{prompt}.{language}.wav"]
    word = SAME_WORD[outcome.value][language]
    assert word in win.verdict_page.word.text().lower()
    assert word in strings.spoken(prompt, language).lower()
    assert strings.text(f"hint.{outcome.value}", language) in win.last_announcement


def test_a_failed_card_read_says_see_staff_on_screen_and_aloud(make_window):
    win = make_window()
    failed = VerificationResult(Verdict.TECHNICAL_ERROR, Reason.CARD_READ_FAILED, "ID_CARD")
    outcome = Policy().outcome(failed)
    win.show_result(failed, outcome)
    shown = " ".join(win.verdict_page.visible_text())
    assert outcome is Outcome.SEE_STAFF and "请找工作人员" in shown and win.voice.last_key == "see_staff"
    assert not any(again in shown for again in ("重新", "again", "Lay"))  # no instruction the voice contradicts


def test_no_internal_code_ever_reaches_a_citizen(make_window):
    win = make_window()
    codes = {r.value for r in Reason} | {v.value for v in Verdict} | {"KP1", "HC1", "SHC", "ID_CARD", "UNKNOWN",
                                                                      "resident", "health-status", "hmt_permit"}
    pattern = re.compile(r"[A-Z]{2,}_[A-Z_]+|KP1|HC1|\bSHC\b|resident|health-status|hmt_permit|foreign_20")
    formats = ("KP1", "HC1", "SHC", "ID_CARD", "UNKNOWN")
    pass_types = ("health-status", "resident", "vaccination", "hmt_permit", "foreign_2023", "")
    for verdict, reason, fmt, pass_type, status in itertools.product(
            Verdict, list(Reason)[::3], formats, pass_types, (None, Status.GREEN, Status.RED)):
        result = VerificationResult(verdict, reason, fmt, status=status, pass_type=pass_type, holder=HOLDER)
        view = verdict_view(result, Policy().outcome(result))
        for language in strings.LANGUAGES:
            texts = view.texts(language)
            for text in (texts.word, texts.reason, texts.hint, view.identity_line(language)):
                assert not pattern.search(text), (text, verdict, reason, fmt, pass_type)
                assert text not in codes
    win.show_result(VerificationResult(Verdict.VALID, Reason.OK, "ID_CARD", status=Status.GREEN,
                                       pass_type="resident", holder=HOLDER), Outcome.PASS)
    assert "居民身份证" in " ".join(win.verdict_page.visible_text())  # the document, in the screen's words


def test_the_staff_lookup_shows_the_gates_badge_colour_and_status(make_window):
    from kiosk.ui.shared.services import UiServices
    from kiosk.ui.shared.theme import VERDICT
    site = Policy().merged({"statuses": {"yellow": "STOP"}})  # a site that stops yellow
    yellow = card(Status.YELLOW)
    win = make_window(services=UiServices(lookup=lambda _n: verdict_view(yellow, site.outcome(yellow))))
    win.staff.ask_pin("staff")
    win.staff.page.submit("2468")
    win.staff.page.lookup("11010519491231002X")
    page = win.staff.page
    assert page.badge.text() == "停止" and VERDICT["STOP"].background in page.badge.styleSheet()
    assert page.badge_icon.shape == "octagon-bar" and not page.badge_icon.isHidden()
    assert "健康码黄码" in page.result.text() and "核验通过" not in page.result.text()
