"""Sync benchmark: durable appends/s, a 100,000-event backlog over loopback, central ingest on SQLite and
PostgreSQL, and repeated SIGKILL runs (lost / duplicated). `python -m bench sync [--quick] [--kills N] [--pg DSN]`.

Each figure is measured side by side with a baseline in the same run and printed with the ratio:
appends vs a bare sqlite3 INSERT+COMMIT (same WAL + synchronous=FULL); ingest vs a bare executemany INSERT.
PostgreSQL comes from --pg, $KIOSK_TEST_PG_DSN, or 127.0.0.1:5432/test; it is skipped loudly when unreachable.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kiosk.core.outcome.verdicts import Outcome  # noqa: E402
from sync.central.events.ingest import ingest  # noqa: E402
from sync.central.storage.registry import create_enrollment_token, enroll  # noqa: E402
from sync.central.storage.store import Store  # noqa: E402
from sync.client import SyncClient  # noqa: E402
from sync.devicekey import load_or_create_device_key, public_key_b64  # noqa: E402
from sync.eventlog import EventLog  # noqa: E402
from sync.transport import CentralLink  # noqa: E402
from tests.sync.sync_testkit import (HASH_KEY, NOW, CentralProcess, card_result, drop_pg_schema,  # noqa: E402
                                     new_pg_schema)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench sync")
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    ap.add_argument("--kills", type=int, default=200, help="SIGKILL runs (half while logging, half while uploading)")
    ap.add_argument("--backlog", type=int, default=100_000)
    ap.add_argument("--fuzz", type=int, default=0, help="also fuzz the API with N examples per operation")
    ap.add_argument("--only", choices=["appends", "latency", "ingest", "backlog", "sigkill", "fuzz"],
                    help="run one part")
    ap.add_argument("--pg", default=os.environ.get("KIOSK_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test"))
    args = ap.parse_args(argv)
    if args.quick:
        args.kills, args.backlog = min(args.kills, 10), min(args.backlog, 5000)
    pg = args.pg if _pg_ok(args.pg) else ""
    if not pg:
        print("!! PostgreSQL unreachable: PostgreSQL figures SKIPPED", file=sys.stderr)
    results: dict = {}
    want = (lambda part: args.only in (None, part)) if args.only != "fuzz" else (lambda part: False)
    with tempfile.TemporaryDirectory(prefix="bench-sync-", dir=os.environ.get("BENCH_DIR")) as tmp:
        tmp = Path(tmp)
        if want("appends"):
            results["appends"] = bench_appends(tmp, 500 if args.quick else 3000)
        if want("latency"):
            results["verdict_latency"] = bench_latency(tmp, 2000 if args.quick else 20_000)
        if want("ingest"):
            results["ingest"] = {"sqlite": bench_ingest(f"sqlite:///{tmp / 'ingest.db'}",
                                                        10_000 if args.quick else 50_000)}
        if want("ingest") and pg:
            url, schema = new_pg_schema(pg)
            try:
                results["ingest"]["postgresql"] = bench_ingest(url, 10_000 if args.quick else 100_000)
            finally:
                drop_pg_schema(pg, schema)
        if want("backlog"):
            results["backlog"] = {"sqlite": bench_backlog(tmp, f"sqlite:///{tmp / 'backlog.db'}", args.backlog)}
        if want("backlog") and pg:
            url, schema = new_pg_schema(pg)
            try:
                results["backlog"]["postgresql"] = bench_backlog(tmp, url, args.backlog)
            finally:
                drop_pg_schema(pg, schema)
        if want("sigkill"):
            results["sigkill"] = bench_kills(tmp, args.kills)
        if args.fuzz or args.only == "fuzz":
            results["fuzz"] = bench_fuzz(args.fuzz or 100)
    print(json.dumps(results, indent=1))
    return 0


def _pg_ok(dsn: str) -> bool:
    try:
        import psycopg
        psycopg.connect(dsn, connect_timeout=3).close()
        return True
    except Exception:
        return False


# ---------------------------------------------------------------------------------------------- durable appends
def bench_appends(tmp: Path, n: int) -> dict:
    log = EventLog(tmp / "appends.db", "bench", HASH_KEY)
    results = [card_result(i) for i in range(n)]
    t0 = time.perf_counter()
    for r in results:
        log.append(r, Outcome.PASS, "card", NOW)
    ours = n / (time.perf_counter() - t0)
    log.close()
    conn = sqlite3.connect(tmp / "baseline.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    t0 = time.perf_counter()
    for i in range(n):
        conn.execute("BEGIN")
        conn.execute("INSERT INTO t (v) VALUES (?)", (f"event {i}",))
        conn.execute("COMMIT")
    base = n / (time.perf_counter() - t0)
    conn.close()
    print(f"durable appends/s: ours {ours:,.0f}  bare sqlite3 insert+commit {base:,.0f}  ratio {ours / base:.2f}"
          f"  (target >= 1,000)")
    return {"events": n, "ours_per_s": round(ours), "baseline_per_s": round(base), "ratio": round(ours / base, 2)}


def _fill_fast(log: EventLog, n: int) -> None:
    """Setup only: the same append, with fsync off while the backlog is built (the timing is of the upload)."""
    log._conn.execute("PRAGMA synchronous=OFF")
    for i in range(n):
        log.append(card_result(i), Outcome.PASS if i % 4 else Outcome.STOP, "card", NOW)
    log._conn.execute("PRAGMA synchronous=FULL")


# ---------------------------------------------------------------------------------------------- verdict latency
def bench_latency(tmp: Path, backlog: int, appends: int = 300) -> dict:
    """Append latency (the wait before a verdict shows) with the sync thread idle vs uploading a backlog."""
    folder = Path(tempfile.mkdtemp(dir=tmp))
    log = EventLog(folder / "log.db", "bench-lat", HASH_KEY)
    _fill_fast(log, backlog)
    central = CentralProcess(f"sqlite:///{folder / 'central.db'}").start()
    key = load_or_create_device_key(folder / "k.pem")
    store = Store(f"sqlite:///{folder / 'central.db'}")
    with store.tx() as tx:
        enroll(tx, create_enrollment_token(tx, "bench", NOW), "bench-lat", public_key_b64(key), NOW)

    def latencies() -> list[float]:
        out = []
        for i in range(appends):
            t0 = time.perf_counter()
            log.append(card_result(i), Outcome.PASS, "card", NOW)
            out.append((time.perf_counter() - t0) * 1000)
        return sorted(out)

    idle = latencies()
    client = SyncClient(log, CentralLink(central.url, "bench-lat", key), folder / "dl", files=(), interval_s=3600)
    client.start()
    busy = latencies()
    still_pending = log.pending_count()
    client.stop(60)
    central.stop()
    store.close()
    log.close()
    p = lambda xs, q: round(xs[min(len(xs) - 1, int(q * len(xs)))], 2)  # noqa: E731
    out = {"idle_ms": {"p50": p(idle, .5), "p99": p(idle, .99)}, "uploading_ms": {"p50": p(busy, .5), "p99": p(busy, .99)},
           "backlog": backlog, "pending_when_measured": still_pending}
    print(f"verdict append latency ms: idle p50 {out['idle_ms']['p50']} p99 {out['idle_ms']['p99']}; while the sync "
          f"thread uploads a {backlog:,} backlog p50 {out['uploading_ms']['p50']} p99 {out['uploading_ms']['p99']} "
          f"(ratio p50 {out['uploading_ms']['p50'] / max(out['idle_ms']['p50'], 1e-9):.2f})")
    return out


# ---------------------------------------------------------------------------------------------- central ingest
def bench_ingest(url: str, n: int, batch: int = 1000) -> dict:
    store = Store(url)
    with tempfile.TemporaryDirectory() as tmp:
        log = EventLog(Path(tmp) / "l.db", "bench-ingest", HASH_KEY)
        _fill_fast(log, n)
        events = log.events(limit=n)
        log.close()
    key = load_or_create_device_key(Path(tempfile.mkdtemp()) / "k.pem")
    with store.tx() as tx:
        enroll(tx, create_enrollment_token(tx, "bench", NOW), "bench-ingest", public_key_b64(key), NOW)
    t0 = time.perf_counter()
    for i in range(0, n, batch):
        with store.tx() as tx:
            ingest(tx, "bench-ingest", events[i:i + batch], "2026-11-23T09:00:00.000000Z", "bench")
    ours = n / (time.perf_counter() - t0)
    with store.tx() as tx:
        tx.execute("CREATE TABLE IF NOT EXISTS bench_bare (device_id TEXT, seq BIGINT, body TEXT, "
                   "PRIMARY KEY (device_id, seq))")
    t0 = time.perf_counter()
    for i in range(0, n, batch):
        with store.tx() as tx:
            tx.executemany("INSERT INTO bench_bare (device_id, seq, body) VALUES (?, ?, ?)",
                           [(e["device_id"], e["seq"], e["hash"]) for e in events[i:i + batch]])
    base = n / (time.perf_counter() - t0)
    with store.tx() as tx:
        stored = tx.execute("SELECT COUNT(*) FROM events WHERE device_id = 'bench-ingest'").fetchone()[0]
    store.close()
    engine = "postgresql" if url.startswith("postgres") else "sqlite"
    print(f"central ingest ({engine}) events/s: ours {ours:,.0f}  bare executemany {base:,.0f}  "
          f"ratio {ours / base:.2f}  stored {stored}/{n}" + ("  (target >= 10,000)" if engine == "postgresql" else ""))
    return {"events": n, "ours_per_s": round(ours), "baseline_per_s": round(base), "ratio": round(ours / base, 2),
            "stored": stored}


# ---------------------------------------------------------------------------------------------- backlog upload
def bench_backlog(tmp: Path, url: str, n: int) -> dict:
    engine = "postgresql" if url.startswith("postgres") else "sqlite"
    folder = Path(tempfile.mkdtemp(dir=tmp))
    log = EventLog(folder / "log.db", "bench-backlog", HASH_KEY)
    _fill_fast(log, n)
    central = CentralProcess(url).start()
    key = load_or_create_device_key(folder / "k.pem")
    store = Store(url)
    with store.tx() as tx:
        enroll(tx, create_enrollment_token(tx, "bench", NOW), "bench-backlog", public_key_b64(key), NOW)
    link = CentralLink(central.url, "bench-backlog", key)
    client = SyncClient(log, link, folder / "dl", files=())  # the default batch size
    t0 = time.perf_counter()
    report = client.sync_once()
    seconds = time.perf_counter() - t0
    with store.tx() as tx:
        stored, distinct = tx.execute("SELECT COUNT(*), COUNT(DISTINCT event_id) FROM events "
                                      "WHERE device_id = 'bench-backlog'").fetchone()
    central.stop()
    link.close()
    pending = log.pending_count()
    log.close()
    store.close()
    out = {"events": n, "seconds": round(seconds, 2), "events_per_s": round(n / seconds), "stored": stored,
           "duplicates": stored - distinct + report.duplicates, "lost": n - distinct, "pending_after": pending,
           "error": report.error or None}
    print(f"backlog of {n:,} over loopback ({engine}): {seconds:.2f} s ({n / seconds:,.0f}/s), "
          f"duplicates {out['duplicates']}, lost {out['lost']}  (target <= 20 s, 0, 0)")
    return out


# ---------------------------------------------------------------------------------------------- SIGKILL runs
def _child(*argv: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "tests.sync.kiosk_child", *argv], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def bench_kills(tmp: Path, kills: int) -> dict:
    """Half the runs kill a kiosk while it logs, half while it uploads; then count lost and duplicated events."""
    rng = random.Random(2026)
    folder = Path(tempfile.mkdtemp(dir=tmp))
    log_path = str(folder / "log.db")
    t0 = time.perf_counter()
    logging = _kill_while_logging(rng, log_path, kills - kills // 2)
    central = CentralProcess(f"sqlite:///{folder / 'central.db'}").start()
    store = Store(f"sqlite:///{folder / 'central.db'}")
    try:
        uploading = _kill_while_uploading(rng, log_path, folder / "k.pem", store, central.url, kills // 2)
    finally:
        central.stop()
        store.close()
    out = {**logging, **uploading, "seconds": round(time.perf_counter() - t0, 1)}
    print(f"SIGKILL runs: {out['kills_while_logging']} while logging (lost {out['lost_in_log']}, duplicated "
          f"{out['duplicated_in_log']}, chain breaks {out['log_chain_breaks']}), {out['kills_while_uploading']} while "
          f"uploading (central lost {out['central_lost']}, duplicated {out['central_duplicated']}, flags "
          f"{out['central_chain_flags']}); target 0 and 0")
    return out


def _kill_while_logging(rng: random.Random, log_path: str, runs: int) -> dict:
    shown: list[int] = []
    for _ in range(runs):
        proc = _child("log", log_path, "bench-kill", "1000000")
        for _ in range(rng.randint(1, 200)):
            shown.append(int(proc.stdout.readline()))
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    with EventLog(log_path, "bench-kill", HASH_KEY) as log:
        stored = [e["seq"] for e in log.events(limit=10**7)]
        breaks = log.verify_chain()
    duplicated = len(stored) - len(set(stored)) + (0 if stored == list(range(1, len(stored) + 1)) else 1)
    return {"kills_while_logging": runs, "shown_verdicts": len(shown), "logged": len(stored),
            "lost_in_log": len(set(shown) - set(stored)), "duplicated_in_log": duplicated,
            "log_chain_breaks": len(breaks)}


def _kill_while_uploading(rng: random.Random, log_path: str, key_path: Path, store: Store, url: str,
                          runs: int) -> dict:
    with store.tx() as tx:
        enroll(tx, create_enrollment_token(tx, "bench", NOW), "bench-kill",
               public_key_b64(load_or_create_device_key(key_path)), NOW)
    for _ in range(runs):
        proc = _child("upload", log_path, "bench-kill", str(key_path), url, "50")
        lines = [proc.stdout.readline() for _ in range(rng.randint(0, 4))]
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        if any(line.startswith("done") for line in lines):
            with EventLog(log_path, "bench-kill", HASH_KEY) as log:  # all up: log more so later kills matter
                for i in range(rng.randint(50, 300)):
                    log.append(card_result(i), Outcome.PASS, "card", NOW)
    _child("upload", log_path, "bench-kill", str(key_path), url, "50").communicate(timeout=600)
    with EventLog(log_path, "bench-kill", HASH_KEY) as log:
        total, pending = log.last_seq(), log.pending_count()
    with store.tx() as tx:
        count, distinct = tx.execute("SELECT COUNT(*), COUNT(DISTINCT event_id) FROM events "
                                     "WHERE device_id = 'bench-kill'").fetchone()
        flags = tx.execute("SELECT COUNT(*) FROM chain_flags").fetchone()[0]
    return {"kills_while_uploading": runs, "events_total": total, "central_stored": count,
            "central_lost": total - distinct, "central_duplicated": count - distinct, "central_chain_flags": flags,
            "pending_after": pending}


# ---------------------------------------------------------------------------------------------- API fuzz
def bench_fuzz(examples: int) -> dict:
    """The schemathesis fuzz of tests/sync/test_api_fuzz.py with many more examples per operation."""
    env = {**os.environ, "KIOSK_FUZZ_EXAMPLES": str(examples), "PYTHONPATH": str(REPO)}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests/sync/test_api_fuzz.py"], cwd=REPO, env=env, capture_output=True, text=True)
    tail = (proc.stdout.strip().splitlines() or [""])[-1]
    print(f"API fuzz, {examples} examples per operation: {tail} ({time.perf_counter() - t0:.0f} s)")
    return {"examples_per_operation": examples, "passed": proc.returncode == 0, "summary": tail}


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
