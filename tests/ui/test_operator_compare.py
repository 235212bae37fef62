"""An international pass names its holder: the operator compares name and birth date with an ID document, so a
valid one shows them (for the verdict's hold only); anything else shows the masked name alone."""
from __future__ import annotations

from kiosk.core.outcome.result import HolderView, VerificationResult
from kiosk.core.outcome.verdicts import Outcome, Reason, Verdict

HOLDER = HolderView(masked_name="M*** G******", name="Gabriele Musterfrau", birth_date="1998-02-26")


def test_a_valid_international_pass_shows_name_and_birth_date(make_window):
    window = make_window()
    window.show_result(VerificationResult(Verdict.VALID, Reason.OK, "HC1", holder=HOLDER), Outcome.PASS)
    shown = " ".join(window.verdict_page.visible_text())
    assert "Gabriele Musterfrau" in shown and "1998-02-26" in shown


def test_an_invalid_pass_shows_only_the_masked_name(make_window):
    window = make_window()
    window.show_result(VerificationResult(Verdict.INVALID, Reason.SIGNATURE_INVALID, "HC1", holder=HOLDER),
                       Outcome.STOP)
    shown = " ".join(window.verdict_page.visible_text())
    assert "Musterfrau" not in shown and "1998" not in shown and "M*** G******" in shown
