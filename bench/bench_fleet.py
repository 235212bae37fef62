"""Fleet benchmark: heartbeats/s the central absorbs with 1 and 4 workers on PostgreSQL, publication -> every
kiosk holding (and verifying) the new bundle for 1/10/100 kiosks, and bytes per status-list change in a delta.
`python -m bench fleet [--seconds S] [--kiosks 1,10,100] [--only heartbeats|publication|delta] [--pg DSN]`.

Baselines in the same run: heartbeats beside unauthenticated GET /healthz over the same connections and load
processes (the HTTP stack's ceiling on this machine); a publication round beside a round where nothing changed
(every download a 304); delta bytes beside the full snapshot a kiosk would otherwise fetch.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from kiosk.core.status import status_list as sl  # noqa: E402
from kiosk.core.status import status_records as rec  # noqa: E402
from kiosk.core.trust import bundle as ktb  # noqa: E402
from sync import auth  # noqa: E402
from sync.central.storage import registry  # noqa: E402
from sync.central.storage.store import Store  # noqa: E402
from sync.client import SyncClient  # noqa: E402
from sync.devicekey import public_key_b64  # noqa: E402
from sync.eventlog import EventLog  # noqa: E402
from sync.heartbeat import DeviceState, Heartbeat, KioskState, utc_text  # noqa: E402
from sync.transport import CentralLink  # noqa: E402
from tests.sync.fleet_kit import TrustMaterial  # noqa: E402
from tests.sync.sync_testkit import HASH_KEY, CentralProcess, drop_pg_schema, new_pg_schema  # noqa: E402

STATE = KioskState(software_version="0.1.0", trust_version=3, trust_age_s=3600, trust_fresh=True,
                   status_list_version=12, status_list_age_s=600,
                   devices=(DeviceState("reader", True), DeviceState("scanner", True), DeviceState("camera", True),
                            DeviceState("audio", True)),
                   disk_free_bytes=10 ** 10, disk_log_bytes=10 ** 7, disk_budget_bytes=512 * 2 ** 20)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench fleet")
    ap.add_argument("--seconds", type=float, default=8.0, help="length of each heartbeat measurement")
    ap.add_argument("--kiosks", default="1,10,100", help="fleet sizes for publication -> downloaded")
    ap.add_argument("--workers", default="1,4")
    ap.add_argument("--load-procs", type=int, default=2, help="load-generating processes")
    ap.add_argument("--only", choices=["heartbeats", "publication", "delta"])
    ap.add_argument("--pg", default=os.environ.get("KIOSK_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test"))
    args = ap.parse_args(argv)
    want = lambda part: args.only in (None, part)  # noqa: E731
    results: dict = {"cpus": os.cpu_count(), "loadavg_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="bench-fleet-", dir=os.environ.get("BENCH_DIR")) as tmp:
        tmp = Path(tmp)
        if want("delta"):
            results["delta"] = bench_delta_bytes(tmp)
        if want("heartbeats"):
            results["heartbeats"] = {w: bench_heartbeats(args.pg, int(w), args.seconds, args.load_procs)
                                     for w in args.workers.split(",")}
        if want("publication"):
            results["publication"] = bench_publication(tmp, args.pg, [int(k) for k in args.kiosks.split(",")])
    results["loadavg_after"] = os.getloadavg()[0]
    print(json.dumps(results, indent=1))
    return 0


# ---------------------------------------------------------------------------------------------- heartbeats
def _enroll_many(url: str, count: int) -> list[tuple[str, bytes]]:
    """Kiosks enrolled directly in the store (enrollment is not what is measured): (device id, raw private key)."""
    store, now, out = Store(url), datetime.now(timezone.utc), []
    with store.tx() as tx:
        for n in range(count):
            key = Ed25519PrivateKey.generate()
            token = registry.create_enrollment_token(tx, f"site-{n % 20}", now)
            registry.enroll(tx, token, f"hb-{n:05d}", public_key_b64(key), now)
            out.append((f"hb-{n:05d}", key.private_bytes_raw()))
    store.close()
    return out


def _load(url: str, kiosks: list[tuple[str, bytes]], seconds: float, path: str, threads: int, out) -> None:
    """One load process: `threads` threads, each cycling over its kiosks, over keep-alive connections."""
    import httpx
    counts = [0] * threads
    errors = [0] * threads
    deadline = time.monotonic() + seconds

    def run(i: int) -> None:
        mine = kiosks[i::threads]
        keys = [(d, Ed25519PrivateKey.from_private_bytes(k)) for d, k in mine]
        with httpx.Client(base_url=url, timeout=30) as http:
            n = 0
            while time.monotonic() < deadline:
                device, key = keys[n % len(keys)]
                n += 1
                if path == "/healthz":
                    status = http.get("/healthz").status_code
                else:
                    beat = Heartbeat(kiosk_utc=utc_text(datetime.now(timezone.utc)), state=STATE)
                    body = json.dumps(beat.to_json(), separators=(",", ":")).encode()
                    headers = auth.sign_request(key, "POST", path, device, int(time.time()), body)
                    status = http.post(path, content=body, headers={**headers,
                                                                   "Content-Type": "application/json"}).status_code
                if status == 200:
                    counts[i] += 1
                else:
                    errors[i] += 1

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put((sum(counts), sum(errors)))


def _drive(url: str, kiosks, seconds: float, path: str, procs: int, threads: int = 8) -> tuple[float, int]:
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    workers = [ctx.Process(target=_load, args=(url, kiosks[p::procs], seconds, path, threads, out))
               for p in range(procs)]
    started = time.monotonic()
    for w in workers:
        w.start()
    got = [out.get() for _ in workers]
    for w in workers:
        w.join()
    elapsed = time.monotonic() - started
    return sum(g[0] for g in got) / elapsed, sum(g[1] for g in got)


def _service_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of the service process and its worker processes so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    try:
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    total = 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def bench_heartbeats(pg: str, workers: int, seconds: float, procs: int) -> dict:
    url, schema = new_pg_schema(pg)
    central = None
    try:
        kiosks = _enroll_many(url, 400)
        extra = ("--workers", str(workers)) if workers > 1 else ()
        central = CentralProcess(url, extra=extra).start()
        if workers > 1:
            central.wait_for_lines("Application startup complete", workers, timeout=180)
        _drive(central.url, kiosks, 1.0, "/healthz", procs)  # warm up every worker
        cpu0 = _service_cpu_s(central.proc.pid)
        ours, errors = _drive(central.url, kiosks, seconds, "/api/v1/heartbeat", procs)
        cpu1 = _service_cpu_s(central.proc.pid)
        base, _ = _drive(central.url, kiosks, seconds, "/healthz", procs)
        cpu2 = _service_cpu_s(central.proc.pid)
        cpu_ms_beat = 1000 * (cpu1 - cpu0) / max(1, ours * seconds)
        cpu_ms_healthz = 1000 * (cpu2 - cpu1) / max(1, base * seconds)
        store = Store(url)
        with store.tx() as tx:
            rows = tx.execute("SELECT COUNT(*) FROM device_state").fetchone()[0]
        store.close()
    finally:
        if central:
            central.stop()
        drop_pg_schema(pg, schema)
    kiosks_at_1_per_min = ours * 60
    print(f"heartbeats/s, PostgreSQL, {workers} worker(s): ours {ours:,.0f} (errors {errors})  GET /healthz "
          f"{base:,.0f}  ratio {ours / base:.2f}  -> {kiosks_at_1_per_min:,.0f} kiosks at one per minute "
          f"(target 10,000); service CPU per request: heartbeat {cpu_ms_beat:.1f} ms, healthz "
          f"{cpu_ms_healthz:.1f} ms", flush=True)
    return {"heartbeats_per_s": round(ours, 1), "healthz_per_s": round(base, 1), "ratio": round(ours / base, 3),
            "service_cpu_ms_per_heartbeat": round(cpu_ms_beat, 2), "service_cpu_ms_per_healthz": round(cpu_ms_healthz, 2),
            "errors": errors, "kiosks_at_1_per_min": round(kiosks_at_1_per_min), "devices_reporting": rows}


# ---------------------------------------------------------------------------------------------- publication
def bench_publication(tmp: Path, pg: str, sizes: list[int]) -> dict:
    """Publish a new bundle, then every kiosk runs a round (`sync now`); time until the last one holds the new
    bundle and it verifies against the root. A 5-minute interval adds at most the interval (rounds are spread
    over it), so the worst case there is 300 s plus the figure measured here."""
    url, schema = new_pg_schema(pg)
    material = TrustMaterial(tmp / "trust")
    central = CentralProcess(url, extra=("--root", str(material.root_pem))).start()
    roots = [ktb.RootKey.of(material.root.public_key())]
    out = {}
    try:
        admin = _admin(url)
        clients = _fleet(tmp, central.url, url, max(sizes))
        version = 1
        for size in sizes:
            fleet = clients[:size]
            version += 1
            _publish(central.url, admin, material.bundle(version))
            _all_sync(fleet)  # everyone holds `version` now: the next change is the measured one
            quiet = _timed_rounds(fleet, roots, version)
            version += 1
            started = time.perf_counter()
            _publish(central.url, admin, material.bundle(version))
            changed = _timed_rounds(fleet, roots, version, started)
            out[size] = {"publish_to_all_verified_s": round(changed, 3), "round_without_change_s": round(quiet, 3)}
            print(f"publication -> all {size} kiosk(s) downloaded and verified (sync now): {changed:.2f} s; "
                  f"a round with nothing new: {quiet:.2f} s; at a 5-minute interval: <= 300 s + {changed:.2f} s",
                  flush=True)
    finally:
        central.stop()
        drop_pg_schema(pg, schema)
    return out


def _admin(url: str) -> dict:
    store = Store(url)
    with store.tx() as tx:
        credential = registry.create_admin_credential(tx, datetime.now(timezone.utc))
    store.close()
    return {"Authorization": f"Bearer {credential}"}


def _publish(base: str, admin: dict, body: bytes) -> None:
    import httpx
    httpx.put(base + "/api/v1/admin/files/trust-bundle", content=body, headers=admin, timeout=60).raise_for_status()


def _fleet(tmp: Path, base: str, url: str, count: int) -> list[SyncClient]:
    enrolled = _enroll_many(url, count)
    clients = []
    for device, raw in enrolled:
        key = Ed25519PrivateKey.from_private_bytes(raw)
        log = EventLog(tmp / f"{device}.db", device, HASH_KEY)
        clients.append(SyncClient(log, CentralLink(base, device, key), tmp / device, files=("trust-bundle",),
                                  heartbeat=lambda: STATE, keep_synced_for=None))
    return clients


def _all_sync(fleet: list[SyncClient]) -> None:
    with ThreadPoolExecutor(16) as pool:
        reports = list(pool.map(lambda c: c.sync_once(), fleet))
    bad = [r.error for r in reports if not r.ok]
    if bad:
        raise RuntimeError(f"{len(bad)} rounds failed: {bad[0]}")


def _timed_rounds(fleet, roots, version: int, started: float | None = None) -> float:
    started = started or time.perf_counter()
    _all_sync(fleet)
    for client in fleet:  # what a kiosk does before installing: the root signature and the version
        held = ktb.open_bundle((client.download_dir / "trust-bundle").read_bytes(), roots)
        assert held.version == version, (held.version, version)
    return time.perf_counter() - started


# ---------------------------------------------------------------------------------------------- delta bytes
def bench_delta_bytes(tmp: Path, records: int = 100_000) -> dict:
    """Bytes of a signed delta per changed card beside the full snapshot, for 1 to 1,000 changes."""
    material = TrustMaterial(tmp / "delta-trust")
    now = material.now
    until = int((now + timedelta(days=365)).timestamp())
    body = rec.pack_sorted((secrets.token_bytes(rec.KEY_BYTES), 0, until) for _ in range(records))
    snapshot = sl.build_hashed(body, material.salt, now, 1, material.issuer, material.issuer_kid, region="bj")
    base = sl.load(snapshot, material.trust())
    keys = [body[i * rec.RECORD_BYTES:i * rec.RECORD_BYTES + rec.KEY_BYTES] for i in range(0, records, 97)]
    out = {"snapshot_bytes": len(snapshot), "records": records, "per_change": {}}
    for changes in (1, 10, 100, 1000):
        delta_body = rec.pack_sorted((k, 2, until) for k in keys[:changes])
        delta = sl.build_delta_hashed(base, delta_body, now, 2, material.issuer, material.issuer_kid)
        per = len(delta) / changes
        out["per_change"][changes] = {"delta_bytes": len(delta), "bytes_per_change": round(per, 1),
                                      "vs_snapshot": round(len(delta) / len(snapshot), 5)}
        print(f"status-list delta, {changes:>4} change(s): {len(delta):,} bytes = {per:,.1f} bytes per change "
              f"(snapshot of {records:,} cards: {len(snapshot):,} bytes; ratio {len(delta) / len(snapshot):.5f})",
              flush=True)
    return out


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
