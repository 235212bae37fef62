"""`kiosk bundle ...`: the central-side tools (root and issuer keys, bundle signing carried forward, showing a
bundle) and the kiosk-side ones (install with rollback refused, freshness, clock). Status lists: statuslist.py.
(`kiosk trust import/list`, kiosk/commands/trust.py, adds signer material to the store these bundles carry.)

Central-side commands take their private keys as PEM files and never touch the kiosk's data directory unless
told to; `bundle revoke` is the demo's shortcut (it re-signs the bundle with the data directory's demo root).
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.cli import UsageError
from kiosk.commands.common import MAX_SMALL_FILE_BYTES, data_dir, parse_now, print_json, read_input
from kiosk.core.trust import bundle as bundlemod
from kiosk.core.trust import keys as keymod
from kiosk.core.trust.keys import IssuerKey
from kiosk.core.checks.safeguards import trust_clock, trust_freshness
from kiosk.kiosk_clock import KioskClock
from kiosk.core.trust.store import TrustDataError
from kiosk.core.outcome.verdicts import VerificationError


def register(sub: argparse._SubParsersAction) -> None:
    bundle = sub.add_parser("bundle", help="root keys, signed trust bundles, revocation, freshness and clock")
    tsub = bundle.add_subparsers(dest="bundle_command", required=True, metavar="ACTION")
    p = tsub.add_parser("new-key", help="central: a new P-256 key pair (root or issuer); prints its kid")
    p.add_argument("--out", required=True, help="private key PEM (mode 0600)")
    p.add_argument("--pub", help="also write the public key PEM here (e.g. pinned-roots.pem)")
    p.set_defaults(handler=run_new_key)
    p = tsub.add_parser("sign", help="central: sign a trust bundle with the root key")
    p.add_argument("--root-key", required=True)
    p.add_argument("--version", type=int, help="the new version (default with --from: the previous one + 1)")
    p.add_argument("--from", dest="previous", metavar="PREVIOUS.ktb",
                   help="carry the previous bundle's issuers, revocations and policy forward (it must verify with "
                        "--root-key); --issuer, --revoke-* add to them")
    p.add_argument("--remove-issuer", action="append", default=[], metavar="KID_HEX",
                   help="with --from: drop this issuer key (a rotated-out key)")
    p.add_argument("--issuer", action="append", default=[], metavar="PEM:NAME:USE[,USE]",
                   help="an issuer public key, its name and allowed uses (KP1, STATUS, HC1, ...)")
    p.add_argument("--revoke-kid", action="append", default=[], metavar="HEX")
    p.add_argument("--revoke-pass", action="append", default=[], metavar="PASS_ID")
    p.add_argument("--policy", help="a JSON file of policy settings (see kiosk.core.outcome.policy)")
    p.add_argument("--dcc-reference", action="append", default=[], metavar="FILE",
                   help="an official EU DCC schema or value set file to carry (bundle field 12); repeatable")
    p.add_argument("--refresh-hours", type=float, default=24)
    p.add_argument("--lifetime-days", type=float, default=30)
    p.add_argument("--grace-hours", type=float)
    p.add_argument("--now", help="issue time, ISO 8601 (default: now)")
    p.add_argument("--out", required=True)
    p.set_defaults(handler=run_sign)
    p = tsub.add_parser("show", help="what a bundle file holds: version, times, root, issuers, revocations, policy")
    p.add_argument("file")
    p.add_argument("--root", help="check the signature with this root public key PEM (default: the data "
                                  "directory's pinned roots, when provisioned)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=run_show)
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


def _issuer_key(arg: str) -> IssuerKey:
    try:
        pem, name, uses = arg.split(":", 2)
        public_key = keymod.load_public_key_pem(read_input(pem, MAX_SMALL_FILE_BYTES))
    except (ValueError, OSError) as exc:
        raise UsageError(f"--issuer {arg!r}: {exc}") from None
    return IssuerKey(keymod.kid_for_public_key(public_key), public_key, name, frozenset(u for u in uses.split(",") if u))


def _private_key(path: str):
    try:
        return keymod.load_private_key_pem(read_input(path, MAX_SMALL_FILE_BYTES))
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
    root_key = _private_key(args.root_key)
    previous = _previous_bundle(args.previous, root_key) if args.previous else None
    version = args.version if args.version is not None else (previous.version + 1 if previous else None)
    if version is None:
        raise UsageError("give --version (or --from PREVIOUS.ktb to continue its numbering)")
    if previous is not None and version <= previous.version:
        raise UsageError(f"--version {version} is not newer than {args.previous} (version {previous.version}): "
                         "kiosks would refuse it as a rollback")
    base = previous.content if previous is not None else bundlemod.BundleContent(version, now)
    try:
        removed = {bytes.fromhex(k) for k in args.remove_issuer}
        revoked = base.revoked_kids | frozenset(bytes.fromhex(k) for k in args.revoke_kid)
    except ValueError:
        raise UsageError("--revoke-kid and --remove-issuer take hex") from None
    added = tuple(_issuer_key(i) for i in args.issuer)
    added_kids = {k.kid for k in added}
    keys = tuple(k for k in base.keys if k.kid not in removed and k.kid not in added_kids) + added
    policy = dict(base.policy)
    if args.policy:
        try:
            policy = json.loads(read_input(args.policy, MAX_SMALL_FILE_BYTES).decode("utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"--policy: {exc}") from None
    grace = timedelta(hours=args.grace_hours) if args.grace_hours is not None else base.grace
    content = bundlemod.BundleContent(
        version, now, keys, revoked, base.revoked_pass_ids | frozenset(args.revoke_pass), policy,
        now + timedelta(hours=args.refresh_hours), now + timedelta(days=args.lifetime_days), grace,
        base.revoked_rids, dcc_reference=_carried_reference(base.dcc_reference, _dcc_reference(args.dcc_reference)))
    Path(args.out).write_bytes(bundlemod.sign_bundle(content, root_key))
    carried = f" (carried from {args.previous} v{previous.version})" if previous else ""
    print(f"trust bundle v{version}: {len(content.keys)} keys, {len(revoked)} revoked keys, "
          f"{len(content.revoked_pass_ids)} revoked passes{carried} -> {args.out}")
    return 0


def _previous_bundle(path: str, root_key) -> bundlemod.TrustBundle:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"--from {path}: {exc.strerror}") from None
    try:
        return bundlemod.open_bundle(raw, [bundlemod.RootKey.of(root_key.public_key())])
    except VerificationError as exc:
        raise UsageError(f"--from {path} does not verify with --root-key: {exc.reason} {exc.detail}") from None


def run_show(args: argparse.Namespace) -> int:
    from kiosk.commands.trust import key_row

    try:
        raw = Path(args.file).read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {args.file}: {exc.strerror}") from None
    roots, source = _show_roots(args)
    try:
        if roots:
            bundle, checked = bundlemod.open_bundle(raw, roots), f"valid (root {source})"
        else:
            bundle, checked = bundlemod.inspect_bundle(raw), "NOT checked (no root given or pinned)"
    except VerificationError as exc:
        print(f"{args.file}: refused: {exc.reason} {exc.detail}".rstrip())
        return 1
    c = bundle.content
    out = {"file": args.file, "signature": checked, "root_kid": bundle.root_kid.hex(), "version": c.version,
           "issued_at": _iso(c.issued_at), "refresh_due": _iso(c.refresh_due), "expires_at": _iso(c.expires_at),
           "grace_s": int(c.grace.total_seconds()) if c.grace is not None else None,
           "issuers": [key_row(k) for k in c.keys], "revoked_kids": sorted(k.hex() for k in c.revoked_kids),
           "revoked_pass_ids": sorted(c.revoked_pass_ids), "revoked_rids": len(c.revoked_rids),
           "policy": c.policy}
    if args.json:
        print_json(out)
        return 0
    print(f"trust bundle v{c.version}, signature {checked}, root {out['root_kid']}")
    print(f"  issued {out['issued_at']}, refresh due {out['refresh_due']}, expires {out['expires_at']}")
    for row in out["issuers"]:
        print(f"  issuer {row['kid']} {row['issuer'] or '-'} uses {','.join(row['uses']) or 'any'}")
    print(f"  revoked: {len(c.revoked_kids)} key(s) {' '.join(out['revoked_kids'])}".rstrip())
    print(f"  revoked: {len(c.revoked_pass_ids)} pass id(s) {' '.join(out['revoked_pass_ids'][:10])}".rstrip())
    if c.policy:
        print(f"  policy: {json.dumps(c.policy, ensure_ascii=False, sort_keys=True)}")
    return 0


def _show_roots(args: argparse.Namespace) -> tuple[list, str]:
    from kiosk.datadir import RootNotProvisioned, read_pem_public_keys

    if args.root:
        try:
            keys = read_pem_public_keys(Path(args.root).read_bytes())
        except (OSError, ValueError, TrustDataError) as exc:
            raise UsageError(f"--root {args.root}: {getattr(exc, 'strerror', None) or exc}") from None
        return [bundlemod.RootKey.of(k) for k in keys], args.root
    try:
        return data_dir(args).pinned_roots(), "pinned in the data directory"
    except RootNotProvisioned:
        return [], ""
    except TrustDataError as exc:
        raise UsageError(str(exc)) from None


def _dcc_reference(paths: list[str]):
    """The EU DCC schemas and value sets named on the command line, each checked as `kiosk trust import` does."""
    from kiosk.core.trust.dcc_reference import ReferenceDataError, is_schema_document, schema_document, \
        value_set_document, DccReference

    reference = None
    for name in paths:
        try:
            doc = json.loads(Path(name).read_text(encoding="utf-8"))
            if is_schema_document(doc):
                version, schema = schema_document(doc)
                part = DccReference(schemas={version: schema})
            else:
                set_id, codes = value_set_document(doc)
                part = DccReference(value_sets={set_id: codes})
        except (OSError, ValueError, ReferenceDataError) as exc:
            raise UsageError(f"--dcc-reference {name}: {exc}") from None
        reference = part if reference is None else reference.merged(part)
    return reference


def _carried_reference(previous, given):
    """--dcc-reference files add to (and replace entries of) what the previous bundle carried."""
    if previous is None or given is None:
        return given or previous
    return previous.merged(given)


def run_install(args: argparse.Namespace) -> int:
    try:
        installed = data_dir(args).install_bundle(read_input(args.file))
    except OSError as exc:
        raise UsageError(f"cannot read {args.file}: {exc.strerror}") from None
    except VerificationError as exc:
        print(f"refused: {exc.reason} {exc.detail}")
        return 1
    except TrustDataError as exc:  # no root pinned, or an unreadable one: the message names the fix
        print(f"kiosk bundle install: {exc}", file=sys.stderr)
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
    clock = trust_clock(trust, now) if args.now else KioskClock.for_data(data, trust).judge(now)
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


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None
