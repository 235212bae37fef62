"""`kiosk bundle ...` and `kiosk statuslist ...`: the central-side tools (root and issuer keys, bundle signing,
status-list snapshots and deltas) and the kiosk-side ones (install with rollback refused, freshness, clock).
(`kiosk trust import/list`, kiosk/commands/trust.py, adds signer material to the store these bundles carry.)

Central-side commands take their private keys as PEM files and never touch the kiosk's data directory unless
told to; `bundle revoke` is the demo's shortcut (it re-signs the bundle with the data directory's demo root).
"""
from __future__ import annotations

import argparse
import csv
import json
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.cli import UsageError
from kiosk.commands.common import data_dir, parse_now, print_json
from kiosk.core.trust import bundle as bundlemod
from kiosk.core.trust import keys as keymod
from kiosk.core.status import status_list as sl
from kiosk.core.trust.keys import IssuerKey
from kiosk.core.checks.safeguards import trust_clock, trust_freshness
from kiosk.core.trust.store import TrustDataError
from kiosk.core.outcome.verdicts import Status, VerificationError


def register(sub: argparse._SubParsersAction) -> None:
    bundle = sub.add_parser("bundle", help="root keys, signed trust bundles, revocation, freshness and clock")
    tsub = bundle.add_subparsers(dest="bundle_command", required=True, metavar="ACTION")
    p = tsub.add_parser("new-key", help="central: a new P-256 key pair (root or issuer); prints its kid")
    p.add_argument("--out", required=True, help="private key PEM (mode 0600)")
    p.add_argument("--pub", help="also write the public key PEM here (e.g. pinned-roots.pem)")
    p.set_defaults(handler=run_new_key)
    p = tsub.add_parser("sign", help="central: sign a trust bundle with the root key")
    p.add_argument("--root-key", required=True)
    p.add_argument("--version", required=True, type=int)
    p.add_argument("--issuer", action="append", default=[], metavar="PEM:NAME:USE[,USE]",
                   help="an issuer public key, its name and allowed uses (KP1, STATUS, HC1, ...)")
    p.add_argument("--revoke-kid", action="append", default=[], metavar="HEX")
    p.add_argument("--revoke-pass", action="append", default=[], metavar="PASS_ID")
    p.add_argument("--policy", help="a JSON file of policy settings (see kiosk.core.outcome.policy)")
    p.add_argument("--refresh-hours", type=float, default=24)
    p.add_argument("--lifetime-days", type=float, default=30)
    p.add_argument("--grace-hours", type=float)
    p.add_argument("--now", help="issue time, ISO 8601 (default: now)")
    p.add_argument("--out", required=True)
    p.set_defaults(handler=run_sign)
    p = tsub.add_parser("install", help="kiosk: install a signed bundle (rollback refused, atomic swap)")
    p.add_argument("file")
    p.set_defaults(handler=run_install)
    p = tsub.add_parser("revoke", help="demo: revoke a key id or a pass id by re-signing with the demo root")
    p.add_argument("--kid", action="append", default=[], metavar="HEX")
    p.add_argument("--pass-id", action="append", default=[])
    p.set_defaults(handler=run_revoke)
    p = tsub.add_parser("status", help="kiosk: bundle version, freshness state and clock check")
    p.add_argument("--now", help="as of this time (default: the system clock)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=run_status)
    p = tsub.add_parser("central-time", help="kiosk: record the central service's time (authoritative)")
    p.add_argument("--central-time", required=True)
    p.set_defaults(handler=run_time)
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


def _issuer_key(arg: str) -> IssuerKey:
    try:
        pem, name, uses = arg.split(":", 2)
        public_key = keymod.load_public_key_pem(Path(pem).read_bytes())
    except (ValueError, OSError) as exc:
        raise UsageError(f"--issuer {arg!r}: {exc}") from None
    return IssuerKey(keymod.kid_for_public_key(public_key), public_key, name, frozenset(u for u in uses.split(",") if u))


def _private_key(path: str):
    try:
        return keymod.load_private_key_pem(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read private key {path}: {exc}") from None


def run_new_key(args: argparse.Namespace) -> int:
    from kiosk.datadir import write_atomic

    key = keymod.new_signing_key()
    write_atomic(Path(args.out), keymod.private_key_pem(key), mode=0o600)
    if args.pub:
        write_atomic(Path(args.pub), keymod.public_key_pem(key.public_key()).encode())
    print(keymod.kid_for_public_key(key.public_key()).hex())
    return 0


def run_sign(args: argparse.Namespace) -> int:
    now = parse_now(args.now).replace(microsecond=0)
    policy = {}
    if args.policy:
        try:
            policy = json.loads(Path(args.policy).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"--policy: {exc}") from None
    try:
        revoked = frozenset(bytes.fromhex(k) for k in args.revoke_kid)
    except ValueError:
        raise UsageError("--revoke-kid takes hex") from None
    content = bundlemod.BundleContent(
        args.version, now, tuple(_issuer_key(i) for i in args.issuer), revoked, frozenset(args.revoke_pass),
        policy, now + timedelta(hours=args.refresh_hours), now + timedelta(days=args.lifetime_days),
        None if args.grace_hours is None else timedelta(hours=args.grace_hours))
    Path(args.out).write_bytes(bundlemod.sign_bundle(content, _private_key(args.root_key)))
    print(f"trust bundle v{args.version}: {len(content.keys)} keys, {len(revoked)} revoked keys, "
          f"{len(content.revoked_pass_ids)} revoked passes -> {args.out}")
    return 0


def run_install(args: argparse.Namespace) -> int:
    try:
        installed = data_dir(args).install_bundle(Path(args.file).read_bytes())
    except OSError as exc:
        raise UsageError(f"cannot read {args.file}: {exc.strerror}") from None
    except VerificationError as exc:
        print(f"refused: {exc.reason} {exc.detail}")
        return 1
    print(f"installed trust bundle v{installed.version}")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    from kiosk.provisioning import ensure_demo, resign_with_demo_root

    data = data_dir(args)
    if not data.has_root():
        ensure_demo(data, "bundle revoke", issuer=False)
    trust = data.trust()
    try:
        kids = frozenset(bytes.fromhex(k) for k in args.kid)
    except ValueError:
        raise UsageError("--kid takes hex") from None
    try:
        resign_with_demo_root(data, trust.with_changes(revoked_kids=trust.revoked_kids | kids,
                                           revoked_pass_ids=trust.revoked_pass_ids | frozenset(args.pass_id)))
    except TrustDataError as exc:
        raise UsageError(str(exc)) from None
    print(f"trust bundle v{data.trust().version}: {len(kids)} keys and {len(args.pass_id)} passes revoked")
    return 0


def run_status(args: argparse.Namespace) -> int:
    data = data_dir(args)
    now = parse_now(args.now)
    trust = data.trust()
    report = trust_freshness(trust, now)
    clock = trust_clock(trust, now) if args.now else data.clock_check(now)
    out = {"version": trust.version, "freshness": str(report.state), "describe": report.describe(),
           "issued_at": _iso(trust.issued_at), "refresh_due": _iso(report.refresh_due),
           "stale_at": _iso(report.stale_at), "expires_at": _iso(trust.expires_at),
           "clock": str(clock.state), "clock_detail": clock.detail, "keys": len(trust.keys),
           "revoked_keys": len(trust.revoked_kids), "revoked_passes": len(trust.revoked_pass_ids)}
    if args.json:
        print_json(out)
    else:
        print(f"trust bundle v{trust.version}: {report.describe()}; clock {clock.state} {clock.detail}".rstrip())
    return 0 if report.usable and not clock.suspect else 1


def run_time(args: argparse.Namespace) -> int:
    data_dir(args).record_trusted_time(parse_now(args.central_time), "central", authoritative=True)
    print("recorded the central service's time")
    return 0


def _read_changes(path: str) -> dict[str, tuple[Status | None, datetime | None]]:
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = [r for r in csv.reader(handle) if r and not r[0].startswith("#")]
        return {r[0]: ((Status(r[1]), parse_now(r[2])) if len(r) > 1 and r[1] else (None, None)) for r in rows}
    except (OSError, ValueError, IndexError) as exc:
        raise UsageError(f"--csv {path}: {exc}") from None


def run_build(args: argparse.Namespace) -> int:
    entries = _read_changes(args.csv)
    if any(status is None for status, _ in entries.values()):
        raise UsageError("a snapshot lists a status for every ID")
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


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None
