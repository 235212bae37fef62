"""Console benchmark: fleet, checks and kiosk page render times over HTTP with 500 kiosks and millions of check
events on PostgreSQL, beside baselines in the same run, and a screenshot of every page in both languages.

`python -m bench console [--events N] [--kiosks 500] [--repeat 30] [--pg DSN] [--out DIR] [--no-screens]`

Baselines: the checks page reads the hourly roll-up (sync.central.events.checkstats); beside it the same counts straight
from the events table (what the page would cost without the roll-up), and the roll-up query alone (so the ratio
shows what HTTP, sessions and templates add). Events are generated inside PostgreSQL (generate_series), their
counts rolled up with the same GROUP BY the console's migration uses for a backfill; the service runs as
`kiosk-central serve` in its own process, measured with httpx from this one. Screenshots: headless Chromium.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402

from sync.central.admin import accounts  # noqa: E402
from sync.central.storage.registry import utc_text  # noqa: E402
from sync.central.storage.store import Store  # noqa: E402
from tests.sync.sync_testkit import CentralProcess, drop_pg_schema, new_pg_schema  # noqa: E402

PASSWORD = "bench password 1234"
SPAN_DAYS = 90


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench console")
    ap.add_argument("--events", type=int, default=2_000_000,
                    help="check events to generate (the issue's 10,000,000 takes about ten minutes to generate on a 2-core machine)")
    ap.add_argument("--kiosks", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--pg", default=os.environ.get("KIOSK_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test"))
    ap.add_argument("--out", default=str(REPO / "var" / "console-screens"))
    ap.add_argument("--no-screens", action="store_true")
    ap.add_argument("--quick", action="store_true", help="200,000 events, 10 repeats")
    args = ap.parse_args(argv)
    if args.quick:
        args.events, args.repeat = min(args.events, 200_000), min(args.repeat, 10)
    url, schema = new_pg_schema(args.pg)
    try:
        store = Store(url)
        now = datetime.now(timezone.utc).replace(microsecond=0)
        started = time.perf_counter()
        generate(store, now, args.kiosks, args.events)
        print(f"generated {args.kiosks} kiosks and {args.events:,} events in {time.perf_counter() - started:.0f} s")
        with store.tx() as tx:
            accounts.add_user(tx, "admin", "admin", PASSWORD, now)
            accounts.add_user(tx, "viewer", "viewer", PASSWORD, now)
        server = CentralProcess(url).start()
        try:
            measure(server.url, store, now, args.repeat)
            if not args.no_screens:
                screenshots(server.url, Path(args.out), now)
        finally:
            server.stop()
        store.close()
    finally:
        drop_pg_schema(args.pg, schema)
    return 0


def generate(store: Store, now: datetime, kiosks: int, events: int) -> None:
    """Devices, events spread over SPAN_DAYS (about 1 in 10 STOP, 1 in 10 SEE_STAFF), their hourly roll-up."""
    per = max(events // kiosks, 1)
    start = now - timedelta(days=SPAN_DAYS)
    with store.tx() as tx:
        for i in range(kiosks):
            seen = now - timedelta(minutes=2) if i % 25 else now - timedelta(hours=6 + i % 48)  # 4% silent
            tx.execute("INSERT INTO devices (device_id, public_key, site, enrolled_at, last_seen, event_count, max_seq)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?)", (f"kiosk-{i:03d}", "A" * 43, f"site-{i % 20:02d}",
                                                         utc_text(start), utc_text(seen), per, per))
        tx.execute("INSERT INTO chain_flags (device_id, seq, kind, detail, flagged_at) VALUES (?, ?, ?, ?, ?)",
                   ("kiosk-007", 42, "link", "", utc_text(now)))
        tx.execute("ALTER TABLE events DROP CONSTRAINT events_pkey")  # loaded first, indexed after: faster
        tx.execute(
            "INSERT INTO events (device_id, seq, event_id, utc, day, site, monotonic_ns, verdict, reason, outcome, "
            "input_kind, pass_format, kid, trust_version, masked_name, masked_id, subject_hash, flags, prev_hash, hash, "
            "received_at, via) "
            "SELECT 'kiosk-' || lpad(d::text, 3, '0'), s, md5(d::text || '-' || s::text), "
            "to_char(ts, 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), to_char(ts, 'YYYY-MM-DD'), "
            "'site-' || lpad(mod(d, 20)::text, 2, '0'), 0, "
            "CASE WHEN mod(s, 20) = 7 THEN 'REVOKED' WHEN mod(s, 20) = 13 THEN 'EXPIRED' ELSE 'VALID' END, "
            "CASE WHEN mod(s, 20) = 7 THEN 'PASS_REVOKED' WHEN mod(s, 20) = 13 THEN 'PASS_EXPIRED' ELSE 'OK' END, "
            "CASE WHEN mod(s, 20) IN (7, 13) THEN 'STOP' WHEN mod(s, 10) = 9 THEN 'SEE_STAFF' ELSE 'PASS' END, "
            "'card', 'ID_CARD', '', 3, '', '', '', '', ?, ?, ?, 'bench' "
            "FROM generate_series(0, ? - 1) AS d, generate_series(1, ?) AS s, "
            "LATERAL (SELECT ?::timestamptz AT TIME ZONE 'UTC' + ((s - 1 + d::float8 / ?) * ? / ?) * interval '1 second'"
            " AS ts) t",  # each kiosk's checks evenly spaced, the kiosks staggered between them
            ("0" * 64, "0" * 64, utc_text(now), kiosks, per, start.isoformat(), kiosks, SPAN_DAYS * 86400.0, per))
        tx.execute("ALTER TABLE events ADD PRIMARY KEY (device_id, seq)")
        tx.execute("CREATE INDEX IF NOT EXISTS events_day ON events (day, site, verdict)")
        tx.execute("DELETE FROM check_counts")
        tx.execute("INSERT INTO check_counts (day, hour, site, outcome, verdict, n) "
                   "SELECT day, CAST(SUBSTR(utc, 12, 2) AS BIGINT), site, outcome, verdict, COUNT(*) FROM events "
                   "GROUP BY day, CAST(SUBSTR(utc, 12, 2) AS BIGINT), site, outcome, verdict")
        tx.execute("DELETE FROM check_counts_daily")
        tx.execute("INSERT INTO check_counts_daily (day, site, outcome, verdict, n) "
                   "SELECT day, site, outcome, verdict, SUM(n) FROM check_counts GROUP BY day, site, outcome, verdict")
    _heartbeats(store, now, kiosks)
    with store.tx() as tx:
        tx.execute("ANALYZE")


def _heartbeats(store: Store, now: datetime, kiosks: int) -> None:
    """Two heartbeats per kiosk (with the fleet service): some paused, mis-clocked, blind or behind on trust data."""
    from tests.sync.console.consolekit import heartbeat
    for i in range(kiosks):
        device = f"kiosk-{i:03d}"
        last = now - timedelta(minutes=2) if i % 25 else now - timedelta(hours=6 + i % 48)
        down = [{"name": "reader", "ok": True, "detail": ""}, {"name": "scanner", "ok": i % 60 != 7, "detail": ""}]
        for at in (last - timedelta(minutes=30), last):
            if not heartbeat(store, device, at, clock_offset_s=120 if i % 40 == 5 else 0.4, paused=i % 50 == 3,
                             trust_fresh=i % 45 != 11, backlog=i % 7, devices=down):
                return


def _timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _report(label: str, ms: list[float], baseline: tuple[str, list[float]] | None = None) -> None:
    p50 = statistics.median(ms)
    p95 = sorted(ms)[max(int(len(ms) * 0.95) - 1, 0)]
    line = f"{label:<40} n={len(ms):<3} median {p50:8.1f} ms   p95 {p95:8.1f} ms"
    if baseline:
        name, base = baseline
        line += f"   | {name}: median {statistics.median(base):8.1f} ms  ratio {p50 / statistics.median(base):6.2f}"
    print(line)


def measure(base_url: str, store: Store, now: datetime, repeat: int) -> None:
    client = httpx.Client(base_url=base_url, headers={"Origin": base_url, "Accept-Language": "en"}, timeout=120)
    r = client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert r.status_code in (200, 303), r.text
    since14 = (now.date() - timedelta(days=13)).isoformat()
    since90 = (now.date() - timedelta(days=SPAN_DAYS)).isoformat()
    until = now.date().isoformat()

    def page(path):
        def get():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        return get

    def sql(text, params):
        def run():
            with store.tx() as tx:
                tx.execute(text, params).fetchall()
        return run

    rollup = "SELECT day, outcome, SUM(n) FROM check_counts_daily WHERE day >= ? AND day <= ? GROUP BY day, outcome"
    raw = "SELECT day, outcome, COUNT(*) FROM events WHERE day >= ? AND day <= ? GROUP BY day, outcome"
    page("/")()  # warm up (template compile, connection pool)
    _report("fleet page (/ , all kiosks)", _timed(page("/"), repeat),
            ("registry query alone", _timed(sql("SELECT * FROM devices", ()), repeat)))
    _report("fleet page filtered (alert=silent)", _timed(page("/?alert=silent"), repeat))
    _report("checks page, 14 days by day", _timed(page("/checks"), repeat),
            ("roll-up query alone", _timed(sql(rollup, (since14, until)), repeat)))
    _report("checks page, 90 days by day", _timed(page(f"/checks?since={since90}&until={until}"), repeat))
    _report("checks page, 14 days by hour", _timed(page("/checks?interval=hour"), repeat))
    _report("checks page, one site, by verdict", _timed(page("/checks?site=site-03&by=verdict"), repeat))
    _report("kiosk page (48 h per hour)", _timed(page("/kiosks/kiosk-001"), repeat))
    _report("counts CSV, 90 days", _timed(page(f"/checks.csv?since={since90}&until={until}"), max(repeat // 3, 3)))
    raw14 = _timed(sql(raw, (since14, until)), 3)
    _report("baseline: 14-day counts from events table", raw14,
            ("roll-up query", _timed(sql(rollup, (since14, until)), 3)))


def screenshots(base_url: str, out: Path, now: datetime) -> None:
    """Every page in English and Chinese, as an admin; the refusal a viewer sees; the sign-in page."""
    from selenium.webdriver.common.by import By

    from tests.sync.console.consolekit import TrustMaterial, find_chromium, navigates, sign_in, start_browser
    if find_chromium() is None:
        print("!! no headless Chromium (Debian chromium + chromium-driver): screenshots SKIPPED", file=sys.stderr)
        return
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-console-") as tmp:
        tmp = Path(tmp)
        bundle = tmp / "trust-bundle-v7.ktb"
        bundle.write_bytes(TrustMaterial(now, tmp).bundle(7, revoked_passes=12))
        (tmp / "profile").mkdir()
        driver = start_browser(tmp / "profile", width=1366, height=900)
        try:
            for lang in ("en", "zh"):
                driver.delete_all_cookies()
                driver.get(f"{base_url}/lang/{lang}?next=/login")
                driver.save_screenshot(str(out / f"{lang}-01-login.png"))
                sign_in(driver, base_url, "admin", PASSWORD)
                for n, (name, path) in enumerate((("fleet", "/"), ("fleet-silent", "/?alert=silent"),
                                                  ("kiosk", "/kiosks/kiosk-007"), ("checks", "/checks"),
                                                  ("checks-hourly", "/checks?interval=hour&site=site-03"),
                                                  ("checks-verdict", "/checks?by=verdict"), ("publish", "/publish"),
                                                  ("tokens", "/tokens"), ("audit", "/audit"), ("users", "/users")),
                                                 start=2):
                    driver.get(base_url + path)
                    driver.save_screenshot(str(out / f"{lang}-{n:02d}-{name}.png"))
                driver.get(base_url + "/publish")
                driver.find_element(By.ID, "upload").send_keys(str(bundle))
                navigates(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/publish/preview'] button"))
                driver.save_screenshot(str(out / f"{lang}-12-preview.png"))
                driver.delete_all_cookies()
                driver.get(f"{base_url}/lang/{lang}?next=/login")
                sign_in(driver, base_url, "viewer", PASSWORD, next_path="/publish")
                driver.save_screenshot(str(out / f"{lang}-13-viewer-refused.png"))
        finally:
            driver.quit()
    print(f"screenshots: {len(list(out.glob('*.png')))} in {out}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
