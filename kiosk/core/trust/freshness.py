"""Freshness of downloaded trust data (trust bundle, status list): fresh, refresh due, or expired.

A pure function of the data's own signed times, the grace period and `now`, so the UI can show the truth
for every artefact ("last updated 3 days ago, refresh due") and the verifier can refuse stale data. The
classic outage (every verifier failing at once when the list signature expired) is avoided by the grace
period; the classic silent failure (a kiosk offline for weeks still passing people) by the hard stop.

    issued_at ── fresh ──> refresh_due ── refresh due (grace) ──> stale_at = min(refresh_due + grace, expires_at)
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_REFRESH = timedelta(hours=24)   # "fresh" is commonly < 24 h
DEFAULT_GRACE = timedelta(days=6)       # offline for up to 7 days in all still works, flagged
DEFAULT_LIFETIME = timedelta(days=30)   # hard expiry written into the bundle


class Freshness(enum.StrEnum):
    FRESH = "fresh"
    REFRESH_DUE = "refresh_due"
    EXPIRED = "expired"
    UNMANAGED = "unmanaged"  # data without signed times (a test fixture, a file given with --trust)


@dataclass(frozen=True)
class FreshnessReport:
    """What the UI shows for one artefact: its state, its age and the moments the state changes."""

    state: Freshness
    age: timedelta | None = None
    refresh_due: datetime | None = None
    stale_at: datetime | None = None

    @property
    def usable(self) -> bool:
        return self.state is not Freshness.EXPIRED

    def describe(self) -> str:
        if self.state is Freshness.UNMANAGED or self.age is None:
            return "trust data without a validity window"
        hours = max(0, int(self.age.total_seconds() // 3600))
        age = f"{hours // 24} d {hours % 24} h" if hours >= 24 else f"{hours} h"
        return {Freshness.FRESH: f"fresh (updated {age} ago)",
                Freshness.REFRESH_DUE: f"refresh due (updated {age} ago; stale at {_short(self.stale_at)})",
                Freshness.EXPIRED: f"expired (updated {age} ago, stale since {_short(self.stale_at)})"}[self.state]


def assess(issued_at: datetime | None, refresh_due: datetime | None, expires_at: datetime | None,
           now: datetime, grace: timedelta | None = None) -> FreshnessReport:
    """The freshness state at `now`. `grace` defaults to DEFAULT_GRACE; a hard expiry always wins."""
    if issued_at is None or expires_at is None:
        return FreshnessReport(Freshness.UNMANAGED)
    due = refresh_due or issued_at + DEFAULT_REFRESH
    stale_at = min(due + (DEFAULT_GRACE if grace is None else grace), expires_at)
    if now >= stale_at:
        state = Freshness.EXPIRED
    elif now >= due:
        state = Freshness.REFRESH_DUE
    else:
        state = Freshness.FRESH
    return FreshnessReport(state, now - issued_at, due, stale_at)


def _short(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "?"
