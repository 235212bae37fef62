"""Versioned migrations of the central store, the same steps on SQLite and PostgreSQL.

Why: the central database outlives any one release; each step runs once (recorded in `schema_version`) and is
never edited after release. Called inside the Store's first transaction.
"""
from __future__ import annotations

from typing import Any

_V1 = [
    """CREATE TABLE IF NOT EXISTS devices (
        device_id TEXT PRIMARY KEY, public_key TEXT NOT NULL, site TEXT NOT NULL, enrolled_at TEXT NOT NULL,
        last_seen TEXT, event_count BIGINT NOT NULL DEFAULT 0, max_seq BIGINT NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS enrollment_tokens (
        token_hash TEXT PRIMARY KEY, site TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL,
        used_by TEXT, used_at TEXT)""",
    "CREATE TABLE IF NOT EXISTS admin_credentials (cred_hash TEXT PRIMARY KEY, created_at TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS nonces (
        device_id TEXT NOT NULL, nonce TEXT NOT NULL, expires_at BIGINT NOT NULL, PRIMARY KEY (device_id, nonce))""",
    """CREATE TABLE IF NOT EXISTS events (
        device_id TEXT NOT NULL, seq BIGINT NOT NULL, event_id TEXT NOT NULL, utc TEXT NOT NULL, day TEXT NOT NULL,
        site TEXT NOT NULL, monotonic_ns BIGINT, verdict TEXT NOT NULL, reason TEXT NOT NULL, outcome TEXT NOT NULL,
        input_kind TEXT NOT NULL, pass_format TEXT, kid TEXT, trust_version BIGINT, masked_name TEXT,
        masked_id TEXT, subject_hash TEXT, flags TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
        received_at TEXT NOT NULL, via TEXT NOT NULL, PRIMARY KEY (device_id, seq))""",
    "CREATE INDEX IF NOT EXISTS events_day ON events (day, site, verdict)",
    """CREATE TABLE IF NOT EXISTS chain_flags (
        device_id TEXT NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL, detail TEXT, flagged_at TEXT NOT NULL,
        PRIMARY KEY (device_id, seq, kind))""",
    "CREATE TABLE IF NOT EXISTS files (name TEXT PRIMARY KEY, etag TEXT NOT NULL, body {blob} NOT NULL, "
    "updated_at TEXT NOT NULL)",
]

# The fleet loop (issue 12): disabled devices and per-device re-enrollment tokens, the latest heartbeat per device
# and a thinned history, and publications that carry what was verified (kind, version, issue time, site).
_V2 = [
    "ALTER TABLE devices ADD COLUMN disabled_at TEXT",
    "ALTER TABLE devices ADD COLUMN disabled_reason TEXT",
    "ALTER TABLE enrollment_tokens ADD COLUMN device_id TEXT",
    """CREATE TABLE IF NOT EXISTS device_state (
        device_id TEXT PRIMARY KEY, received_at TEXT NOT NULL, kiosk_utc TEXT, clock_offset_s DOUBLE PRECISION,
        software_version TEXT, trust_version BIGINT, trust_age_s BIGINT, trust_fresh BOOLEAN,
        status_list_version BIGINT, status_list_age_s BIGINT, demo_trust BOOLEAN, paused BOOLEAN,
        backlog BIGINT, disk_free_bytes BIGINT, disk_log_bytes BIGINT, disk_budget_bytes BIGINT,
        last_error TEXT, sync_failures BIGINT, devices TEXT, digest TEXT, history_at TEXT)""",
    """CREATE TABLE IF NOT EXISTS heartbeats (
        device_id TEXT NOT NULL, received_at TEXT NOT NULL, clock_offset_s DOUBLE PRECISION, body TEXT NOT NULL,
        PRIMARY KEY (device_id, received_at))""",
    "CREATE INDEX IF NOT EXISTS heartbeats_received ON heartbeats (received_at)",
    "ALTER TABLE files ADD COLUMN kind TEXT",
    "ALTER TABLE files ADD COLUMN version BIGINT",
    "ALTER TABLE files ADD COLUMN site TEXT",
    "ALTER TABLE files ADD COLUMN base_name TEXT",
    "ALTER TABLE files ADD COLUMN issued_at TEXT",
    "ALTER TABLE files ADD COLUMN size BIGINT",
    """CREATE TABLE IF NOT EXISTS publications (
        name TEXT NOT NULL, site TEXT NOT NULL, version BIGINT NOT NULL, kind TEXT NOT NULL, etag TEXT NOT NULL,
        size BIGINT NOT NULL, issued_at TEXT, published_at TEXT NOT NULL, PRIMARY KEY (name, site, version))""",
]

# The administrators' console (docs/console.md): accounts, their sessions, the audit log, and hourly check counts
# kept at ingest (the counts page must not scan millions of events); the last step backfills counts already stored.
_V3 = [
    """CREATE TABLE IF NOT EXISTS console_users (
        name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL, created_at TEXT NOT NULL,
        disabled_at TEXT, failed_logins BIGINT NOT NULL DEFAULT 0, lockouts BIGINT NOT NULL DEFAULT 0,
        locked_until TEXT, last_login TEXT)""",
    """CREATE TABLE IF NOT EXISTS console_sessions (
        token_hash TEXT PRIMARY KEY, user_name TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL,
        address TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS audit_log (
        id {serial} PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, address TEXT NOT NULL, action TEXT NOT NULL,
        target TEXT NOT NULL, detail TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at)",
    """CREATE TABLE IF NOT EXISTS publish_drafts (
        draft_id TEXT PRIMARY KEY, user_name TEXT NOT NULL, name TEXT NOT NULL, site TEXT, body {blob} NOT NULL,
        created_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS check_counts (
        day TEXT NOT NULL, hour BIGINT NOT NULL, site TEXT NOT NULL, outcome TEXT NOT NULL, verdict TEXT NOT NULL,
        n BIGINT NOT NULL, PRIMARY KEY (day, hour, site, outcome, verdict))""",
    """CREATE TABLE IF NOT EXISTS check_counts_daily (
        day TEXT NOT NULL, site TEXT NOT NULL, outcome TEXT NOT NULL, verdict TEXT NOT NULL, n BIGINT NOT NULL,
        PRIMARY KEY (day, site, outcome, verdict))""",
    """INSERT INTO check_counts (day, hour, site, outcome, verdict, n)
        SELECT day, CAST(SUBSTR(utc, 12, 2) AS {int}), site, outcome, verdict, COUNT(*) FROM events
        GROUP BY day, CAST(SUBSTR(utc, 12, 2) AS {int}), site, outcome, verdict""",
    """INSERT INTO check_counts_daily (day, site, outcome, verdict, n)
        SELECT day, site, outcome, verdict, SUM(n) FROM check_counts GROUP BY day, site, outcome, verdict""",
]



class AddColumn:
    """`ALTER TABLE … ADD COLUMN` that is a no-op when the column exists (SQLite has no `IF NOT EXISTS` for
    columns), so a test or an operator re-running the later steps cannot trip over it."""

    def __init__(self, table: str, column: str, sql_type: str) -> None:
        self.table, self.column, self.sql_type = table, column, sql_type

    def __call__(self, tx: Any) -> None:
        if tx.postgres:
            tx.execute(f"ALTER TABLE {self.table} ADD COLUMN IF NOT EXISTS {self.column} {self.sql_type}")
            return
        names = [row[1] for row in tx.execute(f"PRAGMA table_info({self.table})").fetchall()]
        if self.column not in names:
            tx.execute(f"ALTER TABLE {self.table} ADD COLUMN {self.column} {self.sql_type}")

    def __contains__(self, text: str) -> bool:  # steps are searched like SQL text (tests look for a table)
        return text in f"{self.table} {self.column}"


# The central remembers that a device signs its events (issue 15): the lowest sequence number of a correctly
# signed event it has received from the device. From there on an unsigned event of that device is a stripped
# signature, quarantined like a bad one (sync/central/events/ingest.py).
_V4: list = [AddColumn("devices", "signs_since", "BIGINT")]

MIGRATIONS: tuple[list, ...] = (_V1, _V2, _V3, _V4)


def migrate_store(tx: Any) -> int:
    """Apply the steps not yet recorded; returns the version found before."""
    if tx.postgres:
        tx.execute("SELECT pg_advisory_xact_lock(715517)")  # two services starting at once migrate one at a time
    tx.execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
    row = tx.execute("SELECT MAX(version) FROM schema_version").fetchone()
    found = row[0] or 0
    words = {"blob": "BYTEA" if tx.postgres else "BLOB", "int": "BIGINT" if tx.postgres else "INTEGER",
             "serial": "BIGSERIAL" if tx.postgres else "INTEGER"}
    for version in range(found, len(MIGRATIONS)):
        for statement in MIGRATIONS[version]:
            if callable(statement):
                statement(tx)
            else:
                tx.execute(statement.format(**words))
        tx.execute("INSERT INTO schema_version (version) VALUES (?)", (version + 1,))
    return found
