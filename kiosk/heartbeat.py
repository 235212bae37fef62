"""What this kiosk tells the central service about itself every sync round (sync/heartbeat.py is the wire form).

Why: the administrator's fleet view needs the kiosk's software and trust-data versions, device states, pause and
disk. The running kiosk (kiosk/app.py) builds the report from its KioskHealth, the admin panel's own view, so
both always agree; `kiosk sync` on the command line has no devices and reports what the data directory holds.
Qt-free; the sync thread calls these through the callback the composition root hands to the SyncClient.
"""
from __future__ import annotations

from datetime import datetime
from importlib import metadata

from kiosk.core.checks.health import KioskHealth
from kiosk.datadir import DataDir
from sync.eventlog import EventLog
from sync.heartbeat import KioskState, state_from_health

LOG_DISK_BUDGET = 512 * 1024 * 1024


def software_version() -> str:
    try:
        return metadata.version("verification-kiosk")
    except metadata.PackageNotFoundError:
        return "unknown"


def uses_demo_trust(data: DataDir) -> bool:
    """A kiosk whose data directory holds the demo root's private key trusts whatever that key signs."""
    try:
        return data.demo_root_key() is not None
    except Exception:  # an unreadable key file is not evidence of demo trust; the kiosk reports its own errors
        return False


def running_state(health: KioskHealth, data: DataDir, log: EventLog, paused: bool, trust_usable: bool | None,
                  budget: int = LOG_DISK_BUDGET) -> KioskState:
    """The running kiosk's report, from the same KioskHealth the admin panel shows."""
    disk = log.disk_status(budget)
    return state_from_health(health, software_version=software_version(), paused=paused,
                             demo_trust=uses_demo_trust(data), disk_free_bytes=disk.free_bytes,
                             disk_budget_bytes=budget, trust_usable=trust_usable)


def offline_state(data: DataDir, log: EventLog, now: datetime, budget: int = LOG_DISK_BUDGET) -> KioskState:
    """`kiosk sync` from the command line: installed trust bundle and status list, the log's disk; no devices.
    Reads only what is installed (never creates a root or a bundle as a side effect)."""
    trust_version = trust_age = status_version = status_age = None
    fresh = None
    if data.pinned_roots_path.exists() and data.trust_path.exists():
        try:
            bundle = data.trust_bundle()
            trust_version, trust_age = bundle.version, int((now - bundle.content.issued_at).total_seconds())
            fresh = bundle.freshness(now).usable
            status = data.status_list(bundle.trust_store())
            if status is not None:
                status_version, status_age = status.version, int((now - status.issued_at).total_seconds())
        except Exception:  # unusable trust data: reported as unknown; `kiosk run` refuses it with the reason
            pass
    disk = log.disk_status(budget)
    return KioskState(software_version=software_version(), trust_version=trust_version, trust_age_s=trust_age,
                      trust_fresh=fresh, status_list_version=status_version, status_list_age_s=status_age,
                      demo_trust=uses_demo_trust(data), disk_free_bytes=disk.free_bytes,
                      disk_log_bytes=disk.log_bytes, disk_budget_bytes=budget)
