"""The console's service side over HTTP (in-process ASGI client) on SQLite and PostgreSQL: accounts and escalating
lockout with a clock the test moves, sessions, the Origin check, cookie flags over TLS, roles on every route,
hourly counts kept at ingest (and backfilled by the migration), the audit trail, `kiosk-central user`."""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from kiosk.core.outcome.verdicts import Outcome, Verdict
from sync.central.admin import accounts, audit
from sync.central.events import checkstats
from sync.central.app import create_app
from sync.central.storage.store import Store
from tests.sync.console.consolekit import PASSWORD, TrustMaterial, add_user, seed_kiosk, spread
from tests.sync.sync_testkit import REPO

BASE = "http://console.test"
ORIGIN = {"Origin": BASE}


class Clock:
    def __init__(self) -> None:
        self.t = datetime.now(timezone.utc).timestamp()

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def service(db_url):
    store = Store(db_url)
    clock = Clock()
    for name, role in (("ada", "admin"), ("otto", "operator"), ("vera", "viewer")):
        add_user(store, name, role)
    app = create_app(store, clock=clock)
    yield app, store, clock
    store.close()


def client_for(app, name: str | None = None, base: str = BASE) -> TestClient:
    client = TestClient(app, base_url=base, follow_redirects=False, headers={"Accept-Language": "en"})
    if name:
        r = client.post("/login", data={"username": name, "password": PASSWORD}, headers={"Origin": base})
        assert r.status_code == 303, r.text
    return client


def login(client, name, password):
    return client.post("/login", data={"username": name, "password": password}, headers=ORIGIN)


def test_lockout_escalates_survives_and_lifts(service):
    app, store, clock = service
    client = client_for(app)
    for _ in range(4):
        assert login(client, "otto", "wrong").status_code == 401
    r = login(client, "otto", "wrong")
    assert r.status_code == 401 and "locked until" in r.text
    assert "locked until" in login(client, "otto", PASSWORD).text  # the right password waits too
    app2 = create_app(store, clock=clock)  # a restart over the same store
    assert "locked until" in login(client_for(app2), "otto", PASSWORD).text
    clock.t += accounts.FIRST_LOCK.total_seconds() + 1
    for _ in range(5):
        login(client, "otto", "wrong")
    with store.tx() as tx:
        [row] = [u for u in accounts.list_users(tx) if u["name"] == "otto"]
    locked_for = datetime.fromisoformat(row["locked_until"].replace("Z", "+00:00")) - datetime.fromtimestamp(clock.t, timezone.utc)
    assert locked_for > accounts.FIRST_LOCK * 1.5  # the second lock is longer (escalating)
    clock.t += 2 * accounts.FIRST_LOCK.total_seconds() + 1
    assert login(client, "otto", PASSWORD).status_code == 303  # and a good sign-in resets the count
    with store.tx() as tx:
        assert [u for u in accounts.list_users(tx) if u["name"] == "otto"][0]["failed_logins"] == 0


def test_unknown_user_and_disabled_user_are_refused_alike(service):
    app, store, _ = service
    client = client_for(app)
    assert login(client, "nobody", PASSWORD).status_code == 401
    signed_in = client_for(app, "vera")
    assert signed_in.get("/").status_code == 200
    with store.tx() as tx:
        accounts.disable_user(tx, "vera", datetime.now(timezone.utc))
    assert signed_in.get("/").status_code == 303  # its session ended with it
    assert "disabled" in login(client, "vera", PASSWORD).text


def test_session_cookie_flags_and_secure_over_tls(service):
    app, _, _ = service
    client = client_for(app)
    cookie = login(client, "vera", PASSWORD).headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie
    tls = client_for(app, base="https://console.test")
    cookie = tls.post("/login", data={"username": "vera", "password": PASSWORD},
                      headers={"Origin": "https://console.test"}).headers["set-cookie"].lower()
    assert "secure" in cookie


def test_state_changes_need_this_consoles_origin(service):
    app, _, _ = service
    client = client_for(app, "ada")
    for headers in ({}, {"Origin": "http://evil.test"}, {"Origin": "null"}, {"Referer": "http://evil.test/x"}):
        assert client.post("/tokens", data={"site": "north"}, headers=headers).status_code == 403, headers
        assert client.post("/login", data={"username": "ada", "password": PASSWORD}, headers=headers).status_code == 403
    assert client.post("/tokens", data={"site": "north"}, headers={"Referer": BASE + "/tokens"}).status_code == 200
    assert client.post("/tokens", data={"site": "north"}, headers=ORIGIN).status_code == 200


def _console_routes(app):
    for route in app.routes:
        if isinstance(route, APIRoute) and not route.path.startswith(("/api/", "/healthz", "/docs", "/openapi",
                                                                      "/redoc", "/login", "/lang", "/logout")):
            for method in route.methods:
                yield method, route.path.replace("{device_id}", "gate-1").replace("{name}", "vera")


NEEDS = {"/": "viewer", "/kiosks/gate-1": "viewer", "/checks": "viewer", "/checks.csv": "viewer",
         "/kiosks/gate-1/disable": "operator", "/kiosks/gate-1/reenrol": "operator", "/tokens": "operator",
         "/publish": "admin", "/publish/preview": "admin", "/publish/confirm": "admin", "/audit": "admin",
         "/users": "admin", "/users/vera/disable": "admin"}


def test_every_console_route_is_behind_sign_in_and_its_role(service):
    app, _, _ = service
    routes = sorted(set(_console_routes(app)))
    assert {path for _, path in routes} == set(NEEDS)  # a new route must be added here with its role
    anonymous = client_for(app)
    by_role = {role: client_for(app, name) for role, name in (("viewer", "vera"), ("operator", "otto"))}
    for method, path in routes:
        r = anonymous.request(method, path, headers=ORIGIN)
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), (method, path)
        for role, client in by_role.items():
            allowed = accounts.ROLES.index(role) >= accounts.ROLES.index(NEEDS[path])
            r = client.request(method, path, headers=ORIGIN)
            assert (r.status_code != 403) == allowed, (role, method, path, r.status_code)


def test_counts_roll_up_at_ingest_by_hour_site_outcome_and_verdict(service, tmp_path):
    app, store, _ = service
    now = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
    seed_kiosk(store, tmp_path, "gate-1", "north", spread(now, 3, 10), now)
    seed_kiosk(store, tmp_path, "gate-2", "east", [(now, Outcome.STOP, Verdict.EXPIRED)] * 2, now)
    with store.tx() as tx:
        events = tx.execute("SELECT site, outcome, verdict, COUNT(*) FROM events GROUP BY site, outcome, verdict "
                            "ORDER BY 1, 2, 3").fetchall()
        rolled = tx.execute("SELECT site, outcome, verdict, SUM(n) FROM check_counts GROUP BY site, outcome, verdict "
                            "ORDER BY 1, 2, 3").fetchall()
        daily = tx.execute("SELECT site, outcome, verdict, SUM(n) FROM check_counts_daily "
                           "GROUP BY site, outcome, verdict ORDER BY 1, 2, 3").fetchall()
        expected = [tuple(r[:3]) + (int(r[3]),) for r in events]
        assert [tuple(r[:3]) + (int(r[3]),) for r in rolled] == expected
        assert [tuple(r[:3]) + (int(r[3]),) for r in daily] == expected
        hourly = checkstats.series(tx, checkstats.CountFilter("2026-11-23", "2026-11-23", site="north", hourly=True))
    assert {b for b, _, _ in hourly} == {"2026-11-23 09:00", "2026-11-23 10:00", "2026-11-23 11:00"}
    assert sum(c for _, k, c in hourly if k == "STOP") == 3 and sum(c for _, _, c in hourly) == 30
    client = client_for(app, "vera")
    text = client.get("/checks.csv", params={"since": "2026-11-23", "until": "2026-11-23", "verdict": "EXPIRED"}).text
    assert text.splitlines() == ["day,hour,site,outcome,verdict,count", "2026-11-23,12,east,STOP,EXPIRED,2"]


def _console_migration() -> int:
    from sync.central.storage.schema import MIGRATIONS
    return next(i + 1 for i, steps in enumerate(MIGRATIONS) if any("check_counts" in step for step in steps))


def test_the_migration_backfills_counts_of_events_stored_before_it(db_url, tmp_path):
    store = Store(db_url)
    now = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
    seed_kiosk(store, tmp_path, "gate-1", "north", spread(now, 2, 5), now)
    with store.tx() as tx:  # as if the events had arrived before the console's migration
        tx.execute("DROP TABLE check_counts")
        tx.execute("DROP TABLE check_counts_daily")
        tx.execute("DELETE FROM schema_version WHERE version >= ?", (_console_migration(),))
    store.close()
    store = Store(db_url)  # migrates again: the counts come back from the events
    with store.tx() as tx:
        assert int(tx.execute("SELECT SUM(n) FROM check_counts").fetchone()[0]) == 10
        assert int(tx.execute("SELECT SUM(n) FROM check_counts_daily").fetchone()[0]) == 10
    store.close()


def test_publishing_is_audited_with_who_what_and_where(service, tmp_path):
    app, store, clock = service
    material = TrustMaterial(datetime.fromtimestamp(clock.t, timezone.utc), tmp_path)
    client = client_for(app, "ada")
    r = client.post("/publish/preview", files={"upload": ("b.ktb", material.bundle(4))}, headers=ORIGIN)
    assert r.status_code == 200 and 'id="pv-version">4<' in r.text
    draft = r.text.split('name="draft_id" value="')[1].split('"')[0]
    if 'id="confirm-publish"' in r.text:  # no refusal from the publishing service
        assert client.post("/publish/confirm", data={"draft_id": draft}, headers=ORIGIN).status_code == 303
    assert client.post("/publish/confirm", data={"draft_id": draft}, headers=ORIGIN).status_code == 200  # used up
    with store.tx() as tx:
        rows = audit.entries(tx, actor="ada")
    assert {"login", "publish_preview"} <= {r["action"] for r in rows}
    assert all(r["address"] == "testclient" and r["at"] for r in rows)


def test_user_command_reads_the_password_from_stdin(db_url):
    def run(*args, stdin=""):
        return subprocess.run([sys.executable, "-m", "sync.central.cli", "--db", db_url, "user", *args], cwd=REPO,
                              input=stdin, capture_output=True, text=True, timeout=120)
    added = run("add", "chen", "--role", "operator", stdin="a long enough secret\n")
    assert added.returncode == 0, added.stderr
    assert run("add", "chen", "--role", "operator", stdin="a long enough secret\n").returncode == 1
    assert "10 to 1024" in run("add", "li", "--role", "viewer", stdin="short\n").stderr
    assert run("add", "li", "--role", "root", stdin="a long enough secret\n").returncode == 2
    listing = run("list").stdout
    assert "chen\toperator\tactive" in listing and "li" not in listing
    assert run("disable", "chen").returncode == 0 and "chen\toperator\tdisabled" in run("list").stdout
    store = Store(db_url)
    assert accounts.authenticate(store, "chen", "a long enough secret", datetime.now(timezone.utc)).problem == "disabled"
    with store.tx() as tx:
        actions = [(e["action"], e["target"], e["address"]) for e in audit.entries(tx)]
    store.close()
    assert ("user_add", "chen", "local") in actions and ("user_disable", "chen", "local") in actions


def test_the_admin_api_is_audited_too(service):
    app, store, _ = service
    from sync.central.storage import registry
    with store.tx() as tx:
        credential = registry.create_admin_credential(tx, datetime.now(timezone.utc))
    api = TestClient(app, base_url=BASE, headers={"Authorization": f"Bearer {credential}"})
    assert api.post("/api/v1/admin/tokens", json={"site": "north", "valid_hours": 2}).status_code == 201
    assert api.get("/api/v1/admin/devices").status_code == 200  # reading is not an action
    assert TestClient(app, base_url=BASE).post("/api/v1/admin/tokens", json={"site": "x"}).status_code == 401
    with store.tx() as tx:
        rows = [e for e in audit.entries(tx) if e["actor"].startswith("api:")]
    assert [(r["action"], r["target"]) for r in rows] == [("api_tokens_post", "/api/v1/admin/tokens")]
    assert credential not in rows[0]["actor"] and len(rows[0]["actor"]) == 16
