"""`python -m bench hostile [SECONDS] [--kills N] [--suite-runs N [--suite-cmd CMD]] [--only PART]`: issue 15's
three measures in one run.

1. The front door (below): the central under hostile bodies, ours beside the baseline.
2. Exactly-once over N SIGKILLs (default 200) including log resets and damaged-log restarts (bench/hostile/kills.py).
3. With --suite-runs N: the test command run N times under full CPU load, and its pass rate (bench/hostile/suite.py).

For each variant a `kiosk-central`-like server runs in a child process on loopback over a fresh SQLite file:
"guarded" is today's app (sync/central/door/guard.py + errors.py); "baseline" is the same app with the front door
swapped back to the previous one (a 16 MiB body limit, FastAPI's default errors that echo the input). 20 client
threads send unauthenticated 16 MiB uploads, 1 MiB JSON arrays to enrolment and NaN-laden bodies, while a probe
asks `/healthz` every 50 ms. Reported: the probe's median and p99 latency, probe failures, the server's peak
memory (VmHWM) and how many hostile requests were answered. Bounded: SECONDS per variant (default 8).
"""
from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
CLIENTS = 20
MIB = 1024 * 1024

SERVER = r"""
import sys, uvicorn
from sync.central import app as central
from sync.central.storage.store import Store
variant, db, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
if variant == "baseline":
    from bench.hostile.baseline_limits import BodySizeLimit
    class Baseline:
        def __init__(self, app, store, clock, max_body, **_):
            self.inner = BodySizeLimit(app, max_body)
        async def __call__(self, scope, receive, send):
            await self.inner(scope, receive, send)
    central.RequestGuard = Baseline
    central.install_error_handlers = lambda app: None
app = central.create_app(Store(db))
uvicorn.run(app, host="127.0.0.1", port=port, log_level="error")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _hostile(url: str, stop: threading.Event, answered: list[int], index: int) -> None:
    big = b"[" + b"1," * (8 * MIB) + b"1]"  # 16 MiB of JSON
    array = b'{"token": [' + b'"x",' * (MIB // 4) + b'"x"]}'
    nan = b'{"token": "t", "device_id": "d", "public_key": NaN, "extra": [NaN, Infinity]}'
    shots = [("/api/v1/events", big), ("/api/v1/enroll", array), ("/api/v1/enroll", nan)]
    with httpx.Client(base_url=url, timeout=30) as client:
        n = index
        while not stop.is_set():
            path, body = shots[n % len(shots)]
            n += 1
            try:
                client.post(path, content=body, headers={"Content-Type": "application/json"})
                answered.append(1)
            except httpx.HTTPError:
                pass


def run_variant(variant: str, seconds: float) -> dict:
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        proc = subprocess.Popen([sys.executable, "-c", SERVER, variant, f"sqlite:///{tmp}/c.db", str(port)],
                                cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    httpx.get(url + "/healthz", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            stop, answered = threading.Event(), []
            clients = [threading.Thread(target=_hostile, args=(url, stop, answered, i), daemon=True)
                       for i in range(CLIENTS)]
            for client in clients:
                client.start()
            latencies, failures = [], 0
            end = time.monotonic() + seconds
            with httpx.Client(base_url=url, timeout=10) as probe:
                while time.monotonic() < end:
                    started = time.perf_counter()
                    try:
                        probe.get("/healthz")
                        latencies.append((time.perf_counter() - started) * 1000)
                    except httpx.HTTPError:
                        failures += 1
                    time.sleep(0.05)
            peak = _peak_rss_mb(proc.pid)
            stop.set()
        finally:
            proc.kill()  # in-flight hostile uploads would hold a graceful shutdown
            proc.wait(30)
        for client in clients:
            client.join(30)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] if latencies else float("nan")
    return {"variant": variant, "median_ms": statistics.median(latencies) if latencies else float("nan"),
            "p99_ms": p99, "probes": len(latencies), "probe_failures": failures, "peak_rss_mb": peak,
            "hostile_answered": len(answered)}


def main(argv: list[str]) -> int:
    import argparse
    import json
    ap = argparse.ArgumentParser(prog="python -m bench hostile")
    ap.add_argument("seconds", nargs="?", type=float, default=8.0, help="front door: seconds per variant")
    ap.add_argument("--kills", type=int, default=200, help="SIGKILL runs (a fifth followed by a log reset, a fifth "
                                                           "by a damaged log); 0 skips them")
    ap.add_argument("--suite-runs", type=int, default=0, help="run the test command N times under full CPU load")
    ap.add_argument("--suite-cmd", default=None, help="the test command (default: bash scripts/run-tests.sh .venv)")
    ap.add_argument("--only", choices=["door", "kills", "suite"], help="run one part")
    args = ap.parse_args(argv)
    want = lambda part: args.only in (None, part)  # noqa: E731
    results: dict = {}
    if want("door"):
        results["front_door"] = front_door(args.seconds)
    if want("kills") and args.kills > 0:
        from bench.hostile import kills
        with tempfile.TemporaryDirectory(prefix="bench-hostile-", dir=os.environ.get("BENCH_DIR")) as tmp:
            results["sigkill"] = kills.run(Path(tmp), args.kills)
        kills.report(results["sigkill"])
    if want("suite") and args.suite_runs > 0:
        from bench.hostile import suite
        results["suite"] = suite.run(args.suite_runs, args.suite_cmd or suite.DEFAULT_COMMAND)
        suite.report(results["suite"])
    elif want("suite"):
        print("test suite under load: not run (--suite-runs N runs the test command N times under full CPU load)")
    print(json.dumps(results, indent=1, default=str))
    bad = results.get("sigkill", {})
    return 1 if bad.get("lost") or bad.get("duplicated") else 0


def front_door(seconds: float) -> list[dict]:
    results = [run_variant(v, seconds) for v in ("baseline", "guarded")]
    print(f"central under {CLIENTS} hostile clients (16 MiB unauthenticated uploads, 1 MiB arrays, NaN), "
          f"{seconds:g} s each, loopback, SQLite")
    for r in results:
        latency = (f"/healthz median {r['median_ms']:7.1f} ms  p99 {r['p99_ms']:7.1f} ms" if r["probes"] else
                   "/healthz never answered within the probe's 10 s timeout")
        print(f"  {r['variant']:9s} {latency}  ({r['probes']} answered, {r['probe_failures']} failed)  "
              f"peak RSS {r['peak_rss_mb']:6.0f} MB  hostile requests answered {r['hostile_answered']}")
    base, ours = results
    if base["probes"] and ours["probes"] and ours["peak_rss_mb"]:
        print(f"  ratio baseline/guarded: p99 {base['p99_ms'] / ours['p99_ms']:.1f}x, "
              f"peak memory {base['peak_rss_mb'] / ours['peak_rss_mb']:.1f}x")
    return results
