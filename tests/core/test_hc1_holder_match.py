"""An international pass beside an ID card: the kiosk compares name and birth date itself."""
from __future__ import annotations

from datetime import timedelta

from kiosk.core.trust import dsc
from kiosk.core.identity.card import CardIdentity, CardType
from kiosk.core.identity.holder_match import HolderMatch, check_card_against_pass, compare, name_tokens
from kiosk.core.outcome.policy import Policy
from kiosk.core.outcome.result import HolderView
from kiosk.core.trust.store import TrustStore
from kiosk.core.outcome.verdicts import Outcome, Reason, Verdict
from kiosk.core.checks.verify import verify_text
from tests.core.passes_factory import T0, dcc_payload, hc1_text, make_signer, permissive_reference


def foreign_card(english_name: str, birth: str = "19980226") -> CardIdentity:
    return CardIdentity(CardType.FOREIGN_2023, name="", id_number="", birth_date=birth, english_name=english_name)


def test_name_tokens_fold_accents_order_and_punctuation():
    assert name_tokens("Musterfrau-Gößinger, Gabriele") == name_tokens("GABRIELE MUSTERFRAU GOSSINGER")
    assert name_tokens("Åge Ågesen") == {"AAGE", "AAGESEN"}
    assert name_tokens("张三") == frozenset()


def test_compare_outcomes():
    holder = HolderView(name="Gabriele Musterfrau", birth_date="1998-02-26")
    assert compare(holder, foreign_card("MUSTERFRAU, GABRIELE")).outcome is HolderMatch.MATCH
    assert compare(holder, foreign_card("MUSTERFRAU GABRIELE", "19980227")).outcome is HolderMatch.MISMATCH
    assert compare(holder, foreign_card("SMITH JOHN")).outcome is HolderMatch.MISMATCH
    resident = CardIdentity(CardType.RESIDENT, name="张三", id_number="", birth_date="19980226")
    assert compare(holder, resident).outcome is HolderMatch.UNDECIDED
    year_only = HolderView(name="Gabriele Musterfrau", birth_date="1998")
    assert compare(year_only, foreign_card("MUSTERFRAU GABRIELE")).outcome is HolderMatch.MATCH


def test_a_valid_pass_beside_another_persons_card_is_stopped():
    signer = make_signer()
    trust = TrustStore(keys=(dsc.issuer_key(signer.certificate),), dcc_reference=permissive_reference())
    result = verify_text(hc1_text(signer, dcc_payload()), trust, T0 + timedelta(days=1))
    assert result.is_valid
    same = check_card_against_pass(result, foreign_card("MUSTERFRAU GABRIELE"))
    assert same.is_valid and Policy().outcome(same) is Outcome.PASS
    other = check_card_against_pass(result, foreign_card("DOE JANE"))
    assert (other.verdict, other.reason) == (Verdict.IDENTITY_MISMATCH, Reason.HOLDER_MISMATCH)
    assert Policy().outcome(other) is Outcome.STOP
    resident = CardIdentity(CardType.RESIDENT, name="张三", id_number="", birth_date="19980226")
    undecided = check_card_against_pass(result, resident)
    assert undecided.flags == ("HOLDER_CHECK_BY_OPERATOR",) and Policy().outcome(undecided) is Outcome.SEE_STAFF
