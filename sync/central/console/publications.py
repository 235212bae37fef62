"""The console's door to publishing: what is published, a dry run of a publication, and the publication itself.

Why: checking a publication before it reaches kiosks (pinned roots, newer versions, status lists against the
published bundle) belongs to the publishing service (`sync.central.admin.publish`, with the service's pinned roots);
the console shows its answer in the preview and publishes through it. Without that module (an older build) the
console stores the file as the admin API always did. Functions take the Store or an open Tx.
"""
from __future__ import annotations

import hashlib
import importlib
from datetime import datetime
from typing import Any

from sync.central.storage.registry import utc_text
from sync.central.storage.store import Store, Tx


class PublicationRefused(Exception):
    """The publishing service refuses this file (does not verify, not newer, no pinned root...)."""


class _DryRun(Exception):
    """Raised inside a transaction to roll a trial publication back."""


def _service() -> Any | None:
    try:
        return importlib.import_module("sync.central.admin.publish")
    except ImportError:
        return None


def published(tx: Tx) -> list[dict[str, Any]]:
    """name, site (None = every site), version, size, published_at of every downloadable file."""
    service = _service()
    if service is not None and hasattr(service, "current"):
        return [{**p, "updated_at": p.get("published_at")} for p in service.current(tx)]
    # names starting with "_" are the service's own (its answer-signing key): never listed, never served
    rows = tx.execute("SELECT name, LENGTH(body), updated_at FROM files WHERE substr(name, 1, 1) <> '_' "
                      "ORDER BY name").fetchall()
    out = []
    for key, size, updated in rows:
        site, _, name = key.rpartition("/")
        out.append({"name": name, "site": site or None, "version": None, "size": size, "updated_at": updated})
    return out


def read_global(tx: Tx, name: str) -> bytes | None:
    if name.startswith("_"):
        return None  # the service's own files (its answer-signing key) are not publications
    row = tx.execute("SELECT body FROM files WHERE name = ?", (name,)).fetchone()
    return bytes(row[0]) if row else None


def publish(tx: Tx, name: str, body: bytes, site: str | None, roots: tuple, now: datetime) -> str:
    """Publish through the publishing service (which verifies) or, without one, store as is; returns a summary."""
    service = _service()
    if service is not None and hasattr(service, "publish"):
        try:
            done = service.publish(tx, name, body, site, roots, now)
        except service.PublishRefused as exc:
            raise PublicationRefused(str(exc)) from None
        return f"version {done.version} etag {done.etag} {done.size} bytes"
    key = f"{site}/{name}" if site else name
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    tx.execute("INSERT INTO files (name, etag, body, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE "
               "SET etag = excluded.etag, body = excluded.body, updated_at = excluded.updated_at",
               (key, etag, body, utc_text(now)))
    return f"etag {etag} {len(body)} bytes"


def dry_run(store: Store, name: str, body: bytes, site: str | None, roots: tuple, now: datetime) -> str:
    """What publishing would answer now: "" when it would be accepted, else the refusal. Nothing is kept."""
    try:
        with store.tx() as tx:
            publish(tx, name, body, site, roots, now)
            raise _DryRun()
    except _DryRun:
        return ""
    except PublicationRefused as exc:
        return str(exc)

