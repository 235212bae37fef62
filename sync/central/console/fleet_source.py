"""The console's one door to fleet data: kiosks, their heartbeats and alerts, disabling and re-enrolment.

Why: heartbeats, alerts and disabling belong to the fleet service (`sync.central.fleet`); the console only shows
and triggers them. When that module is present its functions are used; without it the console still lists every
enrolled kiosk from the device registry with the alerts the registry alone can tell (never seen, stale, chain
breaks, missing events). Functions take an open Tx; request worker threads call them.
"""
from __future__ import annotations

import importlib
from datetime import datetime, timedelta
from typing import Any

from sync.central import registry
from sync.central.store import Tx

STALE_AFTER = timedelta(hours=1)  # registry-only fallback: no contact for this long is "stale"
# Worst first: the order of the fleet page ("newest problems first" within one severity).
SEVERITY = ("disabled", "silent", "chain", "blind", "clock", "trust_stale", "stale", "paused", "gaps", "backlog")


class FleetUnavailable(Exception):
    """The fleet service is not part of this build (the action cannot be done here)."""


def _fleet_module() -> Any | None:
    try:
        return importlib.import_module("sync.central.fleet")
    except ImportError:
        return None


def kiosks(tx: Tx, now: datetime) -> list[dict[str, Any]]:
    """Every enrolled kiosk as a dict: device_id, site, enrolled_at, last_seen, events, missing, chain_flags,
    alerts (list of codes), disabled, and heartbeat fields when known (trust_version, status_version, ages,
    clock_offset_s, devices, paused, backlog)."""
    rows = {d["device_id"]: {**d, "alerts": [], "disabled": False} for d in registry.list_devices(tx)}
    fleet = _fleet_module()
    if fleet is not None and hasattr(fleet, "fleet"):
        for item in fleet.fleet(tx, now):
            row = rows.setdefault(item["device_id"], {"alerts": [], "disabled": False})
            row.update({k: v for k, v in item.items() if k != "alerts"})
            row["alerts"] = list(dict.fromkeys([*row["alerts"], *item.get("alerts", [])]))
    for row in rows.values():
        row["alerts"] = _registry_alerts(row, now) + [a for a in row["alerts"] if a not in _registry_alerts(row, now)]
    return sorted(rows.values(), key=_problem_order)


def _registry_alerts(row: dict[str, Any], now: datetime) -> list[str]:
    alerts = []
    if row.get("disabled"):
        alerts.append("disabled")
    if not row.get("last_seen"):
        alerts.append("silent")
    elif row["last_seen"] < registry.utc_text(now - STALE_AFTER):
        alerts.append("stale")
    if row.get("chain_flags"):
        alerts.append("chain")
    if row.get("missing"):
        alerts.append("gaps")
    return alerts


def _problem_order(row: dict[str, Any]) -> tuple:
    ranks = [SEVERITY.index(a) if a in SEVERITY else len(SEVERITY) for a in row["alerts"]]
    worst = min(ranks) if ranks else len(SEVERITY) + 1
    seen = row.get("last_seen") or ""
    return (worst, _invert(seen), row.get("device_id", ""))


def _invert(text: str) -> str:
    """Newest first within one severity: sort by the complement of the time text."""
    return "".join(chr(0x10FFFF - ord(ch)) for ch in text)


def kiosk(tx: Tx, device_id: str, now: datetime) -> dict[str, Any] | None:
    return next((k for k in kiosks(tx, now) if k["device_id"] == device_id), None)


def heartbeats(tx: Tx, device_id: str, since: datetime) -> list[dict[str, Any]]:
    fleet = _fleet_module()
    if fleet is None or not hasattr(fleet, "heartbeats"):
        return []
    return list(fleet.heartbeats(tx, device_id, since))


def checks_per_hour(tx: Tx, device_id: str, since: datetime) -> list[tuple[str, str, int]]:
    """(YYYY-MM-DD HH:00, outcome, count) for one kiosk since `since`."""
    rows = tx.execute("SELECT SUBSTR(utc, 1, 13), outcome, COUNT(*) FROM events WHERE device_id = ? AND utc >= ? "
                      "GROUP BY SUBSTR(utc, 1, 13), outcome ORDER BY 1, 2",
                      (device_id, registry.utc_text(since))).fetchall()
    return [(f"{r[0][:10]} {r[0][11:13]}:00", r[1], int(r[2])) for r in rows]


def can_disable() -> bool:
    fleet = _fleet_module()
    return fleet is not None and hasattr(fleet, "disable_device")


def disable(tx: Tx, device_id: str, now: datetime, by: str) -> None:
    fleet = _fleet_module()
    if fleet is None or not hasattr(fleet, "disable_device"):
        raise FleetUnavailable("disabling kiosks needs the fleet service")
    fleet.disable_device(tx, device_id, now)


def reenrol_token(tx: Tx, device_id: str, site: str, now: datetime) -> str:
    """A one-time token with which this kiosk (or its replacement) enrols again at its site."""
    fleet = _fleet_module()
    if fleet is not None and hasattr(fleet, "reenrol_token"):
        return fleet.reenrol_token(tx, device_id, now)
    return registry.create_enrollment_token(tx, site, now, timedelta(hours=24))
