"""CSV export of the central event store for administrators (masked forms and keyed hashes only, as stored).

Why: administrators take the log into spreadsheets and audits; rows stream in pages so a large export never
holds the whole table. Called from a request worker thread or the admin CLI.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sync.central.storage.store import Store

CSV_COLUMNS = ("device_id", "site", "seq", "event_id", "utc", "verdict", "reason", "outcome", "input_kind",
               "pass_format", "kid", "trust_version", "masked_name", "masked_id", "subject_hash", "flags",
               "prev_hash", "hash", "received_at", "via")


def csv_rows(store: Store, since: str, until: str, page: int = 5000) -> Iterator[str]:
    """CSV text, header first, ordered by device and sequence, for events whose day is in [since, until]."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    yield _take(buf)
    last = ("", 0)
    while True:
        with store.tx() as tx:
            rows = tx.execute(
                f"SELECT {', '.join(CSV_COLUMNS)} FROM events WHERE day >= ? AND day <= ? AND "
                "(device_id > ? OR (device_id = ? AND seq > ?)) ORDER BY device_id, seq LIMIT ?",
                (since, until, last[0], last[0], last[1], page)).fetchall()
        if not rows:
            return
        for row in rows:
            writer.writerow(["" if v is None else _safe(v) for v in row])
        yield _take(buf)
        last = (rows[-1][0], rows[-1][2])


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _safe(value: object) -> object:
    """Neutralise spreadsheet formulas in text cells: a cell a spreadsheet could read as a formula (also after
    a tab, CR or LF it strips, or with the full-width signs some spreadsheets fold) gets a leading quote."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def _take(buf: io.StringIO) -> str:
    text = buf.getvalue()
    buf.seek(0)
    buf.truncate()
    return text
