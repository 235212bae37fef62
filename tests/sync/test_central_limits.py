"""The central's front door (sync/central/door/guard.py, errors.py): limits and authentication before the body is read,
short typed refusals that never echo input, bounded concurrency. Timing-free: "before the body is read" is shown
by a raw client that sends the headers of a huge body and only a sliver of it, and still gets its answer."""
from __future__ import annotations

import json
import socket
import time

import httpx
import pytest

from sync import auth
from tests.sync.sync_testkit import ThreadedCentral

MIB = 1024 * 1024


class RawRequest:
    """An HTTP/1.1 request whose body we control byte by byte (and may never finish)."""

    def __init__(self, port: int, method: str, path: str, headers: dict[str, str], sent_body: bytes = b"") -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.sock.sendall(head.encode("latin-1") + b"\r\n" + sent_body)

    def answer(self) -> tuple[int, bytes]:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        length = int(next((line.split(b":")[1] for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), b"0"))
        while len(rest) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        return int(head.split(b" ")[1]), rest

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def guarded(sqlite_url):
    central = ThreadedCentral(sqlite_url, limits={"max_in_flight": 2, "queue_wait_s": 0.2,
                                                  "body_deadline_s": 5.0}).start()
    yield central
    central.stop()


def _short_typed(body: bytes, error: str) -> dict:
    assert len(body) < 300, body[:300]
    answer = json.loads(body)
    assert set(answer) == {"error", "detail"} and answer["error"] == error, answer
    return answer


@pytest.mark.parametrize("path,length,headers,status,error", [
    ("/api/v1/events", 16 * MIB, {}, 413, "too_large"),                  # over the upload cap: refused unread
    ("/api/v1/events", 4 * MIB, {}, 401, "unauthenticated"),             # no signature: refused unread
    ("/api/v1/events", 4 * MIB, {auth.HEADER_DEVICE: "ghost", auth.HEADER_TIME: "{now}", auth.HEADER_NONCE: "n1",
                                 auth.HEADER_SIGNATURE: "AAAA"}, 401, "unauthenticated"),  # not enrolled
    ("/api/v1/admin/import", 16 * MIB, {"Authorization": "Bearer adm_wrong"}, 401, "unauthenticated"),
    ("/api/v1/enroll", 16 * MIB, {}, 413, "too_large"),                  # enrolment is capped at a few KB
])
def test_an_unauthenticated_16_mib_body_is_refused_before_it_is_read(central, path, length, headers, status, error):
    headers = {k: v.replace("{now}", str(int(time.time()))) for k, v in headers.items()}
    raw = RawRequest(central.port, "POST", path, {"Content-Type": "application/json",
                                                  "Content-Length": str(length), **headers}, b"[" * 1024)
    try:
        healthz = httpx.get(central.url + "/healthz", timeout=60)  # answered while that request is open
        got, body = raw.answer()  # ...which is answered though 16 MiB - 1 KiB of its body were never sent
    finally:
        raw.close()
    assert healthz.status_code == 200 and healthz.json() == {"status": "ok"}
    assert got == status
    _short_typed(body, error)


def test_a_chunked_body_without_a_length_is_cut_at_the_route_cap(central):
    def endless():
        for _ in range(10_000):
            yield b"A" * 1024
    r = httpx.post(central.url + "/api/v1/enroll", content=endless(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    _short_typed(r.content, "too_large")


def test_errors_never_echo_the_input_and_stay_short(central):
    marker = "ECHO-" + "x" * 3000
    r = httpx.post(central.url + "/api/v1/enroll", json={"token": marker, "device_id": marker, "public_key": 5})
    assert r.status_code in (413, 422) and marker[:20] not in r.text
    small = {"token": "t" * 200, "device_id": "ECHO-ME", "public_key": 5, "extra-" + "k" * 100: [1] * 10}
    r = httpx.post(central.url + "/api/v1/enroll", json=small)
    assert r.status_code == 422 and "ECHO-ME" not in r.text and "kkkkkkkkkkkkkkkkkkkkkkkkk" not in r.text
    assert "invalid field" in _short_typed(r.content, "invalid")["detail"]
    r = httpx.post(central.url + "/api/v1/enroll", content=b'{"token": ', headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    _short_typed(r.content, "malformed_json")
    r = httpx.get(central.url + "/no/such/thing")
    assert r.status_code == 404
    _short_typed(r.content, "not_found")


def test_nan_in_json_and_unicode_digits_in_the_time_header_are_4xx(kiosk, central):
    event = {"event_id": "e", "device_id": kiosk.device_id, "seq": 1, "utc": "2026-01-01T00:00:00.000000Z",
             "monotonic_ns": float("nan"), "verdict": "VALID", "reason": "OK", "outcome": "PASS",
             "input_kind": "card", "pass_format": "", "kid": "", "trust_version": None, "masked_name": "",
             "masked_id": "", "subject_hash": "", "flags": "", "prev_hash": "0" * 64, "hash": "0" * 64}
    body = json.dumps({"events": [event]}).encode()  # Python writes NaN, as a hostile client may
    assert b"NaN" in body
    signed = auth.sign_request(kiosk.key, "POST", "/api/v1/events", kiosk.device_id, int(time.time()), body)
    r = httpx.post(central.url + "/api/v1/events", content=body,
                   headers={**signed, "Content-Type": "application/json"})
    assert 400 <= r.status_code < 500 and "NaN" not in r.text, r.text
    now = str(int(time.time()))
    for stamp in ("1²".encode("latin-1"), ("¹" + now[1:]).encode("latin-1"), "١٢٣".encode(), b"+" + now.encode()):
        signed = auth.sign_request(kiosk.key, "GET", "/api/v1/files/settings", kiosk.device_id, 1, b"")
        r = httpx.get(central.url + "/api/v1/files/settings", headers={**signed, auth.HEADER_TIME: stamp})
        assert r.status_code == 401, (stamp, r.status_code, r.text)


def test_requests_in_flight_are_bounded_and_healthz_is_exempt(guarded):
    port = guarded.port
    hold = [RawRequest(port, "POST", "/api/v1/enroll", {"Content-Type": "application/json", "Content-Length": "100"})
            for _ in range(2)]  # two slots taken by bodies that never finish
    try:
        assert httpx.get(guarded.url + "/healthz", timeout=60).status_code == 200
        while True:  # until the server has taken both held requests in (they arrive on other connections)
            r = httpx.post(guarded.url + "/api/v1/enroll", json={"token": "x"}, timeout=60)
            if r.status_code != 422:
                break
        assert r.status_code == 503 and r.headers["retry-after"]
        _short_typed(r.content, "busy")
        for raw in hold:  # a body that never arrives ends in a typed 408, and frees the slot
            status, body = raw.answer()
            assert status == 408
            _short_typed(body, "timeout")
    finally:
        for raw in hold:
            raw.close()
    r = httpx.post(guarded.url + "/api/v1/enroll", json={"token": "x"}, timeout=60)
    assert r.status_code == 422  # slots free again: the request reaches the handler


def test_the_schema_documents_the_typed_error_shape(central):
    schema = httpx.get(central.url + "/openapi.json").json()
    enroll = schema["paths"]["/api/v1/enroll"]["post"]["responses"]
    assert enroll["413"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
    assert enroll["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")


def test_concurrent_enrolments_of_one_device_id_are_one_201_and_403s(central, db_url):
    """On PostgreSQL two enrolments of one id used to race into a unique-key 500."""
    import threading

    from tests.sync.sync_testkit import make_token
    from sync.devicekey import public_key_b64
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    tokens = [make_token(db_url) for _ in range(8)]
    start = threading.Barrier(len(tokens))
    statuses: list[int] = []

    def enrol(token: str) -> None:
        body = {"token": token, "device_id": "racer", "public_key": public_key_b64(Ed25519PrivateKey.generate())}
        start.wait(60)
        statuses.append(httpx.post(central.url + "/api/v1/enroll", json=body, timeout=60).status_code)
    threads = [threading.Thread(target=enrol, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(statuses) == [201] + [403] * (len(tokens) - 1)


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised_and_the_csv_streams(kiosk, central, admin_token):
    import csv
    import io

    from kiosk.core.outcome.result import HolderView
    from kiosk.core.outcome.verdicts import Outcome
    from tests.sync.sync_testkit import NOW, card_result
    from sync.central.events.exports import _safe
    hostile = ["\t=1+1", "\r=cmd|' /C calc'!A0", "=HYPERLINK(\"x\")", "+1", "-1", "@SUM(A1)", "\n=1", "＝1"]
    for text in hostile:
        result = card_result(0).with_changes(holder=HolderView(masked_name=text[:64], masked_id="1*"))
        kiosk.log.append(result, Outcome.PASS, "card", NOW)
    kiosk.link.upload(kiosk.log.events())
    with httpx.stream("GET", central.url + "/api/v1/admin/events.csv",
                      headers={"Authorization": f"Bearer {admin_token}"}) as r:
        assert r.status_code == 200 and "content-length" not in r.headers  # streamed, not built in memory
        text = r.read().decode()
    names = [row["masked_name"] for row in csv.DictReader(io.StringIO(text))]
    assert names == ["'" + t for t in hostile]
    assert _safe("张*") == "张*" and _safe(7) == 7


def test_admin_credentials_expire(sqlite_url):
    from datetime import datetime, timedelta, timezone

    from sync.central.storage import registry
    from sync.central.storage.store import Store
    store = Store(sqlite_url)
    issued = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with store.tx() as tx:
        credential = registry.create_admin_credential(tx, issued)
    store.close()
    later = {"now": issued + timedelta(days=1)}
    central = ThreadedCentral(sqlite_url, clock=lambda: later["now"].timestamp()).start()
    try:
        headers = {"Authorization": f"Bearer {credential}"}
        assert httpx.get(central.url + "/api/v1/admin/devices", headers=headers).status_code == 200
        later["now"] = issued + registry.ADMIN_CREDENTIAL_LIFETIME + timedelta(seconds=1)
        r = httpx.get(central.url + "/api/v1/admin/devices", headers=headers)
        assert r.status_code == 401
        _short_typed(r.content, "unauthenticated")
        r = httpx.post(central.url + "/api/v1/admin/import", headers=headers, json={})  # refused before the body
        assert r.status_code == 401
    finally:
        central.stop()


def _through_the_guard(sqlite_url, device_id: str, stamp: int, chunks: int):
    """One upload through the RequestGuard alone (no server, no timing): how many body chunks it took in before
    answering, and what it answered."""
    import asyncio
    from datetime import datetime, timezone

    from sync.central.door.guard import RequestGuard
    from sync.central.storage import registry
    from sync.central.storage.store import Store
    store = Store(sqlite_url)
    with store.tx() as tx:
        registry.enroll(tx, registry.create_enrollment_token(tx, "north", datetime.now(timezone.utc)), "gate-1",
                        "A" * 43, datetime.now(timezone.utc))
    taken, sent = [], []

    async def receive():
        taken.append(1)
        return {"type": "http.request", "body": b"[" * 1000, "more_body": len(taken) < chunks}

    async def send(message):
        sent.append(message)

    async def app(scope, receive, send):  # never reached: the guard refuses
        raise AssertionError("the route ran")
    headers = [(b"content-type", b"application/json"), (b"content-length", str(1000 * chunks).encode()),
               (auth.HEADER_DEVICE.lower().encode(), device_id.encode()),
               (auth.HEADER_TIME.lower().encode(), str(stamp).encode()),
               (auth.HEADER_NONCE.lower().encode(), b"n1"), (auth.HEADER_SIGNATURE.lower().encode(), b"AAAA")]
    scope = {"type": "http", "method": "POST", "path": "/api/v1/events", "headers": headers}
    guard = RequestGuard(app, store=store, clock=lambda: 2_000_000_000.0, max_body=16 * MIB)
    asyncio.run(guard(scope, receive, send))
    store.close()
    return len(taken), sent[0]


def test_a_kiosk_with_a_wrong_clock_gets_its_skew_answer_after_its_upload_was_read(sqlite_url):
    """A refusal before the body was read closes the connection on unread bytes, and the kernel's reset can lose
    the answer: a kiosk a week off would never learn the central's time from a large batch. The skew answer to an
    enrolled device is given only after the body was taken in (within the cap); other refusals stay unread."""
    taken, start = _through_the_guard(sqlite_url, "gate-1", 2_000_000_000 - 7 * 24 * 3600, chunks=5)
    assert taken == 5 and start["status"] == 401
    assert dict(start["headers"])[auth.HEADER_SERVER_TIME.lower().encode()] == b"2000000000"
    taken, start = _through_the_guard(sqlite_url.replace("central.db", "other.db"), "ghost",
                                      2_000_000_000 - 7 * 24 * 3600, chunks=5)
    assert taken == 0 and start["status"] == 401  # an unknown device's body is never read
