"""Heartbeats in, the fleet view out: what every kiosk last reported and what an administrator should look at.

Why: an administrator must see at a glance that a kiosk is silent, stale, paused, blind, mis-clocked, on demo
trust or disabled. Each heartbeat updates one row per device (`device_state`) and `devices.last_seen`; the history
(`heartbeats`) keeps a row when something that matters changed, and at least one every HISTORY_EVERY, for
HISTORY_KEEP, so 10,000 kiosks at a one-minute interval do not write 14 million rows a day.
Functions take an open Tx (request threads, the CLI); `Store.fleet(now)` and `Store.heartbeats(...)` wrap them.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sync.central.storage.registry import utc_text
from sync.central.storage.store import Tx

HISTORY_EVERY = timedelta(minutes=15)
HISTORY_KEEP = timedelta(days=14)
_STATE_COLS = ("kiosk_utc", "clock_offset_s", "software_version", "trust_version", "trust_age_s", "trust_fresh",
               "status_list_version", "status_list_age_s", "demo_trust", "paused", "backlog", "disk_free_bytes",
               "disk_log_bytes", "disk_budget_bytes", "last_error", "sync_failures", "devices")
_SIGNIFICANT = ("software_version", "trust_version", "trust_fresh", "status_list_version", "demo_trust", "paused",
                "devices", "last_error")
NOT_HARDWARE = frozenset({"clock", "trust"})  # the admin panel's status rows that have alerts of their own
ALERTS = ("disabled", "silent", "stale_trust", "clock", "device_fault", "paused", "demo_trust", "disk")


@dataclass(frozen=True)
class Thresholds:
    """When a kiosk earns an alert. `silent_after` is three 5-minute sync intervals; `clock_limit` is well inside
    the 300 s request window and beyond what NTP-less drift reaches in a day."""

    silent_after: timedelta = timedelta(minutes=15)
    clock_limit_s: float = 60.0
    publication_grace: timedelta = timedelta(minutes=15)


def parse_utc(text: str) -> datetime:
    """A stored or reported time; one without an offset is UTC (never the server's local time)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def clock_offset(kiosk_utc: str, received: datetime) -> float:
    """Seconds the kiosk's clock is ahead of ours (negative: behind). Aware subtraction, no conversion, so a
    kiosk reporting the year 9999 gets a huge offset (and a `clock` alert), never an overflow."""
    moment = datetime.fromisoformat(kiosk_utc.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return round((moment - received).total_seconds(), 3)


def record_heartbeat(tx: Tx, device_id: str, beat: dict[str, Any], received: datetime) -> float:
    """Store one validated heartbeat; returns the kiosk's clock offset (its clock minus ours) in seconds.
    On PostgreSQL the commit does not wait for the WAL flush (`synchronous_commit = off`, this transaction only):
    a crash may lose the last fraction of a second of heartbeats, which the next round repeats anyway, and a
    fleet's heartbeats stop costing one disk flush each."""
    if tx.postgres:
        tx.execute("SET LOCAL synchronous_commit = off")
    offset = clock_offset(str(beat["kiosk_utc"]), received)
    values = {**beat, "clock_offset_s": offset, "devices": json.dumps(beat.get("devices", []), sort_keys=True)}
    digest = hashlib.sha256(json.dumps([values.get(k) for k in _SIGNIFICANT] + [_offset_bucket(offset)],
                                       sort_keys=True).encode()).hexdigest()[:32]
    now_text = utc_text(received)
    prev = tx.execute("SELECT digest, history_at FROM device_state WHERE device_id = ?", (device_id,)).fetchone()
    keep = prev is None or prev[0] != digest or prev[1] is None or parse_utc(prev[1]) + HISTORY_EVERY <= received
    history_at = now_text if keep else prev[1]
    cols = ("device_id", "received_at", *_STATE_COLS, "digest", "history_at")
    row = (device_id, now_text, *[values.get(c) for c in _STATE_COLS], digest, history_at)
    updates = ", ".join(f"{c} = excluded.{c}" for c in cols[1:])
    tx.execute(f"INSERT INTO device_state ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
               f"ON CONFLICT (device_id) DO UPDATE SET {updates}", row)
    tx.execute("UPDATE devices SET last_seen = ? WHERE device_id = ?", (now_text, device_id))
    if keep:
        tx.execute("INSERT INTO heartbeats (device_id, received_at, clock_offset_s, body) VALUES (?, ?, ?, ?) "
                   "ON CONFLICT (device_id, received_at) DO NOTHING",
                   (device_id, now_text, offset, json.dumps(beat, sort_keys=True)))
        tx.execute("DELETE FROM heartbeats WHERE device_id = ? AND received_at < ?",
                   (device_id, utc_text(received - HISTORY_KEEP)))
    return offset


def _offset_bucket(offset: float) -> int:
    return int(offset // 30)


def heartbeats(tx: Tx, device_id: str, since: datetime) -> list[dict[str, Any]]:
    """The device's stored heartbeat history since `since`, oldest first: the kiosk's report as sent, with
    `received_at` and `clock_offset_s` added."""
    rows = tx.execute("SELECT received_at, clock_offset_s, body FROM heartbeats WHERE device_id = ? "
                      "AND received_at >= ? ORDER BY received_at", (device_id, utc_text(since))).fetchall()
    return [{**json.loads(body), "received_at": at, "clock_offset_s": offset} for at, offset, body in rows]


def published_versions(tx: Tx) -> dict[tuple[str, str], tuple[int | None, str]]:
    """(name, site or "") -> (version, published at) of the current trust bundle and status list."""
    rows = tx.execute("SELECT base_name, site, version, updated_at FROM files "
                      "WHERE base_name IN ('trust-bundle', 'status-list')").fetchall()
    return {(name, site or ""): (version, at) for name, site, version, at in rows}


_FLEET_SQL = (
    "SELECT d.device_id, d.site, d.enrolled_at, d.last_seen, d.disabled_at, d.event_count, d.max_seq, "
    "(SELECT COUNT(*) FROM chain_flags f WHERE f.device_id = d.device_id), s.received_at, "
    + ", ".join(f"s.{c}" for c in _STATE_COLS) +
    " FROM devices d LEFT JOIN device_state s ON s.device_id = d.device_id ORDER BY d.site, d.device_id")


def fleet(tx: Tx, now: datetime, thresholds: Thresholds = Thresholds()) -> list[dict[str, Any]]:
    """One dict per enrolled kiosk (the `FleetDevice` model): identity, last report, what is published for its site,
    and `alerts`, a list drawn from ALERTS in that order."""
    published = published_versions(tx)
    out = []
    for row in tx.execute(_FLEET_SQL).fetchall():
        device_id, site, enrolled_at, last_seen, disabled_at, events, max_seq, flags, beat_at = row[:9]
        state = dict(zip(_STATE_COLS, row[9:]))
        for key in ("trust_fresh", "demo_trust", "paused"):
            state[key] = None if state[key] is None else bool(state[key])
        state["devices"] = json.loads(state["devices"]) if state["devices"] else []
        state.pop("kiosk_utc")
        view = {"device_id": device_id, "site": site, "enrolled_at": enrolled_at, "last_seen": last_seen,
                "last_heartbeat": beat_at, "disabled_at": disabled_at, **state, "events": events,
                "missing": max_seq - events, "chain_flags": flags,
                "published_trust_version": _effective(published, "trust-bundle", site)[0],
                "published_status_list_version": _effective(published, "status-list", site)[0]}
        view["alerts"] = alerts(view, published, now, thresholds)
        out.append(view)
    return out


def _effective(published: dict, name: str, site: str) -> tuple[int | None, str | None]:
    return published.get((name, site)) or published.get((name, "")) or (None, None)


def alerts(view: dict[str, Any], published: dict, now: datetime, t: Thresholds) -> list[str]:
    """What needs an administrator's eye, in ALERTS order."""
    found = set()
    if view["disabled_at"]:
        found.add("disabled")
    if view["last_seen"] is None or parse_utc(view["last_seen"]) + t.silent_after < now:
        found.add("silent")
    if view["trust_fresh"] is False or (view["last_heartbeat"] and _behind(view, published, now, t)):
        found.add("stale_trust")
    if view["clock_offset_s"] is not None and abs(view["clock_offset_s"]) > t.clock_limit_s:
        found.add("clock")
    if any(not d.get("ok", True) and d.get("name") not in NOT_HARDWARE for d in view["devices"]):
        found.add("device_fault")
    if view["paused"]:
        found.add("paused")
    if view["demo_trust"]:
        found.add("demo_trust")
    budget, size, free = view["disk_budget_bytes"], view["disk_log_bytes"], view["disk_free_bytes"]
    if budget and ((size or 0) > budget or (free is not None and free < budget // 10)):
        found.add("disk")
    return [a for a in ALERTS if a in found]


def _behind(view: dict[str, Any], published: dict, now: datetime, t: Thresholds) -> bool:
    """The kiosk still runs older data than was published for its site longer than the grace ago."""
    for name, mine in (("trust-bundle", view["trust_version"]), ("status-list", view["status_list_version"])):
        version, at = _effective(published, name, view["site"])
        if version is not None and at and parse_utc(at) + t.publication_grace < now and (mine or 0) < version:
            return True
    return False
