"""The local event log on real SQLite files: durability, chain, privacy, migrations, retention."""
from __future__ import annotations

import hashlib
import hmac
import sqlite3
import threading
from datetime import timedelta

import pytest

from kiosk.core.outcome.verdicts import Outcome, Verdict
from sync import chain
from sync.eventlog import EventLog, EventLogError
from sync.migrations import SCHEMA_VERSION, SchemaTooNew
from tests.sync.sync_testkit import BIRTH_DATE, FULL_ID, HASH_KEY, NAME, NOW, card_result


@pytest.fixture
def log(tmp_path):
    with EventLog(tmp_path / "log.db", "dev-1", HASH_KEY) as log:
        yield log


def test_append_returns_stored_event_with_sequence_and_chain(log):
    first = log.append(card_result(0), Outcome.PASS, "card", NOW, monotonic_ns=5)
    second = log.append(card_result(1, Verdict.EXPIRED), Outcome.STOP, "code", NOW + timedelta(seconds=1))
    assert (first["seq"], second["seq"]) == (1, 2)
    assert first["prev_hash"] == chain.GENESIS and second["prev_hash"] == first["hash"]
    assert first["device_id"] == "dev-1" and first["monotonic_ns"] == 5
    assert first["utc"] == "2026-11-23T08:00:00.000000Z"
    assert (first["verdict"], first["reason"], first["outcome"]) == ("VALID", "OK", "PASS")
    assert (first["pass_format"], first["kid"], first["trust_version"]) == ("ID_CARD", "a1b2c3d4e5f60708", 7)
    assert first["masked_id"] == "110105********002X" and first["masked_name"] == "张*"
    digest = card_result(0).subject_digest
    assert first["subject_hash"] == hmac.new(HASH_KEY, digest, hashlib.sha256).hexdigest()
    assert log.events() == [first, second]
    assert log.verify_chain() == []


def test_event_is_durable_across_reopen(tmp_path):
    log = EventLog(tmp_path / "log.db", "dev-1", HASH_KEY)
    stored = log.append(card_result(), Outcome.PASS, "card", NOW)
    log.close()
    with EventLog(tmp_path / "log.db", "dev-1", HASH_KEY) as again:
        assert again.events() == [stored]
        assert again.append(card_result(), Outcome.PASS, "card", NOW)["seq"] == 2


def test_no_personal_data_in_the_file(tmp_path):
    with EventLog(tmp_path / "log.db", "dev-1", HASH_KEY) as log:
        for i in range(5):
            log.append(card_result(i), Outcome.PASS, "card", NOW)
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    for secret in (BIRTH_DATE, FULL_ID, NAME, "raw detail"):
        assert secret.encode() not in raw
    assert card_result(0).subject_digest.hex().encode() not in raw


def test_tampering_and_gaps_show(log):
    for i in range(5):
        log.append(card_result(i), Outcome.PASS, "card", NOW)
    log._conn.execute("UPDATE events SET verdict = 'INVALID' WHERE seq = 2")
    log._conn.execute("DELETE FROM events WHERE seq = 4")
    assert log.verify_chain() == [2, 5]


def test_counts_and_pending(log):
    log.append(card_result(0), Outcome.PASS, "card", NOW - timedelta(days=2))
    for i in range(3):
        log.append(card_result(i), Outcome.PASS, "card", NOW)
    log.append(card_result(9, Verdict.REVOKED), Outcome.SEE_STAFF, "manual", NOW)
    assert log.count_by_outcome(NOW - timedelta(hours=1)) == {"PASS": 3, "STOP": 0, "SEE_STAFF": 1}
    assert log.pending_count() == 5
    assert log.mark_synced(3, NOW) == 3
    assert log.pending_count() == 2


def test_retention_purges_synced_only_and_chain_continues(log):
    for i in range(6):
        log.append(card_result(i), Outcome.PASS, "card", NOW)
    log.mark_synced(6, NOW)
    log.append(card_result(7), Outcome.STOP, "code", NOW)
    assert log.purge(NOW + timedelta(days=31), keep_synced_for=timedelta(days=30)) == 6
    assert log.pending_count() == 1 and [e["seq"] for e in log.events()] == [7]
    assert log.purge(NOW + timedelta(days=400), keep_synced_for=timedelta(days=30)) == 0
    log.mark_synced(7, NOW)
    log.purge(NOW + timedelta(days=400), keep_synced_for=timedelta(days=30))
    nxt = log.append(card_result(8), Outcome.PASS, "card", NOW)
    assert nxt["seq"] == 8 and log.verify_chain() == []


def test_bad_arguments_are_typed_errors(tmp_path, log):
    with pytest.raises(EventLogError):
        log.append(card_result(), Outcome.PASS, "telepathy", NOW)
    with pytest.raises(EventLogError):
        log.append(card_result(), Outcome.PASS, "card", NOW.replace(tzinfo=None))
    with pytest.raises(ValueError):
        log.append(card_result(), "MAYBE", "card", NOW)
    with pytest.raises(EventLogError):
        EventLog(tmp_path / "x.db", "dev", b"short")
    assert log.events() == []


def test_migrations_are_versioned_and_refuse_newer_files(tmp_path):
    path = tmp_path / "log.db"
    EventLog(path, "dev-1", HASH_KEY).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(SchemaTooNew):
        EventLog(path, "dev-1", HASH_KEY)


def test_a_version_1_file_is_migrated_in_place(tmp_path):
    import sqlite_utils

    from sync.migrations import MIGRATIONS
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    MIGRATIONS[0](sqlite_utils.Database(conn))
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    with EventLog(path, "dev-1", HASH_KEY) as log:
        log.append(card_result(), Outcome.PASS, "card", NOW)
        assert log._conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert log.verify_chain() == [] and log.pending_count() == 1


def test_concurrent_appends_from_threads_and_a_second_connection(tmp_path):
    path = tmp_path / "log.db"
    logs = [EventLog(path, "dev-1", HASH_KEY), EventLog(path, "dev-1", HASH_KEY)]
    def work(log):
        for i in range(25):
            log.append(card_result(i), Outcome.PASS, "card", NOW)
    threads = [threading.Thread(target=work, args=(logs[i % 2],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert [e["seq"] for e in logs[0].events(limit=1000)] == list(range(1, 101))
    assert logs[0].verify_chain() == []
    for log in logs:
        log.close()


def test_disk_status_reports_budget(log):
    log.append(card_result(), Outcome.PASS, "card", NOW)
    status = log.disk_status(budget_bytes=1)
    assert status.over_budget and status.log_bytes > 0 and status.free_bytes > 0
    assert not log.disk_status(budget_bytes=10**12).over_budget or status.free_bytes < 10**11


def test_a_log_that_cannot_write_is_a_typed_error(tmp_path):
    log = EventLog(tmp_path / "log.db", "dev-1", HASH_KEY)
    log.append(card_result(), Outcome.PASS, "card", NOW)
    log._conn.execute("PRAGMA query_only = ON")  # what a read-only or full medium looks like to the log
    with pytest.raises(EventLogError):
        log.append(card_result(), Outcome.PASS, "card", NOW)
    log._conn.execute("PRAGMA query_only = OFF")
    assert log.append(card_result(), Outcome.PASS, "card", NOW)["seq"] == 2
    log.close()
