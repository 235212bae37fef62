"""The checkpoint without Qt: real data directory, real SQLite log, the pure core. Identity pairing, the stricter
of pass and card, a failing log, and a suspect clock."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from kiosk.checkpoint import Checkpoint
from kiosk.config import KioskConfig, config_from_dict
from kiosk.core.passes import offline_pass
from kiosk.core.identity.identity_match import FLAG_IDENTITY_MATCHED
from kiosk.core.outcome.verdicts import Outcome, Reason, Status, Verdict
from kiosk.datadir import DataDir
from kiosk.provisioning import provision_demo
from kiosk.demo_data import GREEN_CARD, RED_CARD, UNKNOWN_CARD, provision

NOW = datetime.now(timezone.utc).replace(microsecond=0)


@pytest.fixture(autouse=True)
def _now_is_when_the_test_starts():
    """The data directory signs its demo bundle at the real time; the test's clock must start then too, not
    when the module was imported (a long suite run made every check a CLOCK_SUSPECT)."""
    global NOW
    NOW = datetime.now(timezone.utc).replace(microsecond=0)


class Clock:
    """A clock the test moves; the checkpoint reads it through its `clock` argument."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def desk(tmp_path):
    data = DataDir(tmp_path / "data")
    provision(data, NOW, tmp_path)
    clock = Clock(NOW + timedelta(minutes=1))
    checkpoint = Checkpoint(KioskConfig(), data, clock)
    yield checkpoint, data, clock
    checkpoint.close()


def printed_pass(data: DataDir, card, status=Status.GREEN, issued=None) -> str:
    issued = issued or NOW
    issuer = provision_demo(data)
    claims = offline_pass.new_claims(card.id_number, card.name, status, issued, issuer=issuer.name)
    return offline_pass.seal(claims, issuer.private_key, issuer.kid)


def test_a_pass_then_its_holders_card_are_matched(desk):
    checkpoint, data, _ = desk
    first = checkpoint.check_text(printed_pass(data, GREEN_CARD))
    assert first.outcome is Outcome.PASS
    second = checkpoint.check_card(GREEN_CARD)
    assert second.outcome is Outcome.PASS and FLAG_IDENTITY_MATCHED in second.result.flags


def test_a_card_then_another_persons_pass_is_a_mismatch(desk):
    checkpoint, data, _ = desk
    checkpoint.check_card(UNKNOWN_CARD)
    check = checkpoint.check_text(printed_pass(data, GREEN_CARD))
    assert (check.result.verdict, check.result.reason, check.outcome) == \
        (Verdict.IDENTITY_MISMATCH, Reason.HOLDER_MISMATCH, Outcome.STOP)


def test_a_lifted_card_does_not_pair_with_the_next_persons_pass(desk):
    checkpoint, data, _ = desk
    checkpoint.check_card(UNKNOWN_CARD)
    checkpoint.card_removed()
    check = checkpoint.check_text(printed_pass(data, GREEN_CARD))
    assert (check.result.verdict, check.outcome) == (Verdict.VALID, Outcome.PASS)


def test_pairing_ends_after_the_window(desk):
    checkpoint, data, clock = desk
    checkpoint.check_text(printed_pass(data, GREEN_CARD))
    clock.now += checkpoint.policy.pairing_window + timedelta(seconds=1)
    check = checkpoint.check_card(RED_CARD)
    assert check.result.verdict is Verdict.VALID and check.outcome is Outcome.STOP  # the card's own red status


def test_a_red_status_list_beats_an_older_green_print_of_the_same_person(desk):
    checkpoint, data, _ = desk
    checkpoint.check_text(printed_pass(data, RED_CARD, Status.GREEN))
    check = checkpoint.check_card(RED_CARD)
    assert check.outcome is Outcome.STOP and FLAG_IDENTITY_MATCHED in check.result.flags


def test_a_check_the_log_cannot_take_is_never_a_pass(desk):
    checkpoint, data, _ = desk
    checkpoint.check_card(GREEN_CARD)
    checkpoint.log._conn.execute("PRAGMA max_page_count = 1")  # SQLite now answers "database or disk is full"
    text = printed_pass(data, GREEN_CARD)
    checks = [checkpoint.check_text(text) for _ in range(50)]  # until a page fills up
    failed = [c for c in checks if c.event is None]
    assert failed, "the log never filled up"
    assert all((c.result.reason, c.outcome) == (Reason.LOG_UNAVAILABLE, Outcome.SEE_STAFF) for c in failed)
    assert "log" in checkpoint.problems


def test_a_clock_set_back_before_the_trust_bundle_is_never_a_silent_pass(desk):
    checkpoint, data, clock = desk
    clock.now = NOW - timedelta(days=3)
    check = checkpoint.check_card(GREEN_CARD)
    assert check.outcome is not Outcome.PASS
    assert any("CLOCK" in flag for flag in check.result.flags) or check.result.verdict is Verdict.CLOCK_SUSPECT


def test_site_policy_layers_over_the_bundle(tmp_path):
    data = DataDir(tmp_path / "data")
    provision(data, NOW, tmp_path)
    config = config_from_dict({"site": "ward-3", "policy": {"verdicts": {"NOT_FOUND": "STOP"}}})
    checkpoint = Checkpoint(config, data, Clock(NOW + timedelta(minutes=1)))
    try:
        assert checkpoint.check_card(UNKNOWN_CARD).outcome is Outcome.STOP
    finally:
        checkpoint.close()


def test_no_personal_data_reaches_the_log(desk):
    checkpoint, data, _ = desk
    checkpoint.check_card(GREEN_CARD)
    checkpoint.check_text(printed_pass(data, RED_CARD))
    checkpoint.lookup(UNKNOWN_CARD.id_number)
    dump = repr(checkpoint.log.events())
    for secret in (GREEN_CARD.name, GREEN_CARD.id_number, GREEN_CARD.birth_date, RED_CARD.name,
                   UNKNOWN_CARD.id_number, "KP1:"):
        assert secret not in dump


def _international(desk, birth_date: str):
    """An EU DCC (HC1) pass for Gabriele Musterfrau, born 1998-02-26, issued today, and a foreign resident's card."""
    from kiosk.core.trust import dsc
    from kiosk.core.identity.card import CardIdentity, CardType
    from tests.core.passes_factory import hc1_text, make_signer

    checkpoint, _, _ = desk
    signer = make_signer(start=NOW - timedelta(days=30))
    checkpoint.trust = checkpoint.trust.with_keys(dsc.issuer_key(signer.certificate))
    card = CardIdentity(CardType.FOREIGN_2017, "", "KAZ110090123105", english_name="MUSTERFRAU GABRIELE",
                        birth_date=birth_date)
    return checkpoint, hc1_text(signer, iat=NOW, exp=NOW + timedelta(days=30)), card


def test_an_international_pass_and_a_card_with_the_same_name_and_birth_date_match(desk):
    checkpoint, text, card = _international(desk, "19980226")
    shown = checkpoint.check_text(text)
    assert (shown.result.format, shown.result.verdict) == ("HC1", Verdict.VALID)
    assert shown.result.holder.name and shown.result.holder.birth_date == "1998-02-26"
    paired = checkpoint.check_card(card)  # the card itself is unknown to the status list; the pass decides
    assert FLAG_IDENTITY_MATCHED in paired.result.flags and paired.result.format == "HC1"


def test_an_international_pass_and_a_card_with_another_birth_date_mismatch(desk):
    checkpoint, text, card = _international(desk, "19700101")
    checkpoint.check_text(text)
    paired = checkpoint.check_card(card)
    assert (paired.result.verdict, paired.outcome) == (Verdict.IDENTITY_MISMATCH, Outcome.STOP)
