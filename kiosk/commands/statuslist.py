"""`kiosk statuslist ...`: build signed snapshots and deltas from a CSV (every row checked), install one on the
kiosk (signature checked, never going back), and look an ID up in the installed list at a staff desk."""
from __future__ import annotations

import argparse
import csv
import secrets
from datetime import datetime
from pathlib import Path

from kiosk.cli import UsageError
from kiosk.commands.common import data_dir, parse_now, print_json
from kiosk.commands.trustadmin import _iso, _private_key
from kiosk.core.outcome.verdicts import Status, VerificationError
from kiosk.core.status import status_list as sl
from kiosk.core.trust import keys as keymod
from kiosk.core.trust.store import TrustDataError


def register(sub: argparse._SubParsersAction) -> None:
    _register_status_list(sub)


def _register_status_list(sub: argparse._SubParsersAction) -> None:
    slist = sub.add_parser("statuslist", help="status lists: build snapshots and deltas, install, look up")
    ssub = slist.add_subparsers(dest="statuslist_command", required=True, metavar="ACTION")
    p = ssub.add_parser("build", help="central: sign a snapshot from a CSV of id_number,status,valid_until")
    p.add_argument("--csv", required=True)
    p.add_argument("--key", required=True, help="issuer private key PEM (its bundle entry needs use STATUS)")
    p.add_argument("--salt-hex", help="the region's list salt (default: a new random one)")
    p.add_argument("--version", type=int, required=True)
    p.add_argument("--region", default="demo")
    p.add_argument("--now")
    p.add_argument("--out", required=True)
    p.set_defaults(handler=run_build)
    p = ssub.add_parser("delta", help="central: sign the changes (CSV; empty status removes) against a base list")
    p.add_argument("--base", required=True)
    p.add_argument("--csv", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--version", type=int, required=True)
    p.add_argument("--now")
    p.add_argument("--out", required=True)
    p.set_defaults(handler=run_delta)
    p = ssub.add_parser("install", help="kiosk: install a snapshot or apply a delta (signature checked)")
    p.add_argument("file")
    p.set_defaults(handler=run_sl_install)
    p = ssub.add_parser("lookup", help="staff desk: the installed status list's entry for an ID number")
    p.add_argument("id_number")
    p.add_argument("--now", help="judge validity as of this time (default: now)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=run_sl_lookup)


MAX_CSV_ERRORS = 20


def _read_changes(path: str, snapshot: bool = False) -> dict[str, tuple[Status | None, datetime | None]]:
    """Rows `id_number,status,valid_until` (a header row and # comments are skipped; in a delta an empty status
    removes the ID). Every row is checked: a bad ID number, status or date is reported with its row number and
    the reason (the ID number masked), and nothing is signed while any row is wrong."""
    from kiosk.core.identity.idnumber import IdNumberError, mask_id, validate_id_number

    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(enumerate(csv.reader(handle), start=1))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(f"--csv {path}: {getattr(exc, 'strerror', None) or exc}") from None
    changes: dict[str, tuple[Status | None, datetime | None]] = {}
    errors: list[str] = []
    for number, row in rows:
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#") or (number == 1 and cells[0].lower() == "id_number"):
            continue
        try:
            if len(cells) > 3:
                raise ValueError(f"{len(cells)} columns, expected id_number,status,valid_until")
            try:
                id_number = validate_id_number(cells[0]).number
            except IdNumberError as exc:
                raise ValueError(f"bad ID number {mask_id(cells[0])}: {exc}") from None
            status_text = cells[1].lower() if len(cells) > 1 else ""
            if not status_text:
                if snapshot:
                    raise ValueError("no status (a snapshot lists green, yellow or red for every ID)")
                entry = (None, None)
            else:
                if status_text not in {s.value for s in Status}:
                    raise ValueError(f"status {cells[1]!r} is not green, yellow or red")
                if len(cells) < 3 or not cells[2]:
                    raise ValueError("no valid_until date")
                entry = (Status(status_text), _csv_date(cells[2]))
            if id_number in changes:
                raise ValueError(f"{mask_id(id_number)} appears twice")
            changes[id_number] = entry
        except ValueError as exc:
            errors.append(f"row {number}: {exc}")
    if errors:
        more = f" (and {len(errors) - MAX_CSV_ERRORS} more)" if len(errors) > MAX_CSV_ERRORS else ""
        raise UsageError(f"--csv {path}: {len(errors)} bad row(s), nothing signed:\n  "
                         + "\n  ".join(errors[:MAX_CSV_ERRORS]) + more)
    if not changes:
        raise UsageError(f"--csv {path}: no rows")
    return changes


def _csv_date(text: str) -> datetime:
    try:
        return parse_now(text)
    except UsageError:
        raise ValueError(f"valid_until {text!r} is not a date (2027-06-30 or 2027-06-30T00:00:00Z)") from None


def run_build(args: argparse.Namespace) -> int:
    entries = _read_changes(args.csv, snapshot=True)
    salt = bytes.fromhex(args.salt_hex) if args.salt_hex else secrets.token_bytes(32)
    key = _private_key(args.key)
    kid = keymod.kid_for_public_key(key.public_key())
    Path(args.out).write_bytes(sl.build(entries, salt, parse_now(args.now), args.version, key, kid, args.region))
    print(f"status list {args.region} v{args.version}: {len(entries)} entries -> {args.out}")
    return 0


def run_delta(args: argparse.Namespace) -> int:
    key = _private_key(args.key)
    kid = keymod.kid_for_public_key(key.public_key())
    trust = data_dir(args).trust()
    try:
        base = sl.load(Path(args.base).read_bytes(), trust)
    except (OSError, VerificationError) as exc:
        raise UsageError(f"--base {args.base}: {exc}") from None
    changes = _read_changes(args.csv)
    Path(args.out).write_bytes(sl.build_delta(base, changes, parse_now(args.now), args.version, key, kid))
    print(f"status delta {base.region} v{base.version}->v{args.version}: {len(changes)} changes -> {args.out}")
    return 0


def run_sl_install(args: argparse.Namespace) -> int:
    try:
        installed = data_dir(args).install_status_list(Path(args.file).read_bytes())
    except OSError as exc:
        raise UsageError(f"cannot read {args.file}: {exc.strerror}") from None
    except (VerificationError, TrustDataError) as exc:
        print(f"refused: {exc}")
        return 1
    print(f"status list {installed.region} v{installed.version}: {len(installed)} entries")
    return 0


def run_sl_lookup(args: argparse.Namespace) -> int:
    """The same lookup as a tapped card (never logged here: the desk's command line is not a check at a gate)."""
    from kiosk.core.identity.idnumber import IdNumberError, mask_id, validate_id_number

    try:
        id_number = validate_id_number(args.id_number).number
    except IdNumberError as exc:
        raise UsageError(f"bad ID number: {exc}") from None
    data = data_dir(args)
    try:
        trust = data.trust()
        status_list = data.status_list(trust)
    except (TrustDataError, VerificationError) as exc:
        raise UsageError(f"the installed status list is unusable: {exc}") from None
    if status_list is None:
        print("no status list installed (kiosk statuslist install FILE, or sync)")
        return 1
    now = parse_now(args.now)
    entry = status_list.lookup(id_number)
    fresh = status_list.freshness(now)
    out = {"id": mask_id(id_number), "found": entry is not None,
           "status": str(entry.status) if entry else None,
           "valid_until": _iso(entry.valid_until) if entry else None,
           "expired": bool(entry and entry.valid_until < now), "list_region": status_list.region,
           "list_version": status_list.version, "list_issued_at": _iso(status_list.issued_at),
           "list_freshness": str(fresh.state)}
    if args.json:
        print_json(out)
    elif entry is None:
        print(f"{out['id']}: not on status list {status_list.region} v{status_list.version} ({fresh.describe()})")
    else:
        print(f"{out['id']}: {entry.status}{' (EXPIRED)' if out['expired'] else ''}, valid until "
              f"{out['valid_until']}; list {status_list.region} v{status_list.version} ({fresh.describe()})")
    return 0 if entry is not None else 1
