"""Clock safety: a clock set back or far ahead, a jump within one boot, and time kept monotonic across restarts."""
from __future__ import annotations

from datetime import timedelta

from kiosk.core.checks import clock as clockmod
from kiosk.core.checks.clock import ClockAnchor, ClockState
from kiosk.core.outcome.verdicts import Reason, Verdict
from kiosk.core.checks.verify import verify_text
from kiosk.datadir import DataDir
from kiosk.provisioning import provision_demo
from kiosk.kiosk_clock import KioskClock
from tests.core.kit import NOW, Issuer, bundled_trust, later

ISSUER = Issuer()


def test_states_against_a_trusted_time():
    assert clockmod.assess(NOW, None).state is ClockState.UNKNOWN
    assert clockmod.assess(NOW, NOW).state is ClockState.OK
    assert clockmod.assess(NOW - timedelta(minutes=9), NOW).state is ClockState.OK  # tolerated drift
    behind = clockmod.assess(NOW - timedelta(days=2), NOW)
    assert (behind.state, behind.reason, behind.suspect) == (ClockState.BEHIND, Reason.CLOCK_BEHIND_TRUSTED_TIME, True)
    assert clockmod.assess(later(days=44), NOW).state is ClockState.OK
    ahead = clockmod.assess(later(days=46), NOW)
    assert (ahead.state, ahead.reason) == (ClockState.FAR_AHEAD, Reason.CLOCK_FAR_AHEAD)


def test_a_wall_clock_jump_within_one_boot_is_seen():
    anchor = clockmod.observe(ClockAnchor(trusted_time=NOW), NOW, monotonic_now=1000.0, boot_id="boot-1")
    steady = clockmod.assess(later(hours=1), None, anchor=anchor, monotonic_now=1000.0 + 3600, boot_id="boot-1")
    assert steady.state is ClockState.OK
    jumped = clockmod.assess(later(days=3), None, anchor=anchor, monotonic_now=1000.0 + 3600, boot_id="boot-1")
    assert (jumped.state, jumped.reason) == (ClockState.JUMPED, Reason.CLOCK_JUMPED)
    after_reboot = clockmod.assess(later(days=3), None, anchor=anchor, monotonic_now=5.0, boot_id="boot-2")
    assert after_reboot.state is ClockState.OK


def test_last_seen_is_monotonic_and_the_central_time_is_authoritative():
    anchor = clockmod.observe(ClockAnchor(), later(days=5), 1.0, "b")
    anchor = clockmod.observe(anchor, NOW, 2.0, "b")
    assert anchor.last_seen == later(days=5)
    assert clockmod.trust_time(anchor, NOW - timedelta(days=1), "bundle").trusted_time == NOW - timedelta(days=1)
    assert clockmod.trust_time(ClockAnchor(trusted_time=NOW), NOW - timedelta(days=1), "bundle").trusted_time == NOW
    reset = clockmod.trust_time(anchor, NOW, "central", authoritative=True)
    assert reset.floor == NOW and clockmod.assess(NOW, None, anchor=reset).state is ClockState.OK


def test_a_valid_pass_under_a_clock_set_back_is_clock_suspect_never_valid():
    trust = bundled_trust(ISSUER, issued_at=later(days=1))  # the bundle was signed after the pass was issued
    result = verify_text(ISSUER.seal(), trust, later(hours=2))
    assert (result.verdict, result.reason) == (Verdict.CLOCK_SUSPECT, Reason.CLOCK_BEHIND_TRUSTED_TIME)
    assert "CLOCK_SUSPECT" in result.flags and result.status == "green"
    floor = bundled_trust(ISSUER, trusted_time=later(days=3))
    assert verify_text(ISSUER.seal(), floor, later(days=1)).verdict is Verdict.CLOCK_SUSPECT


def test_a_runtime_clock_check_is_honoured():
    trust = bundled_trust(ISSUER)
    jumped = clockmod.ClockCheck(ClockState.JUMPED, Reason.CLOCK_JUMPED, "moved")
    result = verify_text(ISSUER.seal(), trust, later(hours=1), clock=jumped)
    assert (result.verdict, result.reason, result.flags) == (Verdict.CLOCK_SUSPECT, Reason.CLOCK_JUMPED,
                                                             ("CLOCK_SUSPECT",))


def test_an_explicit_judgement_replaces_the_store_derived_one():
    trust = bundled_trust(ISSUER, issued_at=later(days=1))
    not_judged = clockmod.ClockCheck(ClockState.UNKNOWN, detail="what-if")
    assert verify_text(ISSUER.seal(), trust, later(hours=2), clock=not_judged).verdict is Verdict.VALID
    assert verify_text(ISSUER.seal(), trust, later(hours=2)).verdict is Verdict.CLOCK_SUSPECT


def test_the_record_survives_a_restart(tmp_path):
    first = DataDir(tmp_path)
    provision_demo(first)
    import datetime as dt
    real_now = dt.datetime.now(dt.timezone.utc)
    assert not KioskClock.for_data(first).observe(real_now).suspect
    restarted = DataDir(tmp_path)
    anchor = restarted.clock_anchor()
    assert anchor.last_seen == real_now and anchor.trusted_time is not None
    assert KioskClock.for_data(restarted).judge(real_now - timedelta(days=2)).state is ClockState.BEHIND
    assert "CLOCK_SUSPECT" in verify_text("KP1:", restarted.trust(), real_now - timedelta(days=2)).flags
    restarted.record_trusted_time(real_now - timedelta(days=2), "central", authoritative=True)
    assert DataDir(tmp_path).clock_anchor().floor == real_now - timedelta(days=2)


def test_the_fast_path_agrees_with_the_full_assessment():
    import random

    from kiosk.core.checks import safeguards
    from kiosk.core.outcome.result import VerificationResult
    from kiosk.core.outcome.verdicts import Reason as R

    random.seed(5)
    valid = VerificationResult(Verdict.VALID, R.OK, "KP1")
    for _ in range(3000):
        trusted = None if random.random() < 0.3 else NOW + timedelta(hours=random.uniform(-100, 100))
        grace = random.choice([None, timedelta(hours=-30), timedelta(hours=2), timedelta(days=9)])
        trust = bundled_trust(ISSUER, trusted_time=trusted, grace=grace)
        now = NOW + timedelta(hours=random.uniform(-50, 24 * 60))
        full = safeguards.guard(valid, safeguards.trust_freshness(trust, now), safeguards.trust_clock(trust, now))
        assert safeguards.guard_with_trust(valid, trust, now) == full


def test_one_judge_sees_a_jump_within_this_boot_and_records_only_believable_readings(tmp_path):
    data = DataDir(tmp_path)
    ticks = iter([1000.0, 1000.0, 1060.0, 1060.0, 1120.0])
    judge = KioskClock(data, NOW, monotonic=lambda: next(ticks))
    assert judge.observe(later(hours=1)).state is ClockState.OK  # the reading is recorded with its tick
    assert data.clock_anchor().last_seen == later(hours=1)
    jumped = judge.observe(later(days=3))  # 60 s of monotonic time, 3 days of wall clock
    assert jumped.state is ClockState.JUMPED and data.clock_anchor().last_seen == later(hours=1)
    assert judge.judge(later(hours=1, minutes=2)).state is ClockState.OK


def test_the_judge_learns_newer_signed_times():
    judge = clockmod.ClockJudge.from_signed(NOW, None)
    assert judge.judge(later(days=46)).state is ClockState.FAR_AHEAD
    assert judge.learned(later(days=40)).judge(later(days=46)).state is ClockState.OK
    assert judge.learned(later(days=40)).judge(later(days=39)).state is ClockState.BEHIND
    assert clockmod.ClockJudge().judge(NOW).state is ClockState.UNKNOWN
