"""Real parts for the sync tests and the sync benchmark: result builders, a central service in its own process,
enrolled devices, PostgreSQL schemas per run. No mocks: real SQLite files, uvicorn on 127.0.0.1, real PostgreSQL.
"""
from __future__ import annotations

import hashlib
import os
import queue
import re
import subprocess
import sys
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from kiosk.core.outcome.result import HolderView, VerificationResult
from kiosk.core.outcome.verdicts import Reason, Verdict
from sync.central.storage import registry
from sync.central.storage.store import Store
from sync.devicekey import load_or_create_device_key
from sync.eventlog import EventLog
from sync.transport import CentralLink

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)
HASH_KEY = b"k" * 32
BIRTH_DATE = "1985-07-14"
FULL_ID = "11010519850714002X"
NAME = "张三丰"


def card_result(i: int = 0, verdict: Verdict = Verdict.VALID) -> VerificationResult:
    return VerificationResult(
        verdict=verdict, reason=Reason.OK if verdict is Verdict.VALID else Reason.PASS_EXPIRED,
        format="ID_CARD", kid="a1b2c3d4e5f60708", trust_version=7, flags=("CLOCK_SUSPECT",) if i % 7 == 3 else (),
        holder=HolderView(masked_name="张*", masked_id="110105********002X", birth_date=BIRTH_DATE),
        subject_digest=hashlib.sha256(f"{FULL_ID}-{i}".encode()).digest(),
        detail=f"raw detail {NAME}")


class CentralProcess:
    """`kiosk-central serve` as a child process on 127.0.0.1 (port 0 = a free one, kept across restarts)."""

    def __init__(self, db_url: str, port: int = 0, max_body: int | None = None, extra: tuple[str, ...] = ()) -> None:
        self.db_url = db_url
        self.port = port
        self.max_body = max_body
        self.extra = tuple(extra)
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> CentralProcess:
        cmd = [sys.executable, "-m", "sync.central.cli", "--db", self.db_url, "serve", "--port", str(self.port)]
        if self.max_body:
            cmd += ["--max-body", str(self.max_body)]
        cmd += list(self.extra)
        env = {**os.environ, "KIOSK_CENTRAL_LOG": "info", "PYTHONPATH": str(REPO)}
        self.proc = subprocess.Popen(cmd, cwd=REPO, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                     text=True)
        lines: queue.Queue[str] = queue.Queue()
        self.lines = lines
        threading.Thread(target=_pump, args=(self.proc.stderr, lines), daemon=True).start()
        log = []
        while True:
            try:
                line = lines.get(timeout=timeout)
            except queue.Empty:
                self.stop()
                raise RuntimeError("central service did not start:\n" + "".join(log)) from None
            log.append(line)
            found = re.search(r"running on http://127\.0\.0\.1:(\d+)", line)
            if found:
                self.port = int(found.group(1))
                return self
            if line == "":
                raise RuntimeError("central service exited:\n" + "".join(log))

    def wait_for_lines(self, text: str, count: int, timeout: float = 60.0) -> None:
        """Wait until the service's log has shown `text` on `count` more lines (e.g. each worker's startup)."""
        seen = 0
        while seen < count:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise RuntimeError(f"the service did not log {text!r} {count} times") from None
            if line == "":
                raise RuntimeError("central service exited")
            seen += text in line

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self) -> None:
        self.kill()
        self.start()


def _pump(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)
    lines.put("")


def pg_url_for_schema(dsn: str, schema: str) -> str:
    """`dsn` (URL or key=value) with search_path set to `schema`, as a URL psycopg and the Store accept."""
    import psycopg.conninfo
    params = psycopg.conninfo.conninfo_to_dict(dsn)
    params["options"] = f"-csearch_path={schema}"
    host, port, db = params.pop("host", "127.0.0.1"), params.pop("port", "5432"), params.pop("dbname", "postgres")
    user = params.pop("user", "")
    query = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in params.items())
    return f"postgresql://{quote(user)}@{host}:{port}/{db}?{query}" if user else f"postgresql://{host}:{port}/{db}?{query}"


def new_pg_schema(dsn: str) -> tuple[str, str]:
    """A fresh schema unique to this run (parallel runs never collide); returns (url, schema)."""
    import psycopg
    schema = f"kiosk_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return pg_url_for_schema(dsn, schema), schema


def drop_pg_schema(dsn: str, schema: str) -> None:
    import psycopg
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


class ThreadedCentral:
    """The central app under uvicorn in a thread of this process, on a socket bound to a free local port."""

    def __init__(self, db_url: str, max_body: int | None = None, tls: dict | None = None, roots: tuple = (),
                 **app_options) -> None:
        import socket

        import uvicorn

        from sync.central.app import create_app
        from sync.central.storage.store import Store
        self.store = Store(db_url)
        app = create_app(self.store, roots=roots, **({"max_body": max_body} if max_body else {}), **app_options)
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.scheme = "https" if tls else "http"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", **(tls or {})))
        self._thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self._sock]}, daemon=True)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> ThreadedCentral:
        self._thread.start()
        started = threading.Event()
        # uvicorn sets `started` on its own loop; poll it through a watcher that wakes on the flag, bounded in time
        watcher = threading.Thread(target=_watch_started, args=(self.server, started, timeout), daemon=True)
        watcher.start()
        if not started.wait(timeout):
            raise RuntimeError("uvicorn did not start")
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(10)
        self.store.close()
        self._sock.close()


def _watch_started(server, started: threading.Event, timeout: float) -> None:
    import time
    deadline = time.monotonic() + timeout
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    if server.started:
        started.set()


def make_token(db_url: str, site: str = "north-gate") -> str:
    store = Store(db_url)
    with store.tx() as tx:
        token = registry.create_enrollment_token(tx, site, datetime.now(timezone.utc))
    store.close()
    return token


class Kiosk:
    """One enrolled kiosk: its own data folder, key, log and link."""

    def __init__(self, folder: Path, central_url: str, db_url: str, device_id: str, site: str = "north-gate"):
        self.folder = folder
        self.key_path = folder / "device-key.pem"
        self.key = load_or_create_device_key(self.key_path)
        self.device_id = device_id
        self.log = EventLog(folder / "log.db", device_id, HASH_KEY, signer=self.key)
        self.link = CentralLink(central_url, device_id, self.key)
        self.link.enroll(make_token(db_url, site))

    def close(self):
        self.link.close()
        self.log.close()
