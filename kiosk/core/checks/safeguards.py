"""The last step of every check: a verdict is only as good as the clock and the trust data behind it.

`guard` turns a VALID result into CLOCK_SUSPECT or TRUST_DATA_STALE when the clock is not believable or the
trust data are past their grace period, and flags (never weakens) any other verdict. Flags tell the policy
(kiosk.core.outcome.policy) that a result must not open the gate silently; TRUST_REFRESH_DUE is informational.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from kiosk.core.checks import clock as clockmod
from kiosk.core.trust import freshness as fresh
from kiosk.core.outcome.result import VerificationResult
from kiosk.core.trust.store import TrustStore
from kiosk.core.outcome.verdicts import Reason, Verdict

FLAG_CLOCK_SUSPECT = "CLOCK_SUSPECT"
FLAG_TRUST_DATA_STALE = "TRUST_DATA_STALE"
FLAG_REFRESH_DUE = "TRUST_REFRESH_DUE"


def trust_freshness(trust: TrustStore, now: datetime, grace: timedelta | None = None) -> fresh.FreshnessReport:
    """The trust bundle's freshness; a local `grace` overrides the bundle's own setting."""
    return fresh.assess(trust.issued_at, trust.refresh_due, trust.expires_at, now,
                        grace if grace is not None else trust.grace)


def trust_clock(trust: TrustStore, now: datetime) -> clockmod.ClockCheck:
    """Without a runtime judgement: the judge of what the trust store knows (its signed issue time and the
    trusted time the data directory attached)."""
    return clockmod.ClockJudge.from_signed(trust.issued_at, trust.trusted_time).judge(now)


def guard(result: VerificationResult, freshness: fresh.FreshnessReport, clock: clockmod.ClockCheck,
          stale_reason: Reason = Reason.TRUST_BUNDLE_EXPIRED) -> VerificationResult:
    """Apply clock and freshness to one result (see the module docstring)."""
    flags = list(result.flags)
    verdict, reason, detail = result.verdict, result.reason, result.detail
    if clock.suspect:
        flags.append(FLAG_CLOCK_SUSPECT)
        if verdict is Verdict.VALID:
            verdict, reason, detail = Verdict.CLOCK_SUSPECT, clock.reason or Reason.CLOCK_JUMPED, clock.detail
    if freshness.state is fresh.Freshness.EXPIRED:
        flags.append(FLAG_TRUST_DATA_STALE)
        if verdict is Verdict.VALID:
            verdict, reason, detail = Verdict.TRUST_DATA_STALE, stale_reason, freshness.describe()
    elif freshness.state is fresh.Freshness.REFRESH_DUE:
        flags.append(FLAG_REFRESH_DUE)
    if not flags or tuple(flags) == result.flags:
        return result
    return result.with_changes(verdict=verdict, reason=reason, detail=detail, flags=tuple(dict.fromkeys(flags)))


def guard_with_trust(result: VerificationResult, trust: TrustStore, now: datetime,
                     clock: clockmod.ClockCheck | None = None) -> VerificationResult:
    """`guard` with freshness from the trust store, and the clock judged against the store's signed times,
    unless the caller passes its own judgement (`clock`: the runtime check with the monotonic record, which
    includes those times, or an explicit "not judged" for a what-if evaluation at a given time)."""
    if clock is None and _plainly_fresh(trust, now):
        return result
    check = clock if clock is not None else trust_clock(trust, now)
    return guard(result, trust_freshness(trust, now), check)


def _plainly_fresh(trust: TrustStore, now: datetime) -> bool:
    """The common case without building reports: fresh data and a clock inside the trusted window.
    Equivalent to assessing both (tests/core/test_clock.py checks that); anything else takes the full path."""
    issued, due = trust.issued_at, trust.refresh_due
    if issued is None or due is None or trust.expires_at is None or now >= due or now >= trust.expires_at:
        return False
    if trust.grace is not None and trust.grace.total_seconds() < 0:  # a negative grace makes data stale early
        return False
    floor = issued if trust.trusted_time is None or trust.trusted_time < issued else trust.trusted_time
    return floor - clockmod.TOLERANCE <= now <= floor + clockmod.MAX_AHEAD
