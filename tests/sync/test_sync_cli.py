"""`kiosk enroll/sync/export` and `kiosk-central token/import` as real processes against a real service."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest

from kiosk.core.outcome.verdicts import Outcome
from kiosk.datadir import DataDir
from sync.eventlog import EventLog
from tests.sync.sync_testkit import NOW, REPO, card_result


@pytest.fixture
def db_url(sqlite_url):
    """The command line is the same over either store (the store itself is tested on both): SQLite, for speed."""
    return sqlite_url


def run(*argv, check=True):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, *argv], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def log_checks(data_root, n):
    device = DataDir(data_root).device()
    with EventLog(DataDir(data_root).event_log_path, device.device_id, device.log_hash_key) as log:
        for i in range(n):
            log.append(card_result(i), Outcome.PASS, "card", NOW)
    return device.device_id


def test_enroll_then_sync_from_the_command_line(tmp_path, central, db_url, admin_token):
    data = tmp_path / "kiosk"
    device_id = log_checks(data, 12)
    token = run("-m", "sync.central.cli", "--db", db_url, "token", "--site", "east").stdout.strip()
    enrolled = json.loads(run("-m", "kiosk", "--data-dir", str(data), "enroll", central.url, token).stdout)
    assert enrolled == {"device_id": device_id, "site": "east", "url": central.url}
    assert (data / "device-key.pem").stat().st_mode & 0o777 == 0o600
    out = json.loads(run("-m", "kiosk", "--data-dir", str(data), "sync", "--json").stdout)
    assert (out["ok"], out["uploaded"], out["pending"]) == (True, 12, 0)
    again = run("-m", "kiosk", "--data-dir", str(data), "enroll", central.url, token, check=False)
    assert again.returncode == 0  # same device, same key: the lost-answer retry is accepted
    devices = httpx.get(central.url + "/api/v1/admin/devices", headers={"Authorization": f"Bearer {admin_token}"})
    assert [(d["device_id"], d["events"]) for d in devices.json()] == [(device_id, 12)]


def test_sync_without_enrollment_is_a_usage_error(tmp_path):
    proc = run("-m", "kiosk", "--data-dir", str(tmp_path / "k"), "sync", check=False)
    assert proc.returncode == 2 and "kiosk enroll" in proc.stderr


def test_air_gapped_export_is_resumable_and_imported_exactly_once(tmp_path, central, db_url):
    data, stick = tmp_path / "kiosk", tmp_path / "usb"
    device_id = log_checks(data, 5)
    token = run("-m", "sync.central.cli", "--db", db_url, "token").stdout.strip()
    run("-m", "kiosk", "--data-dir", str(data), "enroll", central.url, token)
    first = json.loads(run("-m", "kiosk", "--data-dir", str(data), "export", str(stick)).stdout)["files"]
    log_checks(data, 3)
    second = json.loads(run("-m", "kiosk", "--data-dir", str(data), "export", str(stick)).stdout)["files"]
    assert len(first) == len(second) == 1 and first != second
    assert json.loads(run("-m", "kiosk", "--data-dir", str(data), "export", str(stick)).stdout)["files"] == []
    out = run("-m", "sync.central.cli", "--db", db_url, "import", *second, *first, *first).stdout.splitlines()
    results = [json.loads(line) for line in out]
    assert [(r["stored"], r["duplicates"]) for r in results] == [(3, 0), (5, 0), (0, 5)]
    assert results[0]["chain_breaks"] == [] and results[1]["chain_breaks"] == []
    forged = json.loads(open(first[0]).read())
    forged["payload"]["events"][0]["verdict"] = "REVOKED"
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    bad = run("-m", "sync.central.cli", "--db", db_url, "import", str(tmp_path / "forged.json"), check=False)
    assert bad.returncode == 1 and "signature" in bad.stderr
    assert device_id in first[0]


def test_sync_fails_loudly_when_the_central_quarantines_stripped_signatures(tmp_path, central, db_url):
    """The central remembers that this kiosk signs: signatures stripped from the file after a signed sync are
    refused on arrival; `kiosk sync` exits 1, names them in --json (`refused`, `quarantined`) and on stderr."""
    import sqlite3

    from sync.devicekey import load_or_create_device_key
    data = tmp_path / "kiosk"
    token = run("-m", "sync.central.cli", "--db", db_url, "token").stdout.strip()
    run("-m", "kiosk", "--data-dir", str(data), "enroll", central.url, token)
    device = DataDir(data).device()
    key = load_or_create_device_key(data / "device-key.pem")

    def checks(n):
        with EventLog(DataDir(data).event_log_path, device.device_id, device.log_hash_key, signer=key) as log:
            for i in range(n):
                log.append(card_result(i), Outcome.PASS, "card", NOW)
    checks(3)
    assert json.loads(run("-m", "kiosk", "--data-dir", str(data), "sync", "--json").stdout)["ok"] is True
    checks(2)
    db = sqlite3.connect(DataDir(data).event_log_path)
    db.execute("UPDATE events SET sig = NULL WHERE seq > 3")
    db.commit()
    db.close()
    proc = run("-m", "kiosk", "--data-dir", str(data), "sync", "--json", check=False)
    out = json.loads(proc.stdout)
    assert proc.returncode == 1 and out["ok"] is False and "quarantined" in proc.stderr
    assert out["refused"] == [4, 5] and out["quarantined"] == [4, 5] and out["pending"] == 2
    assert {"uploaded", "duplicates", "batches", "updated_files", "installed", "install_refused", "chain_breaks",
            "error", "heartbeat_sent", "clock_offset_s"} <= set(out)  # the contract's fields are all still there
