"""The kiosk's durable local log of checks: one SQLite file (WAL, synchronous=FULL), hash-chained per device.

Why: a verdict is logged before it is shown, so `append` returns only once the event is on disk; the log holds
masked forms and a keyed hash, never a name, a full ID number, a birth date or a raw payload. Synced events are
purged after a retention period; unsynced ones never are.

Threads: any thread may call any method (one connection guarded by a lock); other processes may open the same
file (WAL + busy timeout; sequence numbers are allocated inside BEGIN IMMEDIATE).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import shutil
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlite_utils
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.core.outcome.result import VerificationResult
from kiosk.core.outcome.verdicts import Outcome
from sync import chain
from sync.migrations import migrate

UTC_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


EPOCH_SPAN = chain.EPOCH_SPAN  # sequence numbers of log epoch k are k * EPOCH_SPAN + 1, ... (sync/logfile.py)


class EventLogError(Exception):
    """The log cannot accept or give back an event (bad argument, unusable file)."""


class LogCorrupt(EventLogError):
    """The file is not a sound SQLite database (corrupt, truncated, not a database at all)."""


def _looks_corrupt(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError) or any(
        word in text for word in ("malformed", "not a database", "corrupt", "disk i/o error"))


def _owner_only(path: Path) -> None:
    """The log holds masked IDs and keyed hashes: readable by the kiosk's user only (and its WAL files)."""
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            os.chmod(candidate, 0o600)
        except OSError:
            pass


def utc_text(now: datetime) -> str:
    if now.tzinfo is None:
        raise EventLogError("`now` must be timezone-aware (UTC)")
    return now.astimezone(timezone.utc).strftime(UTC_FORMAT)


@dataclass(frozen=True)
class DiskStatus:
    """How much room the log takes and has left; `over_budget` asks the caller to warn staff."""

    log_bytes: int
    free_bytes: int
    budget_bytes: int
    over_budget: bool


class EventLog:
    """Append-only check log of one device. `append` is durable before it returns."""

    def __init__(self, path: str | os.PathLike, device_id: str, hash_key: bytes, new_epoch: int = 0,
                 signer: Ed25519PrivateKey | None = None) -> None:
        """Open (or create) the log; a new log's sequence numbers start after `new_epoch * EPOCH_SPAN`.
        LogCorrupt when the file is not a sound database; EventLogError when it cannot be opened for writing."""
        if not device_id:
            raise EventLogError("device_id is empty")
        if len(hash_key) < 16:
            raise EventLogError("hash_key must be at least 16 bytes")
        self.path = Path(path)
        self.device_id = device_id
        self._hash_key = bytes(hash_key)
        self._signer = signer  # the device key: every appended event is signed over its hash
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False, timeout=30)
        except (OSError, sqlite3.Error) as exc:
            raise EventLogError(f"cannot open the event log {self.path}: {exc}") from exc
        try:
            self._open(conn, new_epoch)
        except BaseException as exc:
            conn.close()
            if isinstance(exc, sqlite3.DatabaseError) and _looks_corrupt(exc):
                raise LogCorrupt(f"the event log {self.path} is damaged: {exc}") from exc
            if isinstance(exc, sqlite3.Error):
                raise EventLogError(f"the event log {self.path} cannot be written: {exc}") from exc
            raise

    def _open(self, conn: sqlite3.Connection, new_epoch: int) -> None:
        check = conn.execute("PRAGMA quick_check(1)").fetchone()
        if not check or check[0] != "ok":
            raise sqlite3.DatabaseError(f"database disk image is malformed ({check[0] if check else 'no answer'})")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=30000")
        self._conn = conn
        self.db = sqlite_utils.Database(conn)
        with self._lock:
            migrate(self.db)
            conn.execute("INSERT INTO chain_head (device_id, seq, hash) SELECT ?, ?, ? WHERE NOT EXISTS "
                         "(SELECT 1 FROM chain_head WHERE device_id = ?) AND NOT EXISTS "
                         "(SELECT 1 FROM events WHERE device_id = ?)",
                         (self.device_id, new_epoch * EPOCH_SPAN, chain.GENESIS, self.device_id, self.device_id))
        _owner_only(self.path)

    @property
    def epoch(self) -> int:
        """The log epoch its sequence numbers belong to (0 for the first log of a device)."""
        return self.last_seq() // EPOCH_SPAN

    # ------------------------------------------------------------------ writing
    def append(self, result: VerificationResult, outcome: Outcome, input_kind: str, now: datetime,
               monotonic_ns: int | None = None) -> dict[str, Any]:
        """Store one check and return the stored event. Called on the thread that shows the verdict, before it does."""
        if input_kind not in chain.INPUT_KINDS:
            raise EventLogError(f"input_kind must be one of {sorted(chain.INPUT_KINDS)}, not {input_kind!r}")
        holder = result.holder
        event: dict[str, Any] = {
            "event_id": str(uuid.uuid4()),
            "device_id": self.device_id,
            "utc": utc_text(now),
            "monotonic_ns": time.monotonic_ns() if monotonic_ns is None else int(monotonic_ns),
            "verdict": str(result.verdict),
            "reason": str(result.reason),
            "outcome": str(Outcome(outcome)),
            "input_kind": input_kind,
            "pass_format": result.format or "",
            "kid": result.kid or "",
            "trust_version": result.trust_version,
            "masked_name": holder.masked_name if holder else "",
            "masked_id": holder.masked_id if holder else "",
            "subject_hash": self.subject_hash(result.subject_digest),
            "flags": ",".join(result.flags),
        }
        with self._lock:
            try:
                self._insert(event)
            except sqlite3.Error as exc:  # disk full, read-only medium, a locked file past the busy timeout
                raise EventLogError(f"the check could not be logged: {exc}") from exc
        return event

    def _insert(self, event: dict[str, Any]) -> None:
        """Allocate the next seq, link and hash the event, commit durably. Caller holds the lock."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            row = self._conn.execute("SELECT seq, hash FROM events WHERE device_id = ? ORDER BY seq DESC LIMIT 1",
                                     (self.device_id,)).fetchone()
            head = self._chain_head()
            last = row if row and row[0] >= head[0] else head
            event["seq"] = last[0] + 1
            event["prev_hash"] = last[1]
            event["hash"] = chain.event_hash(event)
            if self._signer is not None:
                event["sig"] = chain.sign_event(self._signer, event["hash"])
            cols = ", ".join(event)
            self._conn.execute(f"INSERT INTO events ({cols}) VALUES ({', '.join('?' * len(event))})",
                               tuple(event.values()))
            # the head moves with every append, so a deleted last row leaves a gap, never a reused number
            self._conn.execute("INSERT INTO chain_head (device_id, seq, hash) VALUES (?, ?, ?) ON CONFLICT(device_id)"
                               " DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
                               (self.device_id, event["seq"], event["hash"]))
            self._conn.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise

    def subject_hash(self, subject_digest: bytes) -> str:
        """HMAC-SHA256(hash key, subject digest), hex; empty when the check had no subject."""
        if not subject_digest:
            return ""
        return hmac.new(self._hash_key, subject_digest, hashlib.sha256).hexdigest()

    def _chain_head(self) -> tuple[int, str]:
        """The last link when no event rows remain (all purged): kept in `chain_head`."""
        row = self._conn.execute("SELECT seq, hash FROM chain_head WHERE device_id = ?",
                                 (self.device_id,)).fetchone()
        return (row[0], row[1]) if row else (0, chain.GENESIS)

    # ------------------------------------------------------------------ reading
    def count_by_outcome(self, since: datetime) -> dict[str, int]:
        """Checks per outcome (PASS / STOP / SEE_STAFF, all present) since `since`, for the admin panel."""
        counts = {str(o): 0 for o in Outcome}
        with self._lock:
            rows = self._conn.execute("SELECT outcome, COUNT(*) FROM events WHERE utc >= ? GROUP BY outcome",
                                      (utc_text(since),)).fetchall()
        counts.update({outcome: n for outcome, n in rows})
        return counts

    def pending_count(self) -> int:
        """Events not yet acknowledged by the central service."""
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM events WHERE synced_at IS NULL").fetchone()[0]

    def events(self, after_seq: int = 0, limit: int = 1000, unsynced_only: bool = False) -> list[dict[str, Any]]:
        """Stored events of this device with seq > after_seq, ascending; each carries its `hash`."""
        where = "device_id = ? AND seq > ?" + (" AND synced_at IS NULL" if unsynced_only else "")
        cols = ", ".join((*chain.EVENT_FIELDS, "hash", "sig"))
        with self._lock:
            cur = self._conn.execute(f"SELECT {cols} FROM events WHERE {where} ORDER BY seq LIMIT ?",
                                     (self.device_id, after_seq, limit))
            names = [d[0] for d in cur.description]
            rows = [dict(zip(names, row)) for row in cur.fetchall()]
        for row in rows:
            if row["sig"] is None:  # written before events were signed
                del row["sig"]
        return rows

    def last_seq(self) -> int:
        with self._lock:
            row = self._conn.execute("SELECT MAX(seq) FROM events WHERE device_id = ?", (self.device_id,)).fetchone()
            return row[0] if row[0] is not None else self._chain_head()[0]

    def verify_chain(self, public_key: Ed25519PublicKey | None = None, unsynced_only: bool = False) -> list[int]:
        """Sequence numbers where the stored chain is broken (tampering or gaps); empty when sound. With the
        device's `public_key`, also events whose signature is wrong, or missing after a signed one (stripped);
        a missing last row shows as the head being ahead of the table."""
        first = self.events(limit=1, unsynced_only=unsynced_only)
        if not first:
            return []
        epoch_start = first[0]["seq"] % chain.EPOCH_SPAN == 1
        known = chain.GENESIS if epoch_start else first[0]["prev_hash"]
        breaks: list[int] = []
        after, prev_hash, prev_seq = first[0]["seq"] - 1, known, first[0]["seq"] - 1
        signed_seen = False
        while batch := self.events(after_seq=after, limit=5000, unsynced_only=unsynced_only):
            breaks += chain.chain_breaks(batch, prev_hash, prev_seq)
            if public_key is not None:
                for event in batch:
                    signed_seen |= "sig" in event
                    if ("sig" in event or signed_seen) and not chain.event_signature_valid(public_key, event):
                        breaks.append(event["seq"])
            after, prev_hash, prev_seq = batch[-1]["seq"], batch[-1]["hash"], batch[-1]["seq"]
        with self._lock:
            head = self._chain_head()
            top = self._conn.execute("SELECT MAX(seq) FROM events WHERE device_id = ?", (self.device_id,)).fetchone()
        if top[0] is not None and head[0] > top[0]:
            breaks.append(head[0])  # the last rows appended were deleted
        return sorted(set(breaks))

    # ------------------------------------------------------------------ sync bookkeeping
    def mark_synced(self, through_seq: int, now: datetime, after_seq: int = 0, refused: tuple[int, ...] = ()) -> int:
        """Record the central service's acknowledgement of every event up to `through_seq` (those after `after_seq`
        when the caller knows everything before it is marked already), except the `refused` ones, which stay
        pending; returns rows marked."""
        skip = "".join(" AND seq <> ?" for _ in refused)
        with self._lock:
            cur = self._conn.execute(
                "UPDATE events SET synced_at = ? WHERE device_id = ? AND seq > ? AND seq <= ? AND synced_at IS NULL"
                + skip, (utc_text(now), self.device_id, after_seq, through_seq, *refused))
            return cur.rowcount

    def get_state(self, key: str, default: str | None = None) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_state(self, key: str, value: str) -> None:
        with self._lock:
            self._conn.execute("INSERT INTO state (key, value) VALUES (?, ?) "
                               "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    # ------------------------------------------------------------------ retention and disk
    def purge(self, now: datetime, keep_synced_for: timedelta) -> int:
        """Delete events synced longer than `keep_synced_for` ago; unsynced events are never purged."""
        cutoff = utc_text(now - keep_synced_for)
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._remember_head()
                n = self._conn.execute("DELETE FROM events WHERE synced_at IS NOT NULL AND synced_at < ?",
                                       (cutoff,)).rowcount
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        return n

    def _remember_head(self) -> None:
        row = self._conn.execute("SELECT seq, hash FROM events WHERE device_id = ? ORDER BY seq DESC LIMIT 1",
                                 (self.device_id,)).fetchone()
        if row:
            self._conn.execute("INSERT INTO chain_head (device_id, seq, hash) VALUES (?, ?, ?) ON CONFLICT(device_id)"
                               " DO UPDATE SET seq = excluded.seq, hash = excluded.hash", (self.device_id, *row))

    def disk_status(self, budget_bytes: int) -> DiskStatus:
        """Size of the log files against a budget, and the free space on their file system."""
        size = sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*") if p.is_file())
        free = shutil.disk_usage(self.path.parent).free
        return DiskStatus(size, free, budget_bytes, size > budget_bytes or free < budget_bytes // 10)

    def close(self) -> None:
        with self._lock:
            try:
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error:
                pass
            self._conn.close()

    def __enter__(self) -> EventLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
