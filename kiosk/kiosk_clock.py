"""The kiosk's clock at run time: the core's one `ClockJudge`, fed with this boot's monotonic clock and the
data directory's clock record (clock.json).

The checkpoint owns one and passes its judgement to every check; `kiosk verify` (on the real clock) and
`kiosk bundle status` build one for their data directory. Qt-free; the wall clock itself (`now`) is always the
caller's argument, so tests move time by hand.
"""
from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from datetime import datetime

from kiosk.core.checks.clock import ClockCheck, ClockJudge, trust_time
from kiosk.core.status.status_list import StatusList
from kiosk.core.trust.store import TrustStore
from kiosk.datadir import DataDir, boot_id


class KioskClock:
    """Judges the kiosk's clock (in memory, per check) and records believable readings (every minute or so)."""

    def __init__(self, data: DataDir, *signed_times: datetime | None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.data = data
        self.monotonic = monotonic
        self._judge = ClockJudge.from_signed(*signed_times, anchor=data.clock_anchor(), boot_id=boot_id())

    @classmethod
    def for_data(cls, data: DataDir, trust: TrustStore | None = None,
                 status_list: StatusList | None = None) -> KioskClock:
        """The judge of a data directory's own signed data: its installed bundle (and status list if given)."""
        bundle_time = trust.issued_at if trust is not None else _installed_bundle_time(data)
        return cls(data, bundle_time, status_list.issued_at if status_list is not None else None)

    def judge(self, now: datetime) -> ClockCheck:
        """The clock at `now` against the signed times, the record and this boot's monotonic clock."""
        return self._judge.judge(now, self.monotonic())

    def learn(self, *signed_times: datetime | None) -> None:
        """Newer signed data were loaded (a bundle, a status list)."""
        self._judge = self._judge.learned(*signed_times)

    def observe(self, now: datetime) -> ClockCheck:
        """Judge `now` and, when believable, record it on disk (time stays monotonic across restarts). The
        record is read afresh first: a trusted time written meanwhile (`kiosk bundle time`) is kept."""
        self._judge = dataclasses.replace(self._judge, anchor=self.data.clock_anchor())
        check = self.judge(now)
        if not check.suspect:
            self._judge = self._judge.observed(now, self.monotonic())
            self.data.save_clock_anchor(self._judge.anchor)
        return check

    def record_central(self, central: datetime, local: datetime) -> None:
        """The central service's clock, read during a sync (`local`: ours at that moment). Authoritative: it
        resets the record, and this boot's wall/monotonic pair is pinned to it, so a kiosk clock that is hours
        off the central's is judged suspect (JUMPED) from now on instead of syncing "ok"; the offset is kept in
        clock.json (`central_offset_s`, ours minus the central's) for the heartbeat and the admin panel."""
        anchor = trust_time(self.data.clock_anchor(), central, "central", authoritative=True)
        anchor = dataclasses.replace(anchor, wall_at=central, monotonic_at=self.monotonic(), boot_id=boot_id())
        self.data.save_clock_anchor(anchor, central_offset_s=round((local - central).total_seconds(), 3))
        self._judge = dataclasses.replace(self._judge, anchor=anchor)


def _installed_bundle_time(data: DataDir) -> datetime | None:
    return data.trust_bundle().content.issued_at if data.trust_path.exists() else None
