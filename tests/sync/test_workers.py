"""`kiosk-central serve --workers 2` on one PostgreSQL keeps every guarantee: exactly-once ingest, one-time
nonces, one-time tokens, one publication per version, disabling, because every piece of state is in the database.
Requests go over fresh connections so the kernel hands them to both worker processes."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest

from kiosk.core.outcome.verdicts import Outcome
from sync import auth
from sync.central.storage import registry
from sync.central.storage.store import Store
from sync.devicekey import load_or_create_device_key, public_key_b64
from sync.eventlog import EventLog
from sync.transport import CentralLink
from tests.sync.conftest import PG_DSN
from tests.sync.sync_testkit import HASH_KEY, CentralProcess, card_result, drop_pg_schema, make_token, new_pg_schema

pytestmark = [pytest.mark.skipif(not PG_DSN, reason="PostgreSQL tests SKIPPED: KIOSK_TEST_PG_DSN is not set"),
              pytest.mark.slow, pytest.mark.timeout(600)]  # spawning two workers takes a minute on a loaded box


@pytest.fixture(scope="module")
def pg_url():
    url, schema = new_pg_schema(PG_DSN)
    yield url
    drop_pg_schema(PG_DSN, schema)


@pytest.fixture(scope="module")
def workers(pg_url, tmp_path_factory):
    from tests.sync.fleet_kit import TrustMaterial
    material = TrustMaterial(tmp_path_factory.mktemp("trust"))
    proc = CentralProcess(pg_url, extra=("--workers", "2", "--root", str(material.root_pem))).start()
    proc.wait_for_lines("Application startup complete", 2)
    proc.material = material
    yield proc
    proc.stop()


def _worker_pids(parent: int) -> list[int]:
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    return [int(c) for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


def _admin(pg_url: str) -> dict[str, str]:
    store = Store(pg_url)
    with store.tx() as tx:
        credential = registry.create_admin_credential(tx, datetime.now(timezone.utc))
    store.close()
    return {"Authorization": f"Bearer {credential}"}


def test_two_worker_processes_serve(workers):
    assert len(_worker_pids(workers.proc.pid)) == 2


def test_concurrent_repeated_uploads_are_stored_exactly_once(workers, pg_url, tmp_path):
    def kiosk(n: int):
        key = load_or_create_device_key(tmp_path / f"k{n}.pem")
        log = EventLog(tmp_path / f"log{n}.db", f"w-gate-{n}", HASH_KEY)
        now = datetime.now(timezone.utc)
        events = [log.append(card_result(i), Outcome.PASS, "card", now) for i in range(40)]
        CentralLink(workers.url, f"w-gate-{n}", key).enroll(make_token(pg_url))
        return key, events

    kiosks = [kiosk(n) for n in range(6)]

    def upload(n: int):
        key, events = kiosks[n % 6]
        link = CentralLink(workers.url, f"w-gate-{n % 6}", key)
        try:
            return link.upload(events)
        finally:
            link.close()

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(upload, range(24)))  # every kiosk's batch four times at once
    assert sum(a["stored"] for a in answers) == 6 * 40
    assert sum(a["duplicates"] for a in answers) == 18 * 40
    counts = {d["device_id"]: d["events"] for d in httpx.get(workers.url + "/api/v1/admin/devices",
                                                            headers=_admin(pg_url)).json()}
    assert all(counts[f"w-gate-{n}"] == 40 for n in range(6))


def test_a_captured_request_is_accepted_once_across_workers(workers, pg_url, tmp_path):
    key = load_or_create_device_key(tmp_path / "replay.pem")
    CentralLink(workers.url, "w-replay", key).enroll(make_token(pg_url))
    beat = b'{"kiosk_utc":"2026-01-01T00:00:00Z"}'
    for _ in range(5):
        stamp = int(datetime.now(timezone.utc).timestamp())
        headers = {**auth.sign_request(key, "POST", "/api/v1/heartbeat", "w-replay", stamp, beat),
                   "Content-Type": "application/json"}

        def send(_):
            return httpx.post(workers.url + "/api/v1/heartbeat", content=beat, headers=headers).status_code

        with ThreadPoolExecutor(4) as pool:
            codes = sorted(pool.map(send, range(4)))
        assert codes == [200, 401, 401, 401]


def test_tokens_and_publications_are_one_time_across_workers(workers, pg_url, tmp_path):
    tokens = [make_token(pg_url) for _ in range(4)]
    keys = [load_or_create_device_key(tmp_path / f"t{n}.pem") for n in range(8)]

    def enroll(n: int) -> int:
        body = {"token": tokens[n // 2], "device_id": f"w-tok-{n}", "public_key": public_key_b64(keys[n])}
        return httpx.post(workers.url + "/api/v1/enroll", json=body).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(enroll, range(8)))
    assert [sorted(codes[i:i + 2]) for i in range(0, 8, 2)] == [[201, 403]] * 4

    bundle, admin = workers.material.bundle(7), _admin(pg_url)

    def publish(_) -> int:
        return httpx.put(workers.url + "/api/v1/admin/files/trust-bundle", content=bundle, headers=admin).status_code

    with ThreadPoolExecutor(4) as pool:
        assert sorted(pool.map(publish, range(4))) == [201, 409, 409, 409]


def test_disabling_reaches_every_worker(workers, pg_url, tmp_path):
    key = load_or_create_device_key(tmp_path / "d.pem")
    link = CentralLink(workers.url, "w-stolen", key)
    link.enroll(make_token(pg_url))
    assert httpx.post(workers.url + "/api/v1/admin/devices/w-stolen/disable", json={},
                      headers=_admin(pg_url)).status_code == 204

    def beat(_) -> int:
        fresh = CentralLink(workers.url, "w-stolen", key)
        try:
            fresh.heartbeat({"kiosk_utc": "2026-01-01T00:00:00Z"})
            return 200
        except Exception as exc:
            return getattr(exc, "status", 0) or 0
        finally:
            fresh.close()

    with ThreadPoolExecutor(4) as pool:
        assert set(pool.map(beat, range(8))) == {403}
