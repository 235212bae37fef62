"""Fixtures of the sync tests: a central store and service per test on SQLite or PostgreSQL, enrolled kiosks."""
from __future__ import annotations

import os
import warnings
from datetime import datetime, timezone

import pytest

from sync.central.storage import registry
from sync.central.storage.store import Store
from tests.sync.sync_testkit import Kiosk, ThreadedCentral, drop_pg_schema, new_pg_schema

PG_DSN = os.environ.get("KIOSK_TEST_PG_DSN", "")
_PG_SKIP = ("\n" + "!" * 78 + "\n!! PostgreSQL tests SKIPPED: KIOSK_TEST_PG_DSN is not set (run them through "
            "scripts/run-tests.sh,\n!! which starts a server, or export KIOSK_TEST_PG_DSN=postgresql://...)\n" + "!" * 78)


def pytest_report_header(config):
    return "sync: PostgreSQL at " + (PG_DSN if PG_DSN else "NONE -- PostgreSQL tests will be SKIPPED")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh central database: a SQLite file, or a schema of its own on the test PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'central.db'}"
        return
    if not PG_DSN:
        warnings.warn(_PG_SKIP)
        pytest.skip(_PG_SKIP)
    url, schema = new_pg_schema(PG_DSN)
    yield url
    drop_pg_schema(PG_DSN, schema)


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'central.db'}"


@pytest.fixture
def central(db_url):
    """The central service under uvicorn on a free local port over `db_url` (in-process thread: fast to start;
    the fault tests that kill or restart it run `kiosk-central serve` as a child process instead)."""
    proc = ThreadedCentral(db_url).start()
    yield proc
    proc.stop()


@pytest.fixture
def admin_token(db_url):
    store = Store(db_url)
    with store.tx() as tx:
        credential = registry.create_admin_credential(tx, datetime.now(timezone.utc))
    store.close()
    return credential


@pytest.fixture
def kiosk(tmp_path, central, db_url):
    k = Kiosk(tmp_path / "kiosk", central.url, db_url, "gate-1")
    yield k
    k.close()


@pytest.fixture
def material(tmp_path):
    """A root, a status issuer and signed bundles/lists issued now (tests/sync/fleet_kit.py)."""
    from tests.sync.fleet_kit import TrustMaterial
    return TrustMaterial(tmp_path / "trust")


@pytest.fixture
def pinned_central(db_url, material):
    """The central service with `material`'s root pinned (`serve --root`): publications can be checked."""
    from sync.central.admin.publish import load_roots
    proc = ThreadedCentral(db_url, roots=tuple(load_roots([material.root_pem]))).start()
    yield proc
    proc.stop()
