"""Published files (trust bundles, status lists, settings) in the central store: global or for one site.

Why: kiosks fetch files by name with If-None-Match; a site's own copy wins over the global one. The admin API and
the console both publish through `write_file`, so the ETag rule is one. Functions take an open Tx.
"""
from __future__ import annotations

import hashlib
from typing import Any

from sync.central.store import Tx


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def write_file(tx: Tx, name: str, site: str | None, body: bytes, now_text: str) -> str:
    """Publish `body` as `name` for every kiosk (site None) or for one site; returns its ETag."""
    key = f"{site}/{name}" if site else name
    etag = etag_of(body)
    tx.execute("INSERT INTO files (name, etag, body, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE "
               "SET etag = excluded.etag, body = excluded.body, updated_at = excluded.updated_at",
               (key, etag, body, now_text))
    return etag


def read_for_device(tx: Tx, device_id: str, name: str) -> tuple[str, bytes] | None:
    site = tx.execute("SELECT site FROM devices WHERE device_id = ?", (device_id,)).fetchone()
    for key in ([f"{site[0]}/{name}"] if site else []) + [name]:
        row = tx.execute("SELECT etag, body FROM files WHERE name = ?", (key,)).fetchone()
        if row:
            return row[0], row[1]
    return None


def read_global(tx: Tx, name: str) -> bytes | None:
    row = tx.execute("SELECT body FROM files WHERE name = ?", (name,)).fetchone()
    return bytes(row[0]) if row else None


def published(tx: Tx) -> list[dict[str, Any]]:
    rows = tx.execute("SELECT name, etag, LENGTH(body), updated_at FROM files ORDER BY name").fetchall()
    out = []
    for key, etag, size, updated in rows:
        site, _, name = key.rpartition("/")
        out.append({"name": name, "site": site, "etag": etag, "size": size, "updated_at": updated})
    return out
