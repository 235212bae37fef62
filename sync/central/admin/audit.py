"""The audit log of administrators' actions: who, what, on what, when, from where.

Why: publishing trust data, disabling a kiosk or creating an enrolment token changes what gates do; every such
action (and every sign-in, failed sign-in and lock) is written in the same transaction as the action, so an action
without its audit line cannot be committed. Rows are only ever inserted. Functions take an open Tx.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sync.central.storage.registry import utc_text
from sync.central.storage.store import Tx

MAX_DETAIL = 500
PAGE = 200


def record(tx: Tx, now: datetime, actor: str, address: str, action: str, target: str = "", detail: str = "") -> None:
    tx.execute("INSERT INTO audit_log (at, actor, address, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)",
               (utc_text(now), actor[:64], address[:64], action[:64], target[:200], detail[:MAX_DETAIL]))


def entries(tx: Tx, actor: str = "", action: str = "", before_id: int | None = None, limit: int = PAGE) -> list[dict[str, Any]]:
    """Newest first, optionally filtered by actor and action; `before_id` pages back."""
    where, params = [], []
    if actor:
        where.append("actor = ?")
        params.append(actor)
    if action:
        where.append("action = ?")
        params.append(action)
    if before_id is not None:
        where.append("id < ?")
        params.append(before_id)
    sql = "SELECT id, at, actor, address, action, target, detail FROM audit_log"
    sql += (" WHERE " + " AND ".join(where)) if where else ""
    rows = tx.execute(sql + " ORDER BY id DESC LIMIT ?", (*params, min(limit, 1000))).fetchall()
    return [dict(zip(("id", "at", "actor", "address", "action", "target", "detail"), r)) for r in rows]


def actions(tx: Tx) -> list[str]:
    return [r[0] for r in tx.execute("SELECT DISTINCT action FROM audit_log ORDER BY action").fetchall()]
