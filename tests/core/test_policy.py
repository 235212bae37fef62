"""One taxonomy, one configurable policy per gate; stale trust data and flags never pass silently."""
from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.core.outcome.policy import Policy, PolicyError
from kiosk.core.outcome.result import VerificationResult
from kiosk.core.outcome.verdicts import Outcome, Reason, Status, Verdict
from kiosk.core.checks.verify import verify_text
from tests.core.kit import Issuer, bundled_trust, later

ISSUER = Issuer()


def valid(status=Status.GREEN, flags=()) -> VerificationResult:
    return VerificationResult(Verdict.VALID, Reason.OK, "KP1", status=status, flags=flags)


def test_defaults():
    policy = Policy()
    assert policy.outcome(valid()) is Outcome.PASS
    assert policy.outcome(valid(Status.YELLOW)) is Outcome.SEE_STAFF
    assert policy.outcome(valid(Status.RED)) is Outcome.STOP
    assert policy.outcome(valid(flags=("CLOCK_SUSPECT",))) is Outcome.SEE_STAFF
    assert policy.outcome(valid(flags=("TRUST_REFRESH_DUE",))) is Outcome.PASS
    assert policy.outcome(valid(Status.RED, flags=("CLOCK_SUSPECT",))) is Outcome.STOP


def test_no_policy_can_open_the_gate_to_anything_but_valid():
    policy = Policy.from_dict({"verdicts": {v.value: "PASS" for v in Verdict if v is not Verdict.VALID}})
    for verdict in Verdict:
        if verdict is not Verdict.VALID:
            assert policy.outcome(VerificationResult(verdict, Reason.OK, "KP1")) is not Outcome.PASS


def test_per_gate_yellow_and_unknown_id_handling():
    settings = {"statuses": {"yellow": "PASS"}, "verdicts": {"NOT_FOUND": "STOP"},
                "gates": {"ward-3": {"statuses": {"yellow": "STOP"}, "verdicts": {"NOT_FOUND": "SEE_STAFF"}}}}
    lobby = Policy.from_dict(settings)
    ward = Policy.from_dict(settings, gate="ward-3")
    unknown = VerificationResult(Verdict.NOT_FOUND, Reason.ID_NOT_IN_STATUS_LIST, "ID_CARD")
    assert (lobby.outcome(valid(Status.YELLOW)), lobby.outcome(unknown)) == (Outcome.PASS, Outcome.STOP)
    assert (ward.outcome(valid(Status.YELLOW)), ward.outcome(unknown)) == (Outcome.STOP, Outcome.SEE_STAFF)
    assert Policy.from_dict({"grace_hours": 12}).grace == timedelta(hours=12)
    with pytest.raises(PolicyError):
        Policy.from_dict({"statuses": {"purple": "PASS"}})


def test_a_kiosk_offline_for_eight_days_says_trust_data_stale_instead_of_passing():
    trust = bundled_trust(ISSUER)
    text = ISSUER.seal(ISSUER.claims(days=14))
    assert verify_text(text, trust, later(days=1, hours=1)).flags == ("TRUST_REFRESH_DUE",)
    result = verify_text(text, trust, later(days=8))
    assert (result.verdict, result.reason) == (Verdict.TRUST_DATA_STALE, Reason.TRUST_BUNDLE_EXPIRED)
    assert Policy().outcome(result) is Outcome.SEE_STAFF
    assert Policy.from_dict({"verdicts": {"TRUST_DATA_STALE": "STOP"}}).outcome(result) is Outcome.STOP
    longer = trust.with_changes(grace=timedelta(days=10))
    assert verify_text(text, longer, later(days=8)).verdict is Verdict.VALID


def test_rejections_keep_their_verdict_and_gain_the_stale_flag():
    trust = bundled_trust(ISSUER)
    expired = verify_text(ISSUER.seal(), trust, later(days=9))
    assert expired.verdict is Verdict.EXPIRED and "TRUST_DATA_STALE" in expired.flags
