"""A real HTTP/1.1 proxy on 127.0.0.1 that misbehaves on purpose: drops requests, drops answers, says 503, stalls.

One request per connection (it answers `Connection: close`), so every request gets its own fault draw. The
faults are the ones a kiosk meets on a bad link: the request never arrives, the request arrives but the answer is
lost (the dangerous one for exactly-once), a 5xx from an overloaded service, a connection that hangs.
"""
from __future__ import annotations

import random
import socket
import threading
from collections import Counter

FAULTS = ("pass", "drop_request", "drop_response", "http_503", "stall")


class FaultProxy:
    def __init__(self, upstream_port: int, fault_rate: float = 0.4, seed: int = 1,
                 faults: tuple[str, ...] = FAULTS[1:], stall_s: float = 3.0) -> None:
        self.upstream_port = upstream_port
        self.fault_rate = fault_rate
        self.faults = faults
        self.stall_s = stall_s
        self.rng = random.Random(seed)
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(64)
        self.port = self._server.getsockname()[1]
        self._closing = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._closing.set()
        self._server.close()

    def _draw(self) -> str:
        with self._lock:
            fault = self.rng.choice(self.faults) if self.rng.random() < self.fault_rate else "pass"
            self.counts[fault] += 1
            return fault

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            try:
                request = _read_request(conn)
                if request is None:
                    return
                fault = self._draw()
                if fault == "drop_request":
                    return
                if fault == "http_503":
                    conn.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    return
                if fault == "stall":
                    conn.settimeout(self.stall_s)
                    try:
                        conn.recv(1)  # returns when the client gives up, or times out
                    except OSError:
                        pass
                    return
                answer = self._forward(request)
                if fault == "drop_response":
                    return
                conn.sendall(answer)
            except OSError:
                return

    def _forward(self, request: bytes) -> bytes:
        with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30) as up:
            up.sendall(request)
            chunks = []
            while chunk := up.recv(65536):
                chunks.append(chunk)
            return b"".join(chunks)


def _read_request(conn: socket.socket) -> bytes | None:
    """One whole request, rewritten to `Connection: close`; None when the client sent nothing."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    length = 0
    kept = [lines[0]]
    for line in lines[1:]:
        name = line.split(b":", 1)[0].strip().lower()
        if name == b"content-length":
            length = int(line.split(b":", 1)[1])
        if name not in (b"connection", b"keep-alive"):
            kept.append(line)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        body += chunk
    kept.append(b"Connection: close")
    return b"\r\n".join(kept) + b"\r\n\r\n" + body
