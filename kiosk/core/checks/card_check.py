"""Verification of a tapped ID card against the local status list, with the list's freshness and the clock."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from kiosk.core.checks import clock as clockmod
from kiosk.core.identity.card import CardIdentity
from kiosk.core.identity.binding import subject_digest
from kiosk.core.outcome.result import VerificationResult
from kiosk.core.checks.safeguards import guard
from kiosk.core.status.status_list import StatusList
from kiosk.core.outcome.verdicts import Reason, Verdict

FORMAT = "ID_CARD"
CHINA_STANDARD_TIME = timezone(timedelta(hours=8))  # card validity dates are calendar dates in China


def verify_card(card: CardIdentity, status_list: StatusList | None, now: datetime,
                clock: clockmod.ClockCheck | None = None, grace: timedelta | None = None) -> VerificationResult:
    """The card's own validity, then its status-list entry; a stale list or suspect clock never passes silently."""
    result = _check(card, status_list, now)
    if status_list is None:
        return result
    if clock is None:  # no runtime judgement given: the judge of the list's own signed issue time
        clock = clockmod.ClockJudge.from_signed(status_list.issued_at).judge(now)
    return guard(result, status_list.freshness(now, grace), clock, stale_reason=Reason.STATUS_LIST_EXPIRED)


def _check(card: CardIdentity, status_list: StatusList | None, now: datetime) -> VerificationResult:
    holder = card.holder_view()
    subject = subject_digest(card.id_number)  # in memory only; the log keys it

    def result(verdict: Verdict, reason: Reason, **extra) -> VerificationResult:
        return VerificationResult(verdict=verdict, reason=reason, format=FORMAT, holder=holder,
                                  pass_type=str(card.card_type), subject_digest=subject, **extra)

    if card.expired_on(now.astimezone(CHINA_STANDARD_TIME).date()):
        return result(Verdict.EXPIRED, Reason.CARD_EXPIRED, detail=f"card valid to {card.valid_to}")
    if status_list is None:
        return result(Verdict.TECHNICAL_ERROR, Reason.STATUS_LIST_MISSING, detail="no status list loaded")
    entry = status_list.lookup(card.id_number)
    if entry is None:
        return result(Verdict.NOT_FOUND, Reason.ID_NOT_IN_STATUS_LIST, trust_version=status_list.version)
    common = dict(status=entry.status, valid_until=entry.valid_until, trust_version=status_list.version,
                  kid=status_list.kid)
    if now >= entry.valid_until:
        return result(Verdict.EXPIRED, Reason.STATUS_ENTRY_EXPIRED, **common)
    return result(Verdict.VALID, Reason.OK, **common)
