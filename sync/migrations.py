"""Versioned schema migrations of the local event log, applied in order on open (PRAGMA user_version).

Why: kiosks in the field upgrade in place; each step runs once, inside a transaction, and is never edited after
release — a change is a new step appended to MIGRATIONS. Called by EventLog.__init__ with its lock held.
"""
from __future__ import annotations

from collections.abc import Callable

import sqlite_utils


def _v1(db: sqlite_utils.Database) -> None:
    db["events"].create({
        "event_id": str, "device_id": str, "seq": int, "utc": str, "monotonic_ns": int,
        "verdict": str, "reason": str, "outcome": str, "input_kind": str, "pass_format": str, "kid": str,
        "trust_version": int, "masked_name": str, "masked_id": str, "subject_hash": str, "flags": str,
        "prev_hash": str, "hash": str, "synced_at": str,
    }, pk="event_id", not_null={"device_id", "seq", "utc", "verdict", "reason", "outcome", "hash", "prev_hash"})
    db["events"].create_index(["device_id", "seq"], unique=True)
    db["events"].create_index(["utc"])
    db["events"].create_index(["synced_at"])
    db["state"].create({"key": str, "value": str}, pk="key")
    db["chain_head"].create({"device_id": str, "seq": int, "hash": str}, pk="device_id")


def _v2(db: sqlite_utils.Database) -> None:
    """Fewer pages per durable commit: the synced_at index is not needed (sync walks the (device_id, seq) index;
    pending counts scan a retention window's rows), and each index costs a page write on every append."""
    db.conn.execute("DROP INDEX IF EXISTS idx_events_synced_at")


def _v3(db: sqlite_utils.Database) -> None:
    """Each event's Ed25519 signature by the device key over its hash (a keyed chain: see sync/eventlog.py)."""
    db.conn.execute("ALTER TABLE events ADD COLUMN sig TEXT")


MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (_v1, _v2, _v3)
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNew(Exception):
    """The log file was written by a newer kiosk; refuse rather than corrupt it."""


def migrate(db: sqlite_utils.Database) -> int:
    """Bring the file to SCHEMA_VERSION; returns the version found before."""
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = conn.execute("PRAGMA user_version").fetchone()[0]
        if found > SCHEMA_VERSION:
            raise SchemaTooNew(f"log schema {found} is newer than this kiosk's {SCHEMA_VERSION}")
        for version in range(found, SCHEMA_VERSION):
            MIGRATIONS[version](db)
            conn.execute(f"PRAGMA user_version = {version + 1}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return found
