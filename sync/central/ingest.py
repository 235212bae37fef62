"""Exactly-once ingest of a device's events, with the hash chain verified on arrival.

Why: uploads are retried after drops, 5xx and restarts, and air-gapped bundles may arrive twice or out of order;
(device_id, seq) is the identity of an event, so a repeat is counted as a duplicate and never stored again, a
different event under a known (device, seq) is kept out and flagged as a conflict, and bad hashes or links are
flagged as chain breaks. Called from request threads inside one Store transaction per batch.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Any

from sync import chain
from sync.central.checkstats import count_in
from sync.central.store import Tx

STORED_FIELDS = (*chain.EVENT_FIELDS, "hash")
_INSERT_COLS = (*STORED_FIELDS, "day", "site", "received_at", "via")


class IngestRejected(Exception):
    """The batch as a whole is refused (e.g. events of another device); nothing of it is stored."""


@dataclass
class IngestResult:
    stored: int = 0
    duplicates: int = 0
    conflicts: list[int] = field(default_factory=list)
    chain_breaks: list[int] = field(default_factory=list)
    through_seq: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"stored": self.stored, "duplicates": self.duplicates, "conflicts": self.conflicts,
                "chain_breaks": self.chain_breaks, "through_seq": self.through_seq}


def ingest(tx: Tx, device_id: str, events: list[dict[str, Any]], now_text: str, via: str) -> IngestResult:
    """Store the new events of `device_id`; `events` are validated dicts with every chain field."""
    if any(e["device_id"] != device_id for e in events):
        raise IngestRejected("a batch may only carry the uploading device's own events")
    site_row = tx.execute(("SELECT site FROM devices WHERE device_id = ?" + (" FOR UPDATE" if tx.postgres else "")),
                          (device_id,)).fetchone()
    if site_row is None:
        raise IngestRejected("unknown device")
    result = IngestResult()
    if not events:
        return result
    by_seq: dict[int, dict[str, Any]] = {}
    for event in events:
        if by_seq.setdefault(event["seq"], event)["hash"] != event["hash"]:
            raise IngestRejected(f"two different events with seq {event['seq']} in one batch")
    lo, hi = min(by_seq), max(by_seq)
    known = dict(tx.execute("SELECT seq, hash FROM events WHERE device_id = ? AND seq BETWEEN ? AND ?",
                            (device_id, lo - 1, hi + 1)).fetchall())
    fresh = [by_seq[s] for s in sorted(by_seq) if s not in known]
    for seq in sorted(by_seq):
        if seq in known:
            if known[seq] == by_seq[seq]["hash"]:
                result.duplicates += 1
            else:
                result.conflicts.append(seq)
    flags = [(device_id, s, "conflict", "a different event under a stored (device, seq)", now_text)
             for s in result.conflicts]
    hashes = {**known, **{e["seq"]: e["hash"] for e in fresh}}
    for event in fresh:
        kind = _chain_fault(event, hashes.get(event["seq"] - 1))
        if kind:
            result.chain_breaks.append(event["seq"])
            flags.append((device_id, event["seq"], kind, "", now_text))
    successor = tx.execute("SELECT seq, prev_hash FROM events WHERE device_id = ? AND seq = ?",
                           (device_id, hi + 1)).fetchone()
    if successor and hi in by_seq and hi not in known and successor[1] != by_seq[hi]["hash"]:
        result.chain_breaks.append(successor[0])
        flags.append((device_id, successor[0], "link", "does not follow its stored predecessor", now_text))
    site = site_row[0]
    stored_values = operator.itemgetter(*STORED_FIELDS)
    tx.insert_rows("events", _INSERT_COLS,
                   [(*stored_values(e), e["utc"][:10], site, now_text, via) for e in fresh],
                   conflict="device_id, seq")
    count_in(tx, site, fresh)
    tx.executemany("INSERT INTO chain_flags (device_id, seq, kind, detail, flagged_at) VALUES (?, ?, ?, ?, ?) "
                   "ON CONFLICT (device_id, seq, kind) DO NOTHING", flags)
    tx.execute("UPDATE devices SET last_seen = ?, event_count = event_count + ?, "
               "max_seq = CASE WHEN max_seq > ? THEN max_seq ELSE ? END WHERE device_id = ?",
               (now_text, len(fresh), hi, hi, device_id))
    result.stored = len(fresh)
    result.through_seq = hi
    return result


def _chain_fault(event: dict[str, Any], predecessor_hash: str | None) -> str:
    """'hash' when the event does not match its own hash, 'link' when it does not follow its predecessor."""
    if chain.event_hash(event) != event["hash"]:
        return "hash"
    if event["seq"] == 1 and event["prev_hash"] != chain.GENESIS:
        return "link"
    if predecessor_hash is not None and event["prev_hash"] != predecessor_hash:
        return "link"
    return ""
