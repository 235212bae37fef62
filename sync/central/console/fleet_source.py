"""The console's one door to fleet data: kiosks, their heartbeats and alerts, disabling and re-enrolment.

Why: heartbeats, alerts and disabling belong to the fleet service (`sync.central.admin.fleet.fleet/heartbeats`,
`registry.disable_device/reenrollment_token`); the console only shows and triggers them. When they are present
they are used; without them the console still lists every enrolled kiosk from the device registry with the alerts
the registry alone can tell (silent, chain breaks, missing events). Functions take an open Tx; request worker
threads call them.
"""
from __future__ import annotations

import importlib
from datetime import datetime, timedelta
from typing import Any

from sync.central.storage import registry
from sync.central.storage.store import Tx

SILENT_AFTER = timedelta(minutes=15)  # registry-only fallback: three missed 5-minute syncs (the fleet service's rule)
# Worst first: the order of the fleet page ("newest problems first" within one severity). The fleet service's
# alert codes (disabled, silent, stale_trust, clock, device_fault, paused, demo_trust, disk) and the registry's.
SEVERITY = ("disabled", "silent", "chain", "device_fault", "stale_trust", "clock", "demo_trust", "paused", "disk",
            "gaps")


_SHOWN = ("site", "enrolled_at", "last_seen", "disabled_at", "trust_version", "trust_age", "status_version",
          "status_age", "clock_offset_s", "devices_text", "paused", "backlog", "events", "missing", "chain_flags")


class FleetUnavailable(Exception):
    """The fleet service is not part of this build (the action cannot be done here)."""


class NoSuchKiosk(Exception):
    """No enrolled kiosk has this id."""


def _fleet_module() -> Any | None:
    try:
        return importlib.import_module("sync.central.admin.fleet")
    except ImportError:
        return None


def kiosks(tx: Tx, now: datetime) -> list[dict[str, Any]]:
    """Every enrolled kiosk as a dict: device_id, site, enrolled_at, last_seen, events, missing, chain_flags,
    alerts (list of codes), disabled, and heartbeat fields when known (trust_version, status_version, ages,
    clock_offset_s, devices, paused, backlog)."""
    fleet = _fleet_module()
    if fleet is not None and hasattr(fleet, "fleet"):
        rows = [_from_fleet(item) for item in fleet.fleet(tx, now)]
    else:
        rows = [{**d, "alerts": []} for d in registry.list_devices(tx)]
    silent_before = registry.utc_text(now - SILENT_AFTER)
    for row in rows:
        for key in _SHOWN:
            row.setdefault(key, None)
        row["disabled"] = bool(row.get("disabled_at"))
        row["alerts"] = _ordered(set(row["alerts"]) | set(_registry_alerts(row, silent_before)))
    rows.sort(key=lambda r: (r.get("device_id", "")))
    rows.sort(key=lambda r: r.get("last_seen") or "", reverse=True)  # newest first within one severity
    rows.sort(key=_worst)  # stable: worst alert first
    return rows


def _from_fleet(item: dict[str, Any]) -> dict[str, Any]:
    """The fleet service's view, with the few names the console's pages show."""
    devices = item.get("devices") or []
    return {**item, "alerts": list(item.get("alerts", [])), "status_version": item.get("status_list_version"),
            "trust_age": _age(item.get("trust_age_s")), "status_age": _age(item.get("status_list_age_s")),
            "devices_text": ", ".join(f"{d.get('name', d.get('kind', '?'))}{'' if d.get('ok', True) else ' ✗'}"
                                      for d in devices if isinstance(d, dict))}


def _age(seconds: Any) -> str:
    if not isinstance(seconds, (int, float)):
        return ""
    if seconds < 3600:
        return f"{int(seconds // 60)} min"
    if seconds < 172800:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} d"


def _registry_alerts(row: dict[str, Any], silent_before: str) -> list[str]:
    alerts = []
    if row.get("disabled"):
        alerts.append("disabled")
    if not row.get("last_seen") or row["last_seen"] < silent_before:
        alerts.append("silent")
    if row.get("chain_flags"):
        alerts.append("chain")
    if row.get("missing"):
        alerts.append("gaps")
    return alerts


_RANK = {alert: rank for rank, alert in enumerate(SEVERITY)}


def _ordered(alerts: set[str]) -> list[str]:
    return sorted(alerts, key=lambda a: (_RANK.get(a, len(SEVERITY)), a))


def _worst(row: dict[str, Any]) -> int:
    return min((_RANK.get(a, len(SEVERITY)) for a in row["alerts"]), default=len(SEVERITY) + 1)


def kiosk(tx: Tx, device_id: str, now: datetime) -> dict[str, Any] | None:
    return next((k for k in kiosks(tx, now) if k["device_id"] == device_id), None)


# What the kiosk page shows of each heartbeat: (field of the fleet service's report, word key for its header).
HEARTBEAT_COLUMNS = (("received_at", "time"), ("clock_offset_s", "clock_offset"), ("software_version", "version"),
                     ("trust_version", "trust_version"), ("status_list_version", "status_version"),
                     ("paused", "paused"), ("backlog", "backlog"), ("devices", "devices_col"),
                     ("last_error", "detail"))


def heartbeats(tx: Tx, device_id: str, since: datetime) -> list[dict[str, Any]]:
    """Newest first, each reduced to HEARTBEAT_COLUMNS as display text."""
    fleet = _fleet_module()
    if fleet is None or not hasattr(fleet, "heartbeats"):
        return []
    rows = []
    for beat in reversed(list(fleet.heartbeats(tx, device_id, since))):
        row = {}
        for key, _ in HEARTBEAT_COLUMNS:
            value = beat.get(key)
            if key == "devices" and isinstance(value, list):
                value = ", ".join(f"{d.get('name', d.get('kind', '?'))}{'' if d.get('ok', True) else ' ✗'}"
                                  for d in value if isinstance(d, dict))
            elif key == "received_at" and isinstance(value, str):
                value = value[:19].replace("T", " ")
            row[key] = value
        rows.append(row)
    return rows


def checks_per_hour(tx: Tx, device_id: str, since: datetime) -> list[tuple[str, str, int]]:
    """(YYYY-MM-DD HH:00, outcome, count) for one kiosk since `since`."""
    rows = tx.execute("SELECT SUBSTR(utc, 1, 13), outcome, COUNT(*) FROM events WHERE device_id = ? AND utc >= ? "
                      "GROUP BY SUBSTR(utc, 1, 13), outcome ORDER BY 1, 2",
                      (device_id, registry.utc_text(since))).fetchall()
    return [(f"{r[0][:10]} {r[0][11:13]}:00", r[1], int(r[2])) for r in rows]


def has_heartbeats() -> bool:
    fleet = _fleet_module()
    return fleet is not None and hasattr(fleet, "heartbeats")


def can_disable() -> bool:
    return hasattr(registry, "disable_device")


def disable(tx: Tx, device_id: str, now: datetime, by: str) -> None:
    if not can_disable():
        raise FleetUnavailable("disabling kiosks needs the fleet service")
    try:
        registry.disable_device(tx, device_id, now, f"disabled in the console by {by}")
    except getattr(registry, "UnknownDevice", LookupError) as exc:
        raise NoSuchKiosk(device_id) from exc


def reenrol_token(tx: Tx, device_id: str, site: str, now: datetime) -> str:
    """A one-time token with which this kiosk enrols again (a new key; lifts its disabling). Without the fleet
    service: a plain token for its site (a replacement kiosk under a new id)."""
    if hasattr(registry, "reenrollment_token"):
        return registry.reenrollment_token(tx, device_id, now)[0]
    return registry.create_enrollment_token(tx, site, now, timedelta(hours=24))
