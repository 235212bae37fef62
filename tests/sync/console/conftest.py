"""Fixtures of the console tests: a seeded central service on SQLite (or PostgreSQL for the store tests) and a
headless Chromium that is skipped, loudly, only when no Chromium is installed."""
from __future__ import annotations

import warnings
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from kiosk.core.outcome.verdicts import Outcome, Verdict
from tests.sync.console.consolekit import (NO_CHROMIUM, ConsoleServer, TrustMaterial, add_user, app_kwargs_with_roots,
                                           find_chromium, heartbeat, seed_kiosk, spread, start_browser)


def pytest_report_header(config):
    found = find_chromium()
    return "console: headless Chromium " + (f"{found[0]} + {found[1]}" if found else "NOT FOUND -- browser tests "
                                             "will be SKIPPED")


@pytest.fixture
def seeded(tmp_path):
    """A central service with one account per role, trust material, and four kiosks at two sites: one silent for
    three hours (the stale kiosk), two reporting now, one that never reported."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    material = TrustMaterial(now, tmp_path)
    server = ConsoleServer(f"sqlite:///{tmp_path / 'central.db'}", **app_kwargs_with_roots(material))
    store = server.store
    for name, role in (("ada", "admin"), ("otto", "operator"), ("vera", "viewer")):
        add_user(store, name, role)
    seed_kiosk(store, tmp_path, "gate-stale", "north", spread(now - timedelta(hours=3), 5, 4), now - timedelta(hours=3))
    seed_kiosk(store, tmp_path, "gate-ok", "north", spread(now, 30, 6), now)
    seed_kiosk(store, tmp_path, "gate-east", "east", spread(now, 10, 3) + [(now - timedelta(minutes=5), Outcome.STOP,
                                                                            Verdict.EXPIRED)], now)
    seed_kiosk(store, tmp_path, "gate-new", "east", [], None)
    # heartbeats (with the fleet service): gate-ok healthy; gate-east paused, its clock 5 minutes fast, scanner down
    heartbeat(store, "gate-ok", now - timedelta(minutes=1))
    heartbeat(store, "gate-east", now - timedelta(minutes=20), backlog=12)
    heartbeat(store, "gate-east", now - timedelta(minutes=1), clock_offset_s=300, paused=True, backlog=40,
              devices=[{"name": "reader", "ok": True, "detail": ""}, {"name": "scanner", "ok": False, "detail": "gone"}])
    server.start()
    yield SimpleNamespace(url=server.url, store=store, now=now, material=material, folder=tmp_path, server=server)
    server.stop()


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    """One headless Chromium per test module (it takes seconds to start); each test gets it with no cookies."""
    if find_chromium() is None:
        warnings.warn(NO_CHROMIUM)
        pytest.skip(NO_CHROMIUM)
    profile = tmp_path_factory.mktemp("chromium-profile")
    (profile / "downloads").mkdir()
    driver = start_browser(profile)
    yield driver
    driver.quit()


@pytest.fixture
def browser(chromium):
    chromium.delete_all_cookies()
    yield chromium
    chromium.delete_all_cookies()
