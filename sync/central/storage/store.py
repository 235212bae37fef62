"""The central store behind one small interface: SQLite (a file, the default) or PostgreSQL (psycopg 3) by URL.

Why: one command starts the service on a file for the demo, while a province runs it on an established database
server. SQL is written once with `?` placeholders and translated for psycopg. Transactions serialise per device
(SQLite: BEGIN IMMEDIATE; PostgreSQL: a row lock on the device) so ingest stays exactly-once under concurrency.
Threads: any; each transaction takes its own connection from a small pool.
"""
from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from sync.central.storage.schema import migrate_store


class StoreError(Exception):
    """The database URL cannot be used."""


class Tx:
    """One open transaction: `execute`/`executemany` with `?` placeholders, rows as tuples."""

    def __init__(self, cursor: Any, postgres: bool) -> None:
        self._cur = cursor
        self.postgres = postgres

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.postgres else sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Tx:
        self._cur.execute(self._sql(sql), tuple(params))
        return self

    def executemany(self, sql: str, rows: list[Sequence[Any]]) -> None:
        if rows:
            self._cur.executemany(self._sql(sql), rows)

    def insert_rows(self, table: str, columns: tuple[str, ...], rows: list[Sequence[Any]], conflict: str) -> None:
        """Bulk insert that skips rows conflicting on `conflict` (a column list). On PostgreSQL the rows are COPYed
        into a per-session staging table (emptied at commit) and moved with one INSERT … SELECT; on SQLite an
        executemany, already in-process."""
        if not rows:
            return
        cols = ", ".join(columns)
        if not self.postgres:
            marks = ", ".join("?" * len(columns))
            self._cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks}) ON CONFLICT ({conflict}) DO NOTHING",
                                  rows)
            return
        staging = f"incoming_{table}"
        self._cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {staging} (LIKE {table}) ON COMMIT DELETE ROWS")
        with self._cur.copy(f"COPY {staging} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        self._cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {staging} ON CONFLICT ({conflict}) DO NOTHING")

    def fetchone(self) -> tuple | None:
        return self._cur.fetchone()

    def fetchall(self) -> list[tuple]:
        return list(self._cur.fetchall())

    @property
    def columns(self) -> list[str]:
        return [d[0] for d in self._cur.description or ()]

    @property
    def rowcount(self) -> int:
        return self._cur.rowcount


class Store:
    """Connections and transactions for one database URL (`sqlite:///path`, a bare path, or `postgresql://...`)."""

    def __init__(self, url: str, pool_size: int = 4) -> None:
        self.url = url
        scheme = urlparse(url).scheme
        self.postgres = scheme in ("postgres", "postgresql")
        if self.postgres:
            import psycopg  # only deployments on PostgreSQL need it loaded
            self._psycopg = psycopg
        elif scheme in ("sqlite", "") or len(scheme) == 1:  # a Windows drive letter is not a scheme
            self.path = Path(url[len("sqlite:///"):] if url.startswith("sqlite:///") else url)
            self.path.parent.mkdir(parents=True, exist_ok=True)
        else:
            raise StoreError(f"unsupported database URL scheme {scheme!r} (sqlite:///PATH or postgresql://...)")
        self._pool: queue.LifoQueue = queue.LifoQueue()
        self._slots = threading.Semaphore(pool_size)
        self._all: list[Any] = []
        self._lock = threading.Lock()
        with self.tx() as tx:
            migrate_store(tx)

    def _connect(self) -> Any:
        if self.postgres:
            conn = self._psycopg.connect(self.url, autocommit=False)
        else:
            conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False, timeout=60)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA busy_timeout=60000")
        with self._lock:
            self._all.append(conn)
        return conn

    @contextmanager
    def tx(self) -> Iterator[Tx]:
        """A transaction, committed durably on normal exit and rolled back on an exception."""
        self._slots.acquire()
        try:
            try:
                conn = self._pool.get_nowait()
            except queue.Empty:
                conn = self._connect()
            cur = conn.cursor()
            if not self.postgres:
                cur.execute("BEGIN IMMEDIATE")
            try:
                yield Tx(cur, self.postgres)
                conn.commit() if self.postgres else cur.execute("COMMIT")
            except BaseException:
                try:
                    conn.rollback() if self.postgres else cur.execute("ROLLBACK")
                except Exception:  # a broken connection: drop it rather than pool it
                    self._discard(conn)
                    raise
                self._pool.put(conn)
                raise
            self._pool.put(conn)
        finally:
            self._slots.release()

    # -- read models for the console and the CLI (sync/central/admin/fleet.py) ------------------------------------
    def fleet(self, now: datetime, thresholds: Any = None) -> list[dict[str, Any]]:
        """One dict per enrolled kiosk with its last heartbeat, what is published for its site, and `alerts`
        (see sync.central.admin.fleet.fleet and docs/sync.md, "Fleet view")."""
        from sync.central.admin import fleet
        with self.tx() as tx:
            return fleet.fleet(tx, now, thresholds or fleet.Thresholds())

    def heartbeats(self, device_id: str, since: datetime) -> list[dict[str, Any]]:
        """The kiosk's heartbeat history since `since`, oldest first (thinned: see sync.central.admin.fleet)."""
        from sync.central.admin import fleet
        with self.tx() as tx:
            return fleet.heartbeats(tx, device_id, since)

    def publications(self) -> list[dict[str, Any]]:
        """What is published now: name, site (None = global), kind, version, issue and publication time, size."""
        from sync.central.admin import publish
        with self.tx() as tx:
            return publish.current(tx)

    def _discard(self, conn: Any) -> None:
        with self._lock:
            if conn in self._all:
                self._all.remove(conn)
        try:
            conn.close()
        except Exception:
            pass

    def close(self) -> None:
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            try:
                conn.close()
            except Exception:
                pass
