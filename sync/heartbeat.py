"""The heartbeat a kiosk sends with every sync round: what an administrator needs to see that a gate is healthy.

Why: `last_seen` used to move only when events arrived, so a quiet gate looked dead and a blind, paused,
mis-clocked or stale one looked fine. Every round (with or without events) now reports the software version,
the trust bundle's and status list's versions and ages, the kiosk's own clock (the central side computes the
offset), device states, pause, disk budget, backlog and the last error. The kiosk's composition root supplies
the kiosk-side part through a callback (`HeartbeatSource`); the sync client adds what it knows itself (clock,
backlog, last error). Pure data and conversion; any thread.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from kiosk.core.checks.health import KioskHealth

MAX_DEVICES = 16
MAX_TEXT = 200


@dataclass(frozen=True)
class DeviceState:
    name: str
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class KioskState:
    """The part of a heartbeat only the kiosk's composition root knows."""

    software_version: str = ""
    trust_version: int | None = None
    trust_age_s: int | None = None
    trust_fresh: bool | None = None
    status_list_version: int | None = None
    status_list_age_s: int | None = None
    demo_trust: bool = False
    paused: bool = False
    devices: tuple[DeviceState, ...] = ()
    disk_free_bytes: int | None = None
    disk_log_bytes: int | None = None
    disk_budget_bytes: int | None = None


HeartbeatSource = Callable[[], KioskState]


@dataclass(frozen=True)
class Heartbeat:
    """What goes on the wire (`POST /api/v1/heartbeat`)."""

    kiosk_utc: str
    state: KioskState = field(default_factory=KioskState)
    backlog: int = 0
    last_error: str = ""
    sync_failures: int = 0

    def to_json(self) -> dict[str, Any]:
        state = asdict(self.state)
        state["devices"] = [asdict(d) for d in self.state.devices[:MAX_DEVICES]]
        return {"kiosk_utc": self.kiosk_utc, **state, "backlog": self.backlog,
                "last_error": self.last_error[:MAX_TEXT * 2], "sync_failures": self.sync_failures}


def utc_text(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _device_name(name: str) -> str:
    """The wire's device name: lower case letters, digits, `_` and `-`, at most 32 (the central model's pattern)."""
    cleaned = re.sub(r"[^a-z0-9_-]", "-", name.lower())[:32]
    return cleaned or "device"


def _seconds(age: timedelta | None) -> int | None:
    return None if age is None else int(age.total_seconds())


def _version(text: str) -> int | None:
    return int(text) if text.lstrip("-").isdigit() else None


def state_from_health(health: KioskHealth, *, software_version: str, paused: bool, demo_trust: bool,
                      disk_free_bytes: int | None = None, disk_budget_bytes: int | None = None,
                      trust_usable: bool | None = None) -> KioskState:
    """The kiosk's part of a heartbeat from its KioskHealth (the admin panel's view): the data named
    "trust bundle" and "status list", every device, the log's size. `trust_fresh` is False when installed trust
    data is older than its maximum age, or the bundle is past its expiry and grace (`trust_usable` False); data
    that is not installed at all shows as a missing version instead."""
    ages = {d.name: d for d in health.data}
    installed = [d for d in health.data if d.issued_at is not None]
    fresh = all(d.is_fresh(health.now) for d in installed) and trust_usable is not False
    trust, status = ages.get("trust bundle"), ages.get("status list")
    devices = tuple(DeviceState(_device_name(d.name), bool(d.ok), d.detail[:MAX_TEXT])
                    for d in health.devices[:MAX_DEVICES])
    return KioskState(
        software_version=software_version[:64],
        trust_version=_version(trust.version) if trust else None,
        trust_age_s=_seconds(trust.age(health.now)) if trust else None,
        trust_fresh=fresh,
        status_list_version=_version(status.version) if status else None,
        status_list_age_s=_seconds(status.age(health.now)) if status else None,
        demo_trust=demo_trust, paused=paused, devices=devices,
        disk_free_bytes=disk_free_bytes, disk_log_bytes=health.sync.log_bytes, disk_budget_bytes=disk_budget_bytes)
