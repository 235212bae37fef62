"""`kiosk trust import FILE...` adds signer certificates, DSC lists, JWKS, CRLs and directories to the kiosk's
trust store; `kiosk trust list` shows what it trusts.

Everything is read offline from files. Signed lists (COSE DSC lists, JWS VCI directories) are accepted only
when signed by a list signer imported earlier with `--list-signer`. The store is replaced atomically.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.cli import UsageError
from kiosk.commands.common import MAX_TRUST_FILE_BYTES, data_dir, read_input, parse_now, print_json
from kiosk.core.codec.jws import b64url_encode
from kiosk.core.trust.keys import IssuerKey
from kiosk.core.trust.store import TrustDataError, TrustStore
from kiosk.provisioning import ensure_demo, resign_with_demo_root


def register(sub: argparse._SubParsersAction) -> None:
    trust = sub.add_parser("trust", help="manage the kiosk's trust store (signer keys, lists, revocations)")
    actions = trust.add_subparsers(dest="trust_command", required=True, metavar="ACTION")
    imp = actions.add_parser("import", help="add certificates, DSC lists, JWKS, CRLs or VCI directories")
    imp.add_argument("files", nargs="+", metavar="FILE")
    imp.add_argument("--issuer", default="", help="the SHC issuer URL (iss) a JWKS belongs to (required for JWKS)")
    imp.add_argument("--list-signer", action="store_true",
                     help="trust the keys in FILE only to sign DSC lists / VCI directories")
    imp.add_argument("--now", help="check signed lists' validity as of this time, ISO 8601 (default: now)")
    imp.set_defaults(handler=run_import)
    show = actions.add_parser("list", help="list the trusted keys and revocation counts")
    show.add_argument("--json", action="store_true", help="print one JSON object")
    show.set_defaults(handler=run_list)


def _current(args: argparse.Namespace) -> TrustStore:
    try:
        return data_dir(args).trust()
    except (ValueError, TrustDataError) as exc:
        raise UsageError(f"the data directory's trust store is unreadable: {exc}") from None


def run_import(args: argparse.Namespace) -> int:
    from kiosk.core.trust.trust_import import TrustImportError, as_list_signers, merge, parse_material

    now = parse_now(args.now)
    data = data_dir(args)
    if not data.has_root():
        ensure_demo(data, "trust import", issuer=False)
    trust = _current(args)
    lines = []
    for name in args.files:
        path = Path(name)
        raw = read_input(path, MAX_TRUST_FILE_BYTES)
        try:
            additions = parse_material(raw, trust, now, issuer=args.issuer)
        except TrustImportError as exc:
            raise UsageError(f"{path}: {exc}") from None
        if additions.kind == "JWKS" and not args.issuer and not args.list_signer:
            raise UsageError(f"{path} is a JWKS: give --issuer URL (the iss whose /.well-known/jwks.json it is)")
        if args.list_signer:
            additions = as_list_signers(additions)
        trust, added = merge(trust, additions)
        lines.append(f"{path}: {additions.describe()} ({added} new)")
    try:
        resign_with_demo_root(data, trust)
    except TrustDataError as exc:
        raise UsageError(f"{exc} (`kiosk bundle sign` on the root's machine, then `kiosk bundle install`)") from None
    print("\n".join(lines))
    print(f"trust store: {len(trust.keys)} key(s), {len(trust.revoked_rids)} SHC revocation(s)")
    return 0


def key_row(key: IssuerKey) -> dict:
    shc_like = "SHC" in key.uses or len(key.kid) == 32
    return {
        "kid": b64url_encode(key.kid) if shc_like else key.kid.hex(),
        "issuer": key.issuer or None,
        "uses": sorted(key.uses),
        "not_before": key.not_before.isoformat() if key.not_before else None,
        "not_after": key.not_after.isoformat() if key.not_after else None,
    }


def run_list(args: argparse.Namespace) -> int:
    trust = _current(args)
    rows = [key_row(k) for k in trust.keys]
    reference = trust.dcc_reference
    schemas = sorted(reference.schemas) if reference else []
    value_sets = sorted(reference.value_sets) if reference else []
    if args.json:
        print_json({"version": trust.version, "keys": rows, "revoked_kids": len(trust.revoked_kids),
                    "revoked_pass_ids": len(trust.revoked_pass_ids), "revoked_rids": len(trust.revoked_rids),
                    "dcc_schemas": schemas, "dcc_value_sets": value_sets})
        return 0
    for row in rows:
        until = f" until {row['not_after'][:10]}" if row["not_after"] else ""
        print(f"{row['kid']:<44} {','.join(row['uses']) or 'any':<16} {row['issuer'] or '-'}{until}")
    print(f"{len(rows)} key(s); revoked: {len(trust.revoked_kids)} key(s), {len(trust.revoked_pass_ids)} pass id(s), "
          f"{len(trust.revoked_rids)} SHC rid(s)")
    print(f"EU DCC schemas: {', '.join(schemas) or 'none (HC1 payloads are not schema-checked)'}; "
          f"value sets: {', '.join(value_sets) or 'none'}")
    return 0
