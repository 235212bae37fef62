"""`kiosk enroll URL TOKEN`, `kiosk sync` and `kiosk export DIR`: the kiosk's side of the central service.

Why: staff enroll a kiosk once, can push its log and pull trust data on demand, and carry the log of an air-gapped
gate out on a USB stick. Paths come from the data directory: device-key.pem (the device's Ed25519 key, created on
first use), central.json (where it is enrolled), central/ (downloaded trust bundle, status-list delta, settings).
Runs on the main thread.
"""
from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta, timezone

from kiosk.cli import UsageError
from kiosk.commands.common import data_dir, print_json

DEVICE_KEY = "device-key.pem"
ENROLLMENT = "central.json"
DOWNLOADS = "central"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("enroll", help="register this kiosk with a central service using a one-time token")
    p.add_argument("url", help="the central service, e.g. http://central.example:8600")
    p.add_argument("token", help="one-time enrollment token from `kiosk-central token` or the admin API")
    p.add_argument("--ca", help="the central's CA certificate (PEM) to pin for an https URL")
    p.set_defaults(handler=_enroll)
    p = sub.add_parser("sync", help="upload the pending log and fetch trust data and settings now")
    p.add_argument("--url", help="central service URL (default: the one this kiosk enrolled with)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--deadline", type=float, default=90.0, metavar="SECONDS",
                   help="give up on a request that has not completed in this time, however slowly bytes come "
                        "(default %(default)s)")
    p.set_defaults(handler=_sync)
    p = sub.add_parser("export", help="write the log not yet exported as signed bundles (air-gapped sites)")
    p.add_argument("dir", help="destination folder, e.g. a mounted USB stick")
    p.set_defaults(handler=_export)


def _identity(args: argparse.Namespace):
    from sync.devicekey import DeviceKeyError, load_or_create_device_key
    data = data_dir(args)
    device = data.device()
    try:
        key = load_or_create_device_key(data.root / DEVICE_KEY)
    except DeviceKeyError as exc:
        raise UsageError(str(exc)) from None
    return data, device, key


def _open_log(data, device, key=None):
    from sync.eventlog import EventLogError
    from sync.logfile import open_log
    try:
        opened = open_log(data.event_log_path, device.device_id, device.log_hash_key, signer=key)
    except EventLogError as exc:
        raise UsageError(str(exc)) from None
    if opened.moved_aside:
        print(f"kiosk: the event log was damaged; moved aside to {opened.moved_aside}, a new log epoch started",
              file=sys.stderr)
    return opened.log


def _enroll(args: argparse.Namespace) -> int:
    from sync.enrollment import enroll
    from sync.transport import SyncError
    data, device, key = _identity(args)
    try:
        done = enroll(args.url, args.token, device.device_id, key, data.root / ENROLLMENT, ca_file=args.ca)
    except SyncError as exc:
        print(f"kiosk enroll: {exc}", file=sys.stderr)
        return 1
    print_json({"device_id": done.device_id, "site": done.site, "url": done.url})
    return 0


def _sync(args: argparse.Namespace) -> int:
    from sync.client import SyncClient
    from sync.enrollment import load_enrollment
    from sync.transport import CentralLink
    data, device, key = _identity(args)
    enrollment = load_enrollment(data.root / ENROLLMENT)
    url = args.url or (enrollment.url if enrollment else "")
    if not url:
        raise UsageError("this kiosk is not enrolled: run `kiosk enroll URL TOKEN` first (or pass --url)")
    log = _open_log(data, device, key)
    if not 0 < args.deadline <= 3600:
        raise UsageError("--deadline must be between 0 and 3600 seconds")
    link = CentralLink(url, device.device_id, key, timeout=min(30.0, args.deadline), deadline_s=args.deadline,
                       ca_file=(enrollment.ca_file or None) if enrollment else None,
                       central_key=enrollment.central_key if enrollment else "")
    applied = []
    try:
        from kiosk.heartbeat import offline_state
        beat = lambda: offline_state(data, log, datetime.now(timezone.utc))  # noqa: E731
        report = SyncClient(log, link, data.root / DOWNLOADS, heartbeat=beat,
                            after_round=lambda client, rep: applied.append(_install(data, client, rep))).sync_once()
        pending = log.pending_count()
    finally:
        link.close()
        log.close()
    update = applied[0] if applied else None
    installed, refused = (update.installed, update.problems) if update else ([], {})
    result = {"ok": report.ok and not refused, "uploaded": report.uploaded, "duplicates": report.duplicates,
              "batches": report.batches, "pending": pending, "updated_files": report.updated_files,
              "installed": installed, "install_refused": refused, "refused": report.refused,
              "chain_breaks": report.chain_breaks, "quarantined": report.quarantined, "tampered": report.tampered,
              "error": report.error or None,
              "heartbeat_sent": report.heartbeat_sent, "clock_offset_s": report.clock_offset_s}
    if args.json:
        print_json(result)
    else:
        print(f"uploaded {report.uploaded} (duplicates {report.duplicates}), pending {pending}, "
              f"updated: {', '.join(report.updated_files) or 'nothing'}, "
              f"installed: {', '.join(installed) or 'nothing'}"
              + "".join(f"\nrefused: {why}" for why in refused.values())
              + (f"\nerror: {report.error}" if report.error else ""))
    if not result["ok"] and args.json:
        print(f"kiosk sync: {report.error}", file=sys.stderr)  # loud on stderr too, not only in the JSON
    return 0 if result["ok"] else 1


def _install(data, client, report):
    """After the round: install what was downloaded (kiosk/updates.py) and record the central's time."""
    from kiosk.kiosk_clock import KioskClock
    from kiosk.updates import Updater

    central = getattr(report, "central_time", None) or (client.link.last_server_time if report.ok else None)
    if central is not None:
        offset = getattr(report, "clock_offset_s", None)
        local = central + timedelta(seconds=offset) if offset is not None else datetime.now(timezone.utc)
        KioskClock.for_data(data).record_central(central, local)
    return Updater(data, data.root / DOWNLOADS).apply(fetch=client.fetch)


def _export(args: argparse.Namespace) -> int:
    from sync.bundle import export_bundles
    data, device, key = _identity(args)
    log = _open_log(data, device, key)
    try:
        files = export_bundles(log, key, args.dir, datetime.now(timezone.utc))
    except OSError as exc:
        print(f"kiosk export: cannot write to {args.dir}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    finally:
        log.close()
    print_json({"files": [str(f) for f in files]})
    return 0
