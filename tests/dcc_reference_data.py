"""The official EU DCC schemas and value sets (../shared/testdata/dcc-schema) read as an administrator imports
them: each file through kiosk.core.trust.trust_import.parse_material, merged into one DccReference.

Reference data, never copied into the repo: `official_reference()` is None when the shared folder is absent,
and callers skip with a clear message.
"""
from __future__ import annotations

import functools
from datetime import datetime, timezone
from pathlib import Path

from kiosk.core.trust.dcc_reference import DccReference
from kiosk.core.trust.store import TrustStore
from kiosk.core.trust.trust_import import merge, parse_material
from tests.conftest import shared_dir

SKIP_REASON = "EU DCC schemas not found at ../shared/testdata/dcc-schema (set KIOSK_SHARED)"


def schema_root() -> Path:
    return shared_dir() / "testdata" / "dcc-schema"


def schema_files() -> list[Path]:
    root = schema_root()
    return sorted(root.glob("1.*/*.json")) if root.is_dir() else []


@functools.lru_cache(maxsize=1)
def official_reference() -> DccReference | None:
    root = schema_root()
    if not root.is_dir():
        return None
    trust = TrustStore()
    now = datetime.now(timezone.utc)
    for path in schema_files() + sorted((root / "valuesets").glob("*.json")):
        trust, _ = merge(trust, parse_material(path.read_bytes(), trust, now))
    return trust.dcc_reference


def with_official_reference(trust: TrustStore) -> TrustStore:
    reference = official_reference()
    return trust.with_changes(dcc_reference=reference) if reference else trust
