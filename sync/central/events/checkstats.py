"""Hourly counts of checks by site, outcome (PASS/STOP/SEE_STAFF) and verdict, kept up to date at ingest.

Why: the console's checks page must answer in well under a second over tens of millions of events; counting
the events table on every view would scan it. Ingest adds each batch's new events to `check_counts` (per hour)
and `check_counts_daily` (per day: 24 times fewer rows for day charts, site totals and long ranges) in the same
transaction, so counts and events never disagree; the schema's migration backfilled what was stored before.
Their size depends on days x sites x outcomes x verdicts, not on the number of events.
Keys are upserted in sorted order, so two concurrent batches never deadlock. Functions take an open Tx.
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sync.central.storage.store import Tx

OUTCOMES = ("PASS", "STOP", "SEE_STAFF")
MAX_HOURLY_DAYS = 14  # an hourly chart over a longer range would have more bars than pixels
CSV_COLUMNS = ("day", "hour", "site", "outcome", "verdict", "count")


def count_in(tx: Tx, site: str, events: Iterable[dict[str, Any]]) -> None:
    """Add freshly stored events (each with `utc`, `outcome`, `verdict`) to the hourly counts."""
    tally = Counter((e["utc"][:10], int(e["utc"][11:13]), site, e["outcome"], e["verdict"]) for e in events)
    daily: Counter = Counter()
    for (day, _, site_, outcome, verdict), n in tally.items():
        daily[(day, site_, outcome, verdict)] += n
    tx.executemany("INSERT INTO check_counts (day, hour, site, outcome, verdict, n) VALUES (?, ?, ?, ?, ?, ?) "
                   "ON CONFLICT (day, hour, site, outcome, verdict) DO UPDATE SET n = check_counts.n + excluded.n",
                   [(*key, n) for key, n in sorted(tally.items())])
    tx.executemany("INSERT INTO check_counts_daily (day, site, outcome, verdict, n) VALUES (?, ?, ?, ?, ?) "
                   "ON CONFLICT (day, site, outcome, verdict) DO UPDATE SET n = check_counts_daily.n + excluded.n",
                   [(*key, n) for key, n in sorted(daily.items())])


@dataclass(frozen=True)
class CountFilter:
    """What the checks page and its CSV show: a day range, optionally one site, outcome or verdict."""

    since: str
    until: str
    site: str = ""
    outcome: str = ""
    verdict: str = ""
    hourly: bool = False
    by: str = "outcome"  # or "verdict": what the bars are split by

    def where(self) -> tuple[str, list[Any]]:
        clauses, params = ["day >= ?", "day <= ?"], [self.since, self.until]
        for column in ("site", "outcome", "verdict"):
            value = getattr(self, column)
            if value:
                clauses.append(f"{column} = ?")
                params.append(value)
        return " AND ".join(clauses), params


def series(tx: Tx, f: CountFilter) -> list[tuple[str, str, int]]:
    """(bucket, key, count) rows: bucket is a day or `day hh:00`, key the outcome or verdict."""
    where, params = f.where()
    key = "verdict" if f.by == "verdict" else "outcome"
    if f.hourly:
        rows = tx.execute(f"SELECT day, hour, {key}, SUM(n) FROM check_counts WHERE {where} "
                          f"GROUP BY day, hour, {key} ORDER BY day, hour, {key}", params).fetchall()
        return [(f"{r[0]} {int(r[1]):02d}:00", r[2], int(r[3])) for r in rows]
    rows = tx.execute(f"SELECT day, {key}, SUM(n) FROM check_counts_daily WHERE {where} GROUP BY day, {key} "
                      f"ORDER BY day, {key}", params).fetchall()
    return [(r[0], r[1], int(r[2])) for r in rows]


def by_site(tx: Tx, f: CountFilter) -> list[tuple[str, str, int]]:
    """(site, outcome, count) over the whole filter: the table beside the chart."""
    where, params = f.where()
    rows = tx.execute(f"SELECT site, outcome, SUM(n) FROM check_counts_daily WHERE {where} GROUP BY site, outcome "
                      "ORDER BY site, outcome", params).fetchall()
    return [(r[0], r[1], int(r[2])) for r in rows]


def verdicts(tx: Tx) -> list[str]:
    return [r[0] for r in tx.execute("SELECT DISTINCT verdict FROM check_counts_daily ORDER BY verdict").fetchall()]


def csv_text(tx: Tx, f: CountFilter) -> Iterator[str]:
    """The counts behind the chart as CSV, one row per hour, site, outcome and verdict."""
    where, params = f.where()
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    rows = tx.execute(f"SELECT day, hour, site, outcome, verdict, n FROM check_counts WHERE {where} "
                      "ORDER BY day, hour, site, outcome, verdict", params).fetchall()
    for row in rows:
        writer.writerow(["'" + v if isinstance(v, str) and v[:1] in "=+-@" else v for v in row])
    yield buf.getvalue()
