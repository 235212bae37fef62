"""Clock safety: is the kiosk's clock believable? Pure functions of `now` and what the kiosk last knew.

Every time-based verdict (expired, not yet valid, stale trust data) is only as good as the clock. A clock
set back revives expired passes; a clock set far ahead can make stale data look current to nobody, but
also indicates tampering. The kiosk therefore keeps a `ClockAnchor` (persisted by kiosk.datadir):
  - `trusted_time`: the latest time it knows to be real, from signed data (trust bundle, status list issue
    times) or from the central service during sync;
  - `last_seen`: the latest of its own clock readings it accepted, so that time is monotonic across restarts;
  - `wall_at`/`monotonic_at`/`boot_id`: a wall/monotonic pair from the same boot, so a jump of the wall
    clock while running is seen even when no trusted time is near.
A suspect clock never changes a rejection into a pass; it turns VALID into CLOCK_SUSPECT (kiosk.core.checks.safeguards).

`ClockJudge` is the one judge: what the kiosk knows (the signed times it holds, its record) against `now`. The
checkpoint owns the runtime one (kiosk/kiosk_clock.py feeds it the monotonic clock and keeps the record) and
passes its judgement to the checks; a check given no judgement (a what-if evaluation, a test) asks a judge
built from the signed times of the data it was given.
"""
from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.core.outcome.verdicts import Reason

TOLERANCE = timedelta(minutes=10)   # drift and time-zone slips that are not worth stopping people for
MAX_AHEAD = timedelta(days=45)      # further than this past the last trusted time is not a plausible offline spell


class ClockState(enum.StrEnum):
    OK = "ok"
    BEHIND = "behind"        # earlier than a time the kiosk knows has passed: set back
    FAR_AHEAD = "far_ahead"  # implausibly far past the last trusted time
    JUMPED = "jumped"        # the wall clock moved differently from the monotonic clock in this boot
    UNKNOWN = "unknown"      # nothing trusted to compare with (first start without a bundle)


@dataclass(frozen=True)
class ClockCheck:
    state: ClockState
    reason: Reason | None = None
    detail: str = ""

    @property
    def suspect(self) -> bool:
        return self.state in (ClockState.BEHIND, ClockState.FAR_AHEAD, ClockState.JUMPED)


OK = ClockCheck(ClockState.OK)


@dataclass(frozen=True)
class ClockAnchor:
    trusted_time: datetime | None = None
    trusted_source: str = ""
    last_seen: datetime | None = None
    wall_at: datetime | None = None
    monotonic_at: float | None = None
    boot_id: str = ""

    @property
    def floor(self) -> datetime | None:
        """The earliest believable `now`: nothing the kiosk knows happened after it."""
        known = [t for t in (self.trusted_time, self.last_seen) if t is not None]
        return max(known) if known else None


@dataclass(frozen=True)
class ClockJudge:
    """Judges `now` against the latest signed time held in memory and the kiosk's record. Pure: whoever owns
    it reads the wall and monotonic clocks and keeps the record."""

    signed: datetime | None = None  # the latest signed time the kiosk holds (trust bundle, status list)
    anchor: ClockAnchor = ClockAnchor()
    boot_id: str = ""

    @classmethod
    def from_signed(cls, *times: datetime | None, anchor: ClockAnchor | None = None, boot_id: str = "") -> ClockJudge:
        return cls(_latest_of(times), anchor or ClockAnchor(), boot_id)

    def judge(self, now: datetime, monotonic_now: float | None = None) -> ClockCheck:
        """The clock at `now`; with `monotonic_now`, a jump of the wall clock within this boot is seen too."""
        return assess(now, self.signed, trusted_time=self.signed, anchor=self.anchor, monotonic_now=monotonic_now,
                      boot_id=self.boot_id)

    def learned(self, *times: datetime | None) -> ClockJudge:
        """This judge, knowing newer signed times (a new bundle or status list loaded)."""
        return dataclasses.replace(self, signed=_latest_of((self.signed, *times)))

    def observed(self, now: datetime, monotonic_now: float) -> ClockJudge:
        """This judge with a reading judged believable recorded (time stays monotonic across restarts)."""
        return dataclasses.replace(self, anchor=observe(self.anchor, now, monotonic_now, self.boot_id))


def assess(now: datetime, floor: datetime | None, *, trusted_time: datetime | None = None,
           anchor: ClockAnchor | None = None, monotonic_now: float | None = None, boot_id: str = "",
           tolerance: timedelta = TOLERANCE, max_ahead: timedelta = MAX_AHEAD) -> ClockCheck:
    """Judge `now`. `floor` is the latest known-real time; `trusted_time` the latest signed/central one."""
    if anchor is not None:
        floor = _latest(floor, anchor.floor)
        trusted_time = _latest(trusted_time, anchor.trusted_time)
    if floor is not None and now < floor - tolerance:
        return ClockCheck(ClockState.BEHIND, Reason.CLOCK_BEHIND_TRUSTED_TIME,
                          f"clock {now:%Y-%m-%d %H:%M} is before a known time {floor:%Y-%m-%d %H:%M} UTC")
    reference = trusted_time or floor
    if reference is not None and now > reference + max_ahead:
        return ClockCheck(ClockState.FAR_AHEAD, Reason.CLOCK_FAR_AHEAD,
                          f"clock is {(now - reference).days} days past the last trusted time")
    if anchor is not None and monotonic_now is not None and _same_boot(anchor, boot_id):
        expected = anchor.wall_at + timedelta(seconds=monotonic_now - anchor.monotonic_at)
        if abs(now - expected) > tolerance:
            off = (now - expected).total_seconds()
            detail = f"clock is {off:+.0f} s off the central service's time" \
                if anchor.trusted_source == "central" and anchor.wall_at == anchor.trusted_time \
                else f"wall clock moved {off:+.0f} s against the monotonic clock"
            return ClockCheck(ClockState.JUMPED, Reason.CLOCK_JUMPED, detail)
    if floor is None and trusted_time is None:
        return ClockCheck(ClockState.UNKNOWN)
    return OK


def observe(anchor: ClockAnchor, now: datetime, monotonic_now: float, boot_id: str) -> ClockAnchor:
    """Record a clock reading judged OK: `last_seen` only ever moves forward."""
    return dataclasses.replace(anchor, last_seen=_latest(anchor.last_seen, now), wall_at=now,
                               monotonic_at=monotonic_now, boot_id=boot_id)


def trust_time(anchor: ClockAnchor, trusted: datetime, source: str, *, authoritative: bool = False) -> ClockAnchor:
    """Record a trusted time. Signed data only raises the floor; the central service (`authoritative`)
    resets it, which is how a kiosk recovers after its clock had been set ahead and then corrected."""
    if authoritative:
        return dataclasses.replace(anchor, trusted_time=trusted, trusted_source=source, last_seen=trusted,
                                   wall_at=None, monotonic_at=None, boot_id="")
    if anchor.trusted_time is not None and trusted <= anchor.trusted_time:
        return anchor
    return dataclasses.replace(anchor, trusted_time=trusted, trusted_source=source)


def _same_boot(anchor: ClockAnchor, boot_id: str) -> bool:
    return bool(boot_id) and anchor.boot_id == boot_id and anchor.wall_at is not None \
        and anchor.monotonic_at is not None


def _latest_of(times) -> datetime | None:
    known = [t for t in times if t is not None]
    return max(known) if known else None


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)
