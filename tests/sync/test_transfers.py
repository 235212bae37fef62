"""Total deadlines and size caps on the kiosk's transfers (sync/deadline.py): a trickling server is given up
on, an oversized answer is refused before it is stored. The servers here are raw sockets on loopback."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading

import pytest

from sync.devicekey import load_or_create_device_key
from sync.transport import CentralLink, SyncError
from tests.sync.sync_testkit import REPO


class HostileServer:
    """Answers every request with `answer`, sent `step` bytes at a time with a pause of `pause_s`."""

    def __init__(self, answer: bytes, step: int = 1, pause_s: float = 0.2, burst: int = 0) -> None:
        self.answer, self.step, self.pause_s, self.burst = answer, step, pause_s, burst
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.stop = threading.Event()
        self.requests: list[bytes] = []  # the first bytes of each request received
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            try:
                self.requests.append(conn.recv(65536)[:64])
                conn.sendall(self.answer[:self.burst])  # e.g. the headers at once
                for i in range(self.burst, len(self.answer), self.step):
                    conn.sendall(self.answer[i:i + self.step])
                    if self.stop.wait(self.pause_s):
                        return
            except OSError:
                return

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


@pytest.fixture
def key(tmp_path):
    return load_or_create_device_key(tmp_path / "k.pem")


def _http(body: bytes, status: str = "200 OK") -> bytes:
    return f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body


@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_trickling_server_is_given_up_on_at_the_total_deadline(key, where):
    answer = _http(b'{"stored": 0, "duplicates": 0, "conflicts": [], "chain_breaks": [], "through_seq": 0}' * 20)
    head = answer.index(b"\r\n\r\n") + 4
    server = HostileServer(answer, pause_s=0.2, burst=0 if where == "headers" else head)
    link = CentralLink(server.url, "gate-1", key, timeout=30, deadline_s=2)
    try:
        with pytest.raises(SyncError) as err:
            link.upload([])
        assert "Timeout" in str(err.value) and err.value.retryable
    finally:
        link.close()
        server.close()


def test_an_oversized_download_is_refused_and_nothing_is_written(key, tmp_path):
    server = HostileServer(_http(b"x" * (2 * 1024 * 1024)), step=65536, pause_s=0)
    link = CentralLink(server.url, "gate-1", key, max_download=1024 * 1024)
    try:
        with pytest.raises(SyncError) as err:
            link.download("trust-bundle")
        assert "cap" in str(err.value) and not err.value.retryable
        chunked = HostileServer(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + b"10000\r\n" + b"y" * 65536 + b"\r\n" * 1, step=65536, pause_s=0)
        chunked.answer += (b"10000\r\n" + b"y" * 65536 + b"\r\n") * 40 + b"0\r\n\r\n"
        link2 = CentralLink(chunked.url, "gate-1", key, max_download=1024 * 1024)
        with pytest.raises(SyncError, match="cap"):
            link2.download("trust-bundle")  # no length announced: cut at the cap while reading
        link2.close()
        chunked.close()
    finally:
        link.close()
        server.close()


def test_kiosk_sync_against_a_trickling_server_ends_non_zero(tmp_path):
    from kiosk.datadir import DataDir
    from sync.enrollment import Enrollment, save_enrollment
    server = HostileServer(_http(b"{}" * 5000), pause_s=0.5)
    data = tmp_path / "kiosk"
    device = DataDir(data).device()
    save_enrollment(data / "central.json", Enrollment(server.url, device.device_id, "east"))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    try:
        proc = subprocess.run([sys.executable, "-m", "kiosk", "--data-dir", str(data), "sync", "--json",
                               "--deadline", "3"], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    finally:
        server.close()
    out = json.loads(proc.stdout)
    assert proc.returncode == 1 and out["ok"] is False and "Timeout" in out["error"]


def test_a_fake_server_that_acknowledges_without_the_centrals_signature_empties_nothing(kiosk, central, tmp_path):
    """The kiosk learnt the central's answer key at enrolment; an unsigned acknowledgement is not believed."""
    from kiosk.core.outcome.verdicts import Outcome
    from sync.client import SyncClient
    from tests.sync.sync_testkit import NOW, card_result
    assert kiosk.link.central_key  # learnt from the real central's enrolment answer
    for i in range(3):
        kiosk.log.append(card_result(i), Outcome.PASS, "card", NOW)
    ack = b'{"stored": 3, "duplicates": 0, "conflicts": [], "chain_breaks": [], "through_seq": 3, "quarantined": []}'
    fake = HostileServer(_http(ack), step=4096, pause_s=0)
    link = CentralLink(fake.url, kiosk.device_id, kiosk.key, central_key=kiosk.link.central_key)
    try:
        report = SyncClient(kiosk.log, link, tmp_path / "dl", files=()).sync_once()
    finally:
        link.close()
        fake.close()
    assert not report.ok and "not signed by the central" in report.error
    assert kiosk.log.pending_count() == 3
    real = SyncClient(kiosk.log, kiosk.link, tmp_path / "dl", files=()).sync_once()  # the real one signs
    assert real.ok and real.uploaded == 3 and kiosk.log.pending_count() == 0


def test_a_round_ends_at_the_first_transfer_past_its_deadline_without_a_heartbeat(key, tmp_path):
    """After a transfer ran out its deadline the heartbeat is not sent to the same central: against a trickling
    server a `kiosk sync` round would otherwise take two deadlines (upload, then heartbeat: 182 s at the default
    90 s, over the 120 s the issue allows). Shown by the requests the server got, not by the clock."""
    from kiosk.core.outcome.verdicts import Outcome
    from sync.client import SyncClient
    from sync.eventlog import EventLog
    from tests.sync.sync_testkit import HASH_KEY, NOW, card_result
    server = HostileServer(_http(b"{}" * 5000), pause_s=0.5)
    log = EventLog(tmp_path / "log.db", "gate-1", HASH_KEY, signer=key)
    log.append(card_result(1), Outcome.PASS, "card", NOW)
    link = CentralLink(server.url, "gate-1", key, timeout=30, deadline_s=1)
    try:
        report = SyncClient(log, link, tmp_path / "dl", files=()).sync_once()
    finally:
        link.close()
        server.close()
        log.close()
    assert report.timed_out and not report.heartbeat_sent and "Timeout" in report.error
    assert [r.split(b" ")[:2] for r in server.requests] == [[b"POST", b"/api/v1/events"]]
