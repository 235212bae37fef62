"""KioskHealth: what the admin panel shows about devices, trust data, the log and sync. Pure data.

The composition root builds one on demand (it knows the drivers, the trust store and the event log); the UI only
renders it. Ages are computed here from timestamps and a `now` argument, never from the clock.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class DeviceHealth:
    name: str  # "reader", "scanner", "camera", "audio", ...
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class DataAge:
    """A dated piece of trust data (trust bundle, status list) and how old it may get before it is stale."""

    name: str
    issued_at: datetime | None = None
    max_age: timedelta | None = None
    version: str = ""

    def age(self, now: datetime) -> timedelta | None:
        return None if self.issued_at is None else now - self.issued_at

    def is_fresh(self, now: datetime) -> bool:
        age = self.age(now)
        if age is None:
            return False
        return self.max_age is None or age <= self.max_age


@dataclass(frozen=True)
class SyncHealth:
    log_entries: int = 0
    log_bytes: int = 0
    pending: int = 0
    last_sync_at: datetime | None = None
    last_sync_ok: bool | None = None
    last_sync_message: str = ""


@dataclass(frozen=True)
class GateHealth:
    """The gate output (docs/gate.md): is the relay reachable, which staff mode, tailgating seen since start."""

    relay_ok: bool
    mode: str = "normal"  # normal | held_open | locked
    open: bool = False
    tailgating: int = 0
    sensor_ok: bool | None = None  # None: no passage sensor configured
    detail: str = ""  # the relay's fault, or the last staff action ("held_open by staff at 12:03Z")

    @property
    def ok(self) -> bool:
        return self.relay_ok and self.sensor_ok is not False


@dataclass(frozen=True)
class KioskHealth:
    now: datetime
    kiosk_id: str = ""
    devices: tuple[DeviceHealth, ...] = ()
    data: tuple[DataAge, ...] = ()
    sync: SyncHealth = field(default_factory=SyncHealth)
    clock_ok: bool = True
    clock_detail: str = ""
    help_requested: bool = False  # a citizen pressed "call staff" and no one has answered yet (heartbeat)
    gate: GateHealth | None = None  # None: no gate output configured
    problems: tuple[str, ...] = ()  # refused or damaged trust updates, an unusable status list, the log: for staff
    paused: bool = False


def format_age(age: timedelta | None) -> str:
    """`3 d 4 h`, `2 h 5 min`, `40 s`; "never" for None; negative ages (clock skew) are shown as such."""
    if age is None:
        return "never"
    seconds = int(age.total_seconds())
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days} d {hours} h"
    if hours:
        return f"{sign}{hours} h {minutes} min"
    if minutes:
        return f"{sign}{minutes} min"
    return f"{sign}{secs} s"
