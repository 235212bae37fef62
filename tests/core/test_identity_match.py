"""Identity binding: pass and card presented together, in either order, within the window."""
from __future__ import annotations

from datetime import timedelta

from kiosk.core.identity.card import CardIdentity, CardType
from kiosk.core.identity.identity_match import IdentityPairing, PairState
from kiosk.core.outcome.policy import Policy
from kiosk.core.outcome.result import VerificationResult
from kiosk.core.outcome.verdicts import Outcome, Reason, Verdict
from kiosk.core.checks.verify import verify_text
from tests.core.kit import ID_A, ID_B, NOW, Issuer, later, trust_for

ISSUER = Issuer()
TRUST = trust_for(ISSUER)
PASS_A = verify_text(ISSUER.seal(ISSUER.claims(ID_A)), TRUST, NOW)


def card(id_number: str) -> tuple[CardIdentity, VerificationResult]:
    identity = CardIdentity(CardType.RESIDENT, "张三", id_number, "1", "19491231", "20200101", "长期")
    return identity, VerificationResult(Verdict.VALID, Reason.OK, "ID_CARD", holder=identity.holder_view())


def test_pass_then_matching_card():
    pairing = IdentityPairing(timedelta(seconds=30))
    assert pairing.present_pass(PASS_A, NOW).state is PairState.WAITING_FOR_CARD
    decision = pairing.present_card(*card(ID_A), later(seconds=10))
    assert decision.state is PairState.MATCHED and decision.result.verdict is Verdict.VALID
    assert decision.result.holder.masked_id == "110105********002X"
    assert Policy().outcome(decision.result) is Outcome.PASS
    assert pairing.waiting is None


def test_card_then_someone_elses_pass_is_a_mismatch():
    pairing = IdentityPairing(timedelta(seconds=30))
    assert pairing.present_card(*card(ID_B), NOW).state is PairState.WAITING_FOR_PASS
    decision = pairing.present_pass(PASS_A, later(seconds=29))
    assert decision.state is PairState.MISMATCH
    assert (decision.result.verdict, decision.result.reason) == (Verdict.IDENTITY_MISMATCH, Reason.HOLDER_MISMATCH)
    assert Policy().outcome(decision.result) is Outcome.STOP


def test_outside_the_window_the_second_item_starts_afresh():
    pairing = IdentityPairing(timedelta(seconds=30))
    pairing.present_pass(PASS_A, NOW)
    decision = pairing.present_card(*card(ID_B), later(seconds=31))
    assert decision.state is PairState.WAITING_FOR_PASS
    assert pairing.expire(later(seconds=62)) and pairing.waiting is None
    pairing.present_pass(PASS_A, later(seconds=100))
    assert pairing.expire(NOW)  # a clock that went back drops the pending item rather than pairing it
    assert pairing.waiting is None


def test_a_pass_without_a_binding_is_flagged_for_staff():
    pairing = IdentityPairing()
    other = VerificationResult(Verdict.VALID, Reason.OK, "HC1")
    pairing.present_pass(other, NOW)
    decision = pairing.present_card(*card(ID_A), later(seconds=1))
    assert decision.state is PairState.UNCHECKABLE
    assert Policy().outcome(decision.result) is Outcome.SEE_STAFF


def test_a_gate_that_requires_pairing_opens_only_for_a_matched_pass():
    strict = Policy.from_dict({"require_identity_pairing": True})
    assert strict.outcome(PASS_A) is Outcome.SEE_STAFF
    pairing = IdentityPairing()
    pairing.present_pass(PASS_A, NOW)
    assert strict.outcome(pairing.present_card(*card(ID_A), later(seconds=5)).result) is Outcome.PASS
    assert strict.outcome(card(ID_A)[1]) is Outcome.PASS  # the card path itself needs no pass
