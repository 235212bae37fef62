"""`kiosk-central`: start the central service and do its offline admin chores (tokens, credentials, imports).

Why: one command starts the service on a SQLite file (the demo) or on PostgreSQL by URL (deployments); an admin
on the server itself can create enrollment tokens and admin credentials and import air-gapped bundles without
going through HTTP, and manage the console's accounts (`user add|disable|list`). Runs on the main thread.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime, timedelta, timezone

DEFAULT_DB = "sqlite:///kiosk-central.db"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk-central", description="Central reference service for kiosks")
    parser.add_argument("--db", default=os.environ.get("KIOSK_CENTRAL_DB", DEFAULT_DB),
                        help="database URL: sqlite:///PATH (default %(default)s) or postgresql://...")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8600)
    serve.add_argument("--max-body", type=int, default=16 * 1024 * 1024, help="request size limit in bytes")
    serve.set_defaults(handler=_serve)
    token = sub.add_parser("token", help="create a one-time enrollment token for a site")
    token.add_argument("--site", default="default")
    token.add_argument("--valid-hours", type=int, default=168)
    token.set_defaults(handler=_token)
    admin = sub.add_parser("admin-credential", help="create an admin bearer credential")
    admin.set_defaults(handler=_admin)
    imp = sub.add_parser("import", help="import signed log bundles written by `kiosk export`")
    imp.add_argument("files", nargs="+")
    imp.set_defaults(handler=_import)
    from sync.central.console.cli_users import add_parser as add_user_parser
    add_user_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from sync.central.store import Store, StoreError
    try:
        store = Store(args.db)
    except StoreError as exc:
        print(f"kiosk-central: {exc}", file=sys.stderr)
        return 2
    try:
        return int(args.handler(args, store) or 0)
    finally:
        store.close()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _serve(args, store) -> int:
    import uvicorn

    from sync.central.app import create_app
    app = create_app(store, max_body=args.max_body)
    uvicorn.run(app, host=args.host, port=args.port, log_level=os.environ.get("KIOSK_CENTRAL_LOG", "warning"))
    return 0


def _token(args, store) -> int:
    from sync.central import registry
    with store.tx() as tx:
        token = registry.create_enrollment_token(tx, args.site, _now(), timedelta(hours=args.valid_hours))
    print(token)
    return 0


def _admin(args, store) -> int:
    from sync.central import registry
    with store.tx() as tx:
        print(registry.create_admin_credential(tx, _now()))
    return 0


def _import(args, store) -> int:
    from sync.bundle import BundleError, read_bundle
    from sync.central import registry
    from sync.central.app import import_raw_bundle
    from sync.central.ingest import IngestRejected
    status = 0
    for path in args.files:
        try:
            raw = read_bundle(path)
            with store.tx() as tx:
                result = import_raw_bundle(tx, raw, registry.utc_text(_now()))
            print(json.dumps({"file": path, **result.to_json()}))
        except (BundleError, IngestRejected) as exc:
            print(f"kiosk-central import: {path}: {exc}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
