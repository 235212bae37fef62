"""Fixtures of the sync tests: a central store and service per test on SQLite or PostgreSQL, enrolled kiosks."""
from __future__ import annotations

import os
import sys
import warnings
from datetime import datetime, timezone
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from sync_testkit import HASH_KEY, ThreadedCentral, drop_pg_schema, new_pg_schema  # noqa: E402

from sync.central import registry  # noqa: E402
from sync.central.store import Store  # noqa: E402
from sync.devicekey import load_or_create_device_key  # noqa: E402
from sync.eventlog import EventLog  # noqa: E402
from sync.transport import CentralLink  # noqa: E402

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
        self.log = EventLog(folder / "log.db", device_id, HASH_KEY)
        self.link = CentralLink(central_url, device_id, self.key)
        self.link.enroll(make_token(db_url, site))

    def close(self):
        self.link.close()
        self.log.close()


@pytest.fixture
def kiosk(tmp_path, central, db_url):
    k = Kiosk(tmp_path / "kiosk", central.url, db_url, "gate-1")
    yield k
    k.close()
