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
from sync.central.events.checkstats import count_in
from sync.central.storage.store import Tx

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
    quarantined: list[int] = field(default_factory=list)  # bad hash or signature: flagged, not stored

    def to_json(self) -> dict[str, Any]:
        return {"stored": self.stored, "duplicates": self.duplicates, "conflicts": self.conflicts,
                "chain_breaks": self.chain_breaks, "through_seq": self.through_seq, "quarantined": self.quarantined}


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
    rows = tx.execute("SELECT seq, hash, prev_hash FROM events WHERE device_id = ? AND seq BETWEEN ? AND ?",
                      (device_id, lo - 1, hi + 1)).fetchall()
    known = {r[0]: r[1] for r in rows}
    known_prev = {r[0]: r[2] for r in rows}
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
    fresh = _keep_untampered(tx, device_id, fresh, hashes, now_text, result, flags)
    for event in fresh:  # a stored event whose predecessor arrives only now (out-of-order batches, bundles)
        after = event["seq"] + 1
        if after in known_prev and known_prev[after] != event["hash"]:
            result.chain_breaks.append(after)
            flags.append((device_id, after, "link", "does not follow its predecessor that arrived later", now_text))
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


def _keep_untampered(tx: Tx, device_id: str, fresh: list[dict[str, Any]], hashes: dict[int, str], now_text: str,
                     result: IngestResult, flags: list[tuple]) -> list[dict[str, Any]]:
    """Flag chain faults and drop (quarantine) the tampered events of `fresh`: a wrong hash, a signature that does
    not verify with the device key, or no signature at or after the first signed event the central holds of this
    device (`devices.signs_since`: a device that signs never stops, so a missing `sig` there was stripped).
    Moves `signs_since` down to the lowest correctly signed event of the batch."""
    public_key = _device_key(tx, device_id)
    row = tx.execute("SELECT signs_since FROM devices WHERE device_id = ?", (device_id,)).fetchone()
    signs_since = row[0] if row and row[0] is not None else None
    valid = {e["seq"] for e in fresh
             if e.get("sig") and public_key is not None and chain.event_signature_valid(public_key, e)}
    if valid and (signs_since is None or min(valid) < signs_since):
        signs_since = min(valid)
        tx.execute("UPDATE devices SET signs_since = ? WHERE device_id = ?", (signs_since, device_id))
    for event in fresh:
        seq = event["seq"]
        kind = _chain_fault(event, hashes.get(seq - 1))
        if kind:
            result.chain_breaks.append(seq)
            flags.append((device_id, seq, kind, "", now_text))
        if kind == "hash":
            result.quarantined.append(seq)  # tampered: flagged, never stored, never acknowledged
        elif event.get("sig") and seq not in valid:
            result.quarantined.append(seq)
            flags.append((device_id, seq, "signature", "does not verify with the device key", now_text))
        elif not event.get("sig") and signs_since is not None and seq >= signs_since:
            result.quarantined.append(seq)
            flags.append((device_id, seq, "signature", f"unsigned, but the device signs since seq {signs_since}",
                          now_text))
    bad = set(result.quarantined)
    return [e for e in fresh if e["seq"] not in bad]


def _device_key(tx: Tx, device_id: str):
    from sync.central.storage import registry
    from sync.devicekey import load_public_key_b64
    key_text = registry.device_public_key(tx, device_id)
    return load_public_key_b64(key_text) if key_text else None


def _chain_fault(event: dict[str, Any], predecessor_hash: str | None) -> str:
    """'hash' when the event does not match its own hash, 'link' when it does not follow its predecessor."""
    if chain.event_hash(event) != event["hash"]:
        return "hash"
    if event["seq"] == 1 and event["prev_hash"] != chain.GENESIS:
        return "link"
    if predecessor_hash is not None and event["prev_hash"] != predecessor_hash:
        return "link"
    return ""
