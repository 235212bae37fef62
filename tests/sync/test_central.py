"""The central service over HTTP (uvicorn in its own process) on SQLite and PostgreSQL: enrollment, signed
uploads exactly once, chain checks, replay and skew, admin reports, downloads, size limits."""
from __future__ import annotations

import csv
import io
import json
import time

import httpx
import pytest


from kiosk.core.outcome.verdicts import Outcome, Verdict
from sync import auth, chain
from sync.client import SyncClient
from sync.devicekey import load_or_create_device_key, public_key_b64
from sync.transport import CentralLink, SyncError
from tests.sync.sync_testkit import BIRTH_DATE, NOW, Kiosk, ThreadedCentral, card_result, make_token


def fill(log, n, start=0):
    return [log.append(card_result(start + i, Verdict.VALID if i % 3 else Verdict.REVOKED),
                       Outcome.PASS if i % 3 else Outcome.STOP, "card" if i % 2 else "code", NOW) for i in range(n)]


def admin_get(central, token, path, **params):
    r = httpx.get(central.url + path, params=params, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert r.status_code == 200, r.text
    return r


def test_upload_is_exactly_once_and_reported(kiosk, central, admin_token, tmp_path):
    fill(kiosk.log, 25)
    client = SyncClient(kiosk.log, kiosk.link, tmp_path / "dl", batch_size=10)
    report = client.sync_once()
    assert report.ok and (report.uploaded, report.batches, report.duplicates) == (25, 3, 0)
    assert kiosk.log.pending_count() == 0
    again = kiosk.link.upload(kiosk.log.events(limit=100))
    assert (again["stored"], again["duplicates"], again["conflicts"]) == (0, 25, [])
    [device] = admin_get(central, admin_token, "/api/v1/admin/devices").json()
    assert (device["device_id"], device["site"], device["events"], device["missing"], device["chain_flags"]) == \
        ("gate-1", "north-gate", 25, 0, 0)
    assert device["last_seen"]
    counts = admin_get(central, admin_token, "/api/v1/admin/counts").json()
    assert {(c["verdict"], c["count"]) for c in counts} == {("VALID", 16), ("REVOKED", 9)}
    assert {c["day"] for c in counts} == {"2026-11-23"} and {c["site"] for c in counts} == {"north-gate"}
    rows = list(csv.DictReader(io.StringIO(admin_get(central, admin_token, "/api/v1/admin/events.csv").text)))
    assert [int(r["seq"]) for r in rows] == list(range(1, 26))
    assert rows[0]["masked_id"] == "110105********002X" and BIRTH_DATE not in json.dumps(rows)


def test_a_device_cannot_write_another_devices_events(kiosk, central, db_url, tmp_path):
    other = Kiosk(tmp_path / "other", central.url, db_url, "gate-2")
    fill(other.log, 3)
    forged = other.log.events()
    with pytest.raises(SyncError) as err:
        kiosk.link.upload(forged)
    assert err.value.status == 403
    # and re-labelled events fail their hash: stored nowhere under gate-1 without a flag
    relabelled = [{**e, "device_id": "gate-1"} for e in forged]
    answer = kiosk.link.upload(relabelled)
    assert answer["chain_breaks"] == [1, 2, 3]
    other.close()


def test_tampered_and_gapped_uploads_are_flagged(kiosk, central, admin_token):
    events = fill(kiosk.log, 6)
    events[1] = {**events[1], "verdict": "REVOKED", "outcome": "STOP"}  # edited after the fact
    kiosk.link.upload(events[:3])
    kiosk.link.upload(events[4:])  # seq 4 never arrives
    conflicting = {**events[2], "reason": "PASS_REVOKED"}
    conflicting["hash"] = chain.event_hash(conflicting)
    answer = kiosk.link.upload([conflicting])
    assert answer["conflicts"] == [3]
    flags = admin_get(central, admin_token, "/api/v1/admin/chain-flags").json()
    assert {(f["seq"], f["kind"]) for f in flags} >= {(2, "hash"), (3, "conflict")}
    [device] = admin_get(central, admin_token, "/api/v1/admin/devices").json()
    assert device["missing"] == 2 and device["events"] == 4  # the edited seq 2 is quarantined, not stored


def signed(key, path, body, stamp):
    return {**auth.sign_request(key, "POST", path, "gate-1", stamp, body), "Content-Type": "application/json"}


def test_requests_need_a_fresh_valid_signature(kiosk, central):
    body = json.dumps({"events": []}).encode()
    path = "/api/v1/events"
    headers = signed(kiosk.key, path, body, int(time.time()))
    first = httpx.post(central.url + path, content=body, headers=headers)
    replay = httpx.post(central.url + path, content=body, headers=headers)
    assert (first.status_code, replay.status_code) == (200, 401)
    stranger = load_or_create_device_key(kiosk.folder / "stranger.pem")
    forged = signed(stranger, path, body, int(time.time()))
    assert httpx.post(central.url + path, content=body, headers=forged).status_code == 401
    altered = signed(kiosk.key, path, body, int(time.time()))
    assert httpx.post(central.url + path, content=b'{"events":[ ]}', headers=altered).status_code == 401
    stale = signed(kiosk.key, path, body, int(time.time()) - 3600)
    r = httpx.post(central.url + path, content=body, headers=stale)
    assert r.status_code == 401 and r.headers[auth.HEADER_SERVER_TIME]
    assert httpx.post(central.url + path, content=body, headers={"Content-Type": "application/json"}).status_code == 401


def test_kiosk_with_a_wrong_clock_learns_the_server_time(kiosk, central):
    fill(kiosk.log, 2)
    kiosk.link.clock_offset = -7 * 24 * 3600.0  # a week behind after a long time offline
    assert kiosk.link.upload(kiosk.log.events())["stored"] == 2
    assert abs(kiosk.link.clock_offset) < 60


def test_enrollment_tokens_are_one_time(central, db_url, tmp_path):
    token = make_token(db_url)
    key = load_or_create_device_key(tmp_path / "k.pem")
    body = {"token": token, "device_id": "gate-9", "public_key": public_key_b64(key)}
    assert httpx.post(central.url + "/api/v1/enroll", json=body).status_code == 201
    assert httpx.post(central.url + "/api/v1/enroll", json=body).status_code == 201  # lost answer, same device
    thief = {**body, "device_id": "gate-10"}
    assert httpx.post(central.url + "/api/v1/enroll", json=thief).status_code == 403
    assert httpx.post(central.url + "/api/v1/enroll", json={**body, "token": "enr_nope"}).status_code == 403
    takeover = {**body, "token": make_token(db_url),
                "public_key": public_key_b64(load_or_create_device_key(tmp_path / "x.pem"))}
    assert httpx.post(central.url + "/api/v1/enroll", json=takeover).status_code == 403


def test_admin_endpoints_need_the_credential(central, admin_token):
    for path in ("/api/v1/admin/devices", "/api/v1/admin/counts", "/api/v1/admin/events.csv"):
        assert httpx.get(central.url + path).status_code == 401
        assert httpx.get(central.url + path, headers={"Authorization": "Bearer adm_wrong"}).status_code == 401
    r = httpx.post(central.url + "/api/v1/admin/tokens", json={"site": "south"},
                   headers={"Authorization": f"Bearer {admin_token}"})
    assert r.status_code == 201 and r.json()["token"].startswith("enr_")


def test_downloads_are_conditional_and_a_sites_copy_wins(pinned_central, material, db_url, admin_token, tmp_path):
    central = pinned_central
    kiosk = Kiosk(tmp_path / "k", central.url, db_url, "gate-1", site="north-gate")
    admin = {"Authorization": f"Bearer {admin_token}"}
    v1, v2, v3 = (material.bundle(v) for v in (1, 2, 3))
    assert httpx.put(central.url + "/api/v1/admin/files/trust-bundle", content=v1, headers=admin).status_code == 201
    assert httpx.put(central.url + "/api/v1/admin/files/trust-bundle", params={"site": "north-gate"},
                     content=v2, headers=admin).status_code == 201
    client = SyncClient(kiosk.log, kiosk.link, tmp_path / "dl", files=("trust-bundle", "status-list-delta"))
    first = client.sync_once()
    assert first.ok and first.updated_files == ["trust-bundle"]
    assert (tmp_path / "dl" / "trust-bundle").read_bytes() == v2  # the site's copy wins over the global one
    etag = (tmp_path / "dl" / ".trust-bundle.etag").read_text()
    assert kiosk.link.download("trust-bundle", etag).status == 304
    assert client.sync_once().updated_files == []
    httpx.put(central.url + "/api/v1/admin/files/trust-bundle", params={"site": "north-gate"}, content=v3,
              headers=admin)
    assert client.sync_once().updated_files == ["trust-bundle"]
    assert (tmp_path / "dl" / "trust-bundle").read_bytes() == v3
    kiosk.close()


def test_request_size_is_limited(tmp_path, sqlite_url):
    central = ThreadedCentral(sqlite_url, max_body=4096).start()
    try:
        big = b"{" + b" " * 10_000 + b"}"
        r = httpx.post(central.url + "/api/v1/enroll", content=big, headers={"Content-Type": "application/json"})
        assert r.status_code == 413
        def chunks():
            for _ in range(10):
                yield b" " * 1000
        r = httpx.post(central.url + "/api/v1/enroll", content=chunks(), headers={"Content-Type": "application/json"})
        assert r.status_code == 413
    finally:
        central.stop()


def test_openapi_schema_is_served(central):
    schema = httpx.get(central.url + "/openapi.json").json()
    assert {"/api/v1/events", "/api/v1/enroll", "/api/v1/files/{name}", "/api/v1/admin/devices",
            "/api/v1/admin/counts", "/api/v1/admin/events.csv", "/api/v1/admin/import"} <= set(schema["paths"])


def test_bad_link_is_a_typed_retryable_error(tmp_path):
    key = load_or_create_device_key(tmp_path / "k.pem")
    link = CentralLink("http://127.0.0.1:9", "gate-1", key, timeout=2)
    with pytest.raises(SyncError) as err:
        link.upload([])
    assert err.value.retryable


def test_background_thread_and_sync_now(kiosk, central, tmp_path):
    client = SyncClient(kiosk.log, kiosk.link, tmp_path / "dl", files=(), interval_s=3600)
    client.start()
    try:
        fill(kiosk.log, 5)  # verdicts keep being logged while the sync thread runs
        report = client.sync_now(wait_s=30)
        assert report is not None and report.ok
        assert kiosk.log.pending_count() == 0
    finally:
        client.stop()


def test_sync_round_purges_only_synced_events_past_retention(kiosk, central, tmp_path):
    from datetime import timedelta
    fill(kiosk.log, 4)
    later = NOW + timedelta(days=100)
    client = SyncClient(kiosk.log, kiosk.link, tmp_path / "dl", files=(), keep_synced_for=timedelta(days=90),
                        clock=lambda: NOW)
    assert client.sync_once().purged == 0  # just synced: kept for the retention period
    fill(kiosk.log, 2, start=4)
    client._clock = lambda: later
    kiosk.link.close()
    kiosk.link = CentralLink("http://127.0.0.1:9", kiosk.device_id, kiosk.key, timeout=1)  # offline now
    client.link = kiosk.link
    offline = client.sync_once()
    assert not offline.ok and kiosk.log.pending_count() == 2  # unsynced events survive any age
    assert [e["seq"] for e in kiosk.log.events()] == [1, 2, 3, 4, 5, 6]
    client.link = CentralLink(central.url, kiosk.device_id, kiosk.key)
    back = client.sync_once()
    assert back.ok and back.purged == 4 and [e["seq"] for e in kiosk.log.events()] == [5, 6]
    client.link.close()


def test_bundle_import_over_http_is_exactly_once_and_checks_the_signature(kiosk, central, admin_token, tmp_path):
    from sync.bundle import export_bundles, read_bundle
    admin = {"Authorization": f"Bearer {admin_token}"}
    fill(kiosk.log, 7)
    [path] = export_bundles(kiosk.log, kiosk.key, tmp_path / "usb", NOW)
    bundle = read_bundle(path)
    first = httpx.post(central.url + "/api/v1/admin/import", json=bundle, headers=admin)
    again = httpx.post(central.url + "/api/v1/admin/import", json=bundle, headers=admin)
    assert (first.json()["stored"], again.json()["duplicates"]) == (7, 7)
    bundle["payload"]["events"][3]["outcome"] = "PASS" if bundle["payload"]["events"][3]["outcome"] != "PASS" else "STOP"
    forged = httpx.post(central.url + "/api/v1/admin/import", json=bundle, headers=admin)
    assert forged.status_code == 422 and "signature" in forged.text
    assert httpx.post(central.url + "/api/v1/admin/import", json=read_bundle(path)).status_code == 401
