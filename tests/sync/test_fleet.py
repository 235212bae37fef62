"""Heartbeats and the fleet view: every sync round reports, the administrator sees versions, clock offset and
alerts (`Store.fleet`, GET /api/v1/admin/fleet, `kiosk-central devices --json`); a stolen kiosk is disabled
and re-enrolled later."""
from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import httpx

from kiosk.core.outcome.verdicts import Outcome
from sync.bundle import export_bundles
from sync.central.storage.store import Store
from sync.client import SyncClient
from sync.devicekey import load_or_create_device_key
from sync.heartbeat import DeviceState, KioskState
from sync.transport import CentralLink
from tests.sync.sync_testkit import REPO, Kiosk, card_result

HEALTHY = KioskState(software_version="0.1.0", trust_version=2, trust_age_s=3600, trust_fresh=True,
                     status_list_version=5, status_list_age_s=600,
                     devices=(DeviceState("reader", True), DeviceState("scanner", True)),
                     disk_free_bytes=10 ** 10, disk_log_bytes=10 ** 6, disk_budget_bytes=512 * 2 ** 20)


def client_for(kiosk, tmp_path, state=HEALTHY, clock=None, **kw):
    return SyncClient(kiosk.log, kiosk.link, tmp_path / "dl", files=(), heartbeat=lambda: state,
                      **({"clock": clock} if clock else {}), **kw)


def fleet_of(db_url, now=None):
    store = Store(db_url)
    try:
        return {d["device_id"]: d for d in store.fleet(now or datetime.now(timezone.utc))}
    finally:
        store.close()


def test_every_round_sends_a_heartbeat_and_the_fleet_shows_it(kiosk, central, db_url, tmp_path, admin_token):
    assert fleet_of(db_url)["gate-1"]["alerts"] == ["silent"]  # enrolled, never heard from
    report = client_for(kiosk, tmp_path).sync_once()  # no events at all: a heartbeat still goes
    assert report.ok and report.heartbeat_sent and report.uploaded == 0
    assert abs(report.clock_offset_s) < 60 and report.central_time is not None
    view = fleet_of(db_url)["gate-1"]
    assert (view["site"], view["trust_version"], view["status_list_version"], view["software_version"]) == \
        ("north-gate", 2, 5, "0.1.0")
    assert view["alerts"] == [] and view["last_seen"] is not None and view["backlog"] == 0
    assert [d["name"] for d in view["devices"]] == ["reader", "scanner"]
    api = httpx.get(central.url + "/api/v1/admin/fleet", headers={"Authorization": f"Bearer {admin_token}"})
    assert api.status_code == 200 and api.json()[0]["device_id"] == "gate-1"
    later = fleet_of(db_url, datetime.now(timezone.utc) + timedelta(hours=1))["gate-1"]
    assert later["alerts"] == ["silent"]


def test_backlog_last_error_and_a_two_hour_clock_error_are_recorded(kiosk, central, db_url, tmp_path):
    for i in range(3):
        kiosk.log.append(card_result(i), Outcome.PASS, "card", datetime.now(timezone.utc))
    two_hours_fast = lambda: datetime.now(timezone.utc) + timedelta(hours=2)  # noqa: E731
    client = client_for(kiosk, tmp_path, clock=two_hours_fast, keep_synced_for=None)
    report = client.sync_once()
    assert report.ok and report.uploaded == 3
    assert 7100 < report.clock_offset_s < 7300  # the kiosk learns it from the central service
    view = fleet_of(db_url)["gate-1"]
    assert 7100 < view["clock_offset_s"] < 7300 and view["alerts"] == ["clock"]
    assert view["backlog"] == 0 and view["events"] == 3


def test_alerts_for_paused_blind_demo_stale_and_full_kiosks(kiosk, central, db_url, tmp_path):
    bad = KioskState(software_version="0.1.0", trust_version=1, trust_fresh=False, status_list_version=1,
                     demo_trust=True, paused=True, devices=(DeviceState("camera", False, "unplugged"),),
                     disk_free_bytes=1000, disk_log_bytes=600 * 2 ** 20, disk_budget_bytes=512 * 2 ** 20)
    assert client_for(kiosk, tmp_path, bad).sync_once().ok
    assert fleet_of(db_url)["gate-1"]["alerts"] == ["stale_trust", "device_fault", "paused", "demo_trust", "disk"]


def test_a_kiosk_behind_a_publication_is_stale_after_the_grace(pinned_central, material, db_url, tmp_path,
                                                                 admin_token):
    kiosk = Kiosk(tmp_path / "k", pinned_central.url, db_url, "gate-9")
    httpx.put(pinned_central.url + "/api/v1/admin/files/trust-bundle", content=material.bundle(3),
              headers={"Authorization": f"Bearer {admin_token}"}).raise_for_status()
    assert client_for(kiosk, tmp_path).sync_once().ok  # reports trust version 2
    now = datetime.now(timezone.utc)
    assert fleet_of(db_url, now)["gate-9"]["alerts"] == []  # just published: give it a round
    soon = fleet_of(db_url, now + timedelta(minutes=14))["gate-9"]
    assert soon["published_trust_version"] == 3 and "stale_trust" not in soon["alerts"]
    assert "stale_trust" in fleet_of(db_url, now + timedelta(minutes=16))["gate-9"]["alerts"]
    kiosk.close()


def test_history_keeps_changes_and_thins_repeats(kiosk, central, db_url, tmp_path):
    state = {"now": HEALTHY}
    client = SyncClient(kiosk.log, kiosk.link, tmp_path / "dl", files=(), heartbeat=lambda: state["now"])
    start = datetime.now(timezone.utc) - timedelta(seconds=5)
    for _ in range(3):
        assert client.sync_once().ok
    state["now"] = dataclasses.replace(HEALTHY, paused=True)
    assert client.sync_once().ok
    store = Store(db_url)
    history = store.heartbeats("gate-1", start)
    store.close()
    assert [h["paused"] for h in history] == [False, True]  # three identical beats kept once, the change kept
    assert all("received_at" in h and "clock_offset_s" in h for h in history)


def test_a_broken_heartbeat_source_never_stops_the_round(kiosk, central, db_url, tmp_path):
    def broken():
        raise RuntimeError("window gone")
    client = SyncClient(kiosk.log, kiosk.link, tmp_path / "dl", files=(), heartbeat=broken)
    report = client.sync_once()
    assert report.heartbeat_sent and report.ok
    store = Store(db_url)
    history = store.heartbeats("gate-1", datetime.now(timezone.utc) - timedelta(minutes=1))
    store.close()
    assert history[-1]["last_error"].startswith("heartbeat source: RuntimeError")


def test_a_stolen_kiosk_is_disabled_then_re_enrolled(kiosk, central, db_url, tmp_path, admin_token):
    admin = {"Authorization": f"Bearer {admin_token}"}
    client = client_for(kiosk, tmp_path)
    kiosk.log.append(card_result(1), Outcome.PASS, "card", datetime.now(timezone.utc))
    assert client.sync_once().ok
    r = httpx.post(central.url + "/api/v1/admin/devices/gate-1/disable", json={"reason": "stolen"}, headers=admin)
    assert r.status_code == 204
    kiosk.log.append(card_result(2), Outcome.PASS, "card", datetime.now(timezone.utc))
    refused = client.sync_once()
    assert "403" in refused.error and "disabled" in refused.error and not refused.heartbeat_sent
    bundle = export_bundles(kiosk.log, kiosk.key, tmp_path / "usb", datetime.now(timezone.utc))[0]
    r = httpx.post(central.url + "/api/v1/admin/import", content=bundle.read_bytes(),
                   headers={**admin, "Content-Type": "application/json"})
    assert r.status_code == 422 and "disabled" in r.json()["detail"]
    view = fleet_of(db_url)["gate-1"]
    assert view["alerts"][0] == "disabled" and view["disabled_at"]
    assert httpx.post(central.url + "/api/v1/admin/devices/nope/disable", json={}, headers=admin).status_code == 404
    # the replacement kiosk gets a new key and a token made for this device only
    r = httpx.post(central.url + "/api/v1/admin/devices/gate-1/reenroll", json={}, headers=admin)
    assert r.status_code == 201 and r.json()["site"] == "north-gate"
    token = r.json()["token"]
    thief = CentralLink(central.url, "gate-7", load_or_create_device_key(tmp_path / "other.pem"))
    assert "another device" in _enroll_error(thief, token)
    new_key = load_or_create_device_key(tmp_path / "new-key.pem")
    fresh = CentralLink(central.url, "gate-1", new_key)
    assert fresh.enroll(token)["site"] == "north-gate"
    # the replacement kiosk starts a log of its own, signed with its own key (the stolen kiosk's unsynced
    # events, signed with the old key, are refused by the keyed chain: they came back through the thief's hands)
    from sync.eventlog import EventLog
    from tests.sync.sync_testkit import HASH_KEY
    new_log = EventLog(tmp_path / "replacement.db", "gate-1", HASH_KEY, new_epoch=1, signer=new_key)
    new_log.append(card_result(3), Outcome.PASS, "card", datetime.now(timezone.utc))
    resumed = SyncClient(new_log, fresh, tmp_path / "dl", files=(), heartbeat=lambda: HEALTHY).sync_once()
    new_log.close()
    assert resumed.ok and resumed.uploaded == 1, resumed.error
    assert "HTTP 401" in client.sync_once().error  # the old key stays out
    assert fleet_of(db_url)["gate-1"]["alerts"] == []
    thief.close()
    fresh.close()


def _enroll_error(link, token) -> str:
    try:
        link.enroll(token)
    except Exception as exc:  # SyncError with the service's message
        return str(exc)
    return ""


def test_devices_disable_and_reenroll_from_the_command_line(kiosk, central, db_url, tmp_path):
    assert client_for(kiosk, tmp_path, clock=lambda: datetime.now(timezone.utc) - timedelta(minutes=5)).sync_once().ok

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "sync.central.cli", "--db", db_url, *args], cwd=REPO,
                              capture_output=True, text=True, timeout=60)

    rows = [json.loads(line) for line in cli("devices", "--json").stdout.splitlines()]
    assert len(rows) == 1
    row = rows[0]
    for key in ("device_id", "site", "last_seen", "trust_version", "status_list_version", "clock_offset_s",
                "software_version", "alerts"):
        assert key in row
    assert row["trust_version"] == 2 and row["alerts"] == ["clock"] and -310 < row["clock_offset_s"] < -290
    assert "gate-1" in cli("devices").stdout
    assert cli("disable", "gate-1", "--reason", "stolen").returncode == 0
    assert json.loads(cli("devices", "--json").stdout)["alerts"][0] == "disabled"
    assert cli("disable", "gate-404").returncode == 1
    token = cli("reenroll", "gate-1").stdout.strip()
    assert token.startswith("ren_") and cli("reenroll", "gate-404").returncode == 1


def test_clock_and_trust_rows_are_not_device_faults_and_names_fit_the_wire(kiosk, central, db_url, tmp_path):
    from kiosk.core.checks.health import DeviceHealth, KioskHealth
    from sync.heartbeat import state_from_health
    health = KioskHealth(now=datetime.now(timezone.utc), devices=(
        DeviceHealth("clock", False, "behind"), DeviceHealth("trust", False, "stale"), DeviceHealth("Card Reader", True)))
    state = state_from_health(health, software_version="x", paused=False, demo_trust=False)
    assert [d.name for d in state.devices] == ["clock", "trust", "card-reader"]
    assert client_for(kiosk, tmp_path, state).sync_once().ok
    assert "device_fault" not in fleet_of(db_url)["gate-1"]["alerts"]
