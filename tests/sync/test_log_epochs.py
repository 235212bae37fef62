"""Exactly-once across a log reset (sync/logfile.py): a new log starts a new epoch, a conflict is never
acknowledged, a damaged log is moved aside (nothing deleted), an unwritable one is a typed error."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from kiosk.core.outcome.verdicts import Outcome
from sync.client import SyncClient
from sync.eventlog import EPOCH_SPAN, EventLogError
from sync.logfile import EPOCH_FILE, open_log
from tests.sync.sync_testkit import HASH_KEY, NOW, REPO, card_result
from tests.sync.test_faults import central_events


@pytest.fixture
def db_url(sqlite_url):
    return sqlite_url


def _reset(path):
    """What staff did in the field: the log files moved aside (the epoch file beside them stays)."""
    aside = path.parent / "old"
    aside.mkdir(exist_ok=True)
    for p in list(path.parent.glob(path.name + "*")):
        shutil.move(str(p), aside / p.name)


def _fill(log, n, start=0):
    for i in range(n):
        log.append(card_result(start + i), Outcome.PASS, "card", NOW)


def test_a_reset_log_starts_a_new_epoch_and_every_check_reaches_the_central(kiosk, central, db_url, tmp_path):
    path = tmp_path / "k" / "events.sqlite"
    log = open_log(path, kiosk.device_id, HASH_KEY).log
    _fill(log, 3)
    assert SyncClient(log, kiosk.link, tmp_path / "dl", files=()).sync_once().ok
    log.close()
    _reset(path)
    opened = open_log(path, kiosk.device_id, HASH_KEY)
    assert opened.new_epoch and opened.log.epoch == 1
    _fill(opened.log, 2, start=3)
    assert [e["seq"] for e in opened.log.events()] == [EPOCH_SPAN + 1, EPOCH_SPAN + 2]
    report = SyncClient(opened.log, kiosk.link, tmp_path / "dl", files=()).sync_once()
    assert report.ok and report.uploaded == 2 and report.refused == []
    assert central_events(db_url, kiosk.device_id) == [1, 2, 3, EPOCH_SPAN + 1, EPOCH_SPAN + 2]
    opened.log.close()
    again = open_log(path, kiosk.device_id, HASH_KEY)  # reopening keeps the epoch: no new one per start
    assert again.log.epoch == 1 and not again.new_epoch
    again.log.close()


def test_a_conflict_is_never_acknowledged_and_sync_fails_loudly(kiosk, central, db_url, tmp_path):
    path = tmp_path / "k" / "events.sqlite"
    log = open_log(path, kiosk.device_id, HASH_KEY).log
    _fill(log, 3)
    assert SyncClient(log, kiosk.link, tmp_path / "dl", files=()).sync_once().ok
    log.close()
    _reset(path)
    (path.parent / EPOCH_FILE).unlink()  # the epoch record lost too: the new log reuses 1, 2, ...
    log = open_log(path, kiosk.device_id, HASH_KEY).log
    _fill(log, 2, start=10)
    client = SyncClient(log, kiosk.link, tmp_path / "dl", files=())
    for _ in range(2):  # every round while anything is refused
        report = client.sync_once()
        assert not report.ok and report.refused == [1, 2] and "refused 2 event(s)" in report.error
        assert log.pending_count() == 2  # never marked synced, so never purged
    from sync.central.storage import registry
    from sync.central.storage.store import Store
    store = Store(db_url)
    with store.tx() as tx:
        assert [f["kind"] for f in registry.chain_flags(tx, kiosk.device_id)] == ["conflict", "conflict"]
        assert tx.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 3  # the central kept its own
    store.close()
    log.close()


def test_kiosk_sync_exits_non_zero_while_events_are_refused(tmp_path, central, db_url):
    from kiosk.datadir import DataDir
    from tests.sync.sync_testkit import make_token
    data = tmp_path / "kiosk"
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    def kiosk(*argv):
        return subprocess.run([sys.executable, "-m", "kiosk", "--data-dir", str(data), *argv], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=120)
    device = DataDir(data).device()
    log = open_log(DataDir(data).event_log_path, device.device_id, device.log_hash_key).log
    _fill(log, 2)
    log.close()
    assert kiosk("enroll", central.url, make_token(db_url)).returncode == 0
    assert json.loads(kiosk("sync", "--json").stdout)["ok"] is True
    for p in data.glob("events.sqlite*"):
        p.unlink()
    (data / EPOCH_FILE).unlink()
    log = open_log(DataDir(data).event_log_path, device.device_id, device.log_hash_key).log
    _fill(log, 1, start=5)
    log.close()
    proc = kiosk("sync", "--json")
    out = json.loads(proc.stdout)
    assert proc.returncode == 1 and out["ok"] is False and out["refused"] == [1] and out["pending"] == 1
    assert "refused" in proc.stderr


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_damaged_log_is_moved_aside_and_a_new_epoch_begins(tmp_path, damage):
    path = tmp_path / "events.sqlite"
    log = open_log(path, "gate-1", HASH_KEY).log
    _fill(log, 400)
    log.close()
    if damage == "garbage":
        path.write_bytes(b"this is not a database" * 100)
    else:
        size = path.stat().st_size
        with open(path, "r+b") as fh:
            fh.truncate(size // 3)
    damaged = path.read_bytes()
    opened = open_log(path, "gate-1", HASH_KEY, now=NOW)
    assert opened.moved_aside is not None and opened.moved_aside.read_bytes() == damaged  # nothing deleted
    assert opened.moved_aside.name == "events.sqlite.damaged-20261123T080000Z"
    assert opened.log.epoch == 1
    _fill(opened.log, 1)
    assert [e["seq"] for e in opened.log.events()] == [EPOCH_SPAN + 1]
    opened.log.close()


def test_an_unwritable_log_is_a_typed_error_and_the_log_is_owner_only(tmp_path):
    path = tmp_path / "events.sqlite"
    path.mkdir()  # in the way of the file (a read-only medium answers alike; root ignores file modes)
    with pytest.raises(EventLogError):
        open_log(path, "gate-1", HASH_KEY)
    path.rmdir()
    log = open_log(path, "gate-1", HASH_KEY).log
    _fill(log, 1)
    assert all((p.stat().st_mode & 0o777) == 0o600 for p in tmp_path.glob("events.sqlite*"))
    log.close()


def test_the_device_list_counts_gaps_within_each_epoch(kiosk, central, db_url, tmp_path):
    from sync.central.storage import registry
    from sync.central.storage.store import Store
    path = tmp_path / "k" / "events.sqlite"
    log = open_log(path, kiosk.device_id, HASH_KEY).log
    _fill(log, 3)
    batch = log.events()
    kiosk.link.upload([batch[0], batch[2]])  # seq 2 never arrives
    log.close()
    _reset(path)
    log = open_log(path, kiosk.device_id, HASH_KEY).log
    _fill(log, 2)
    kiosk.link.upload(log.events())
    log.close()
    store = Store(db_url)
    with store.tx() as tx:
        [device] = registry.list_devices(tx)
    store.close()
    assert (device["events"], device["missing"]) == (4, 1)
