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
    serve.add_argument("--tls-cert", help="serve HTTPS with this certificate chain (PEM)")
    serve.add_argument("--tls-key", help="the private key of --tls-cert (PEM)")
    serve.add_argument("--root", action="append", default=[], metavar="ROOT.pub.pem",
                       help="pinned root public key(s) publications must verify against (repeatable; without "
                            "one, nothing can be published)")
    serve.add_argument("--workers", type=int, default=1,
                       help="worker processes (stateless; all state is in the database: use PostgreSQL)")
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
    _fleet_commands(sub)
    from sync.central.console.cli_users import add_parser as add_user_parser
    add_user_parser(sub)
    return parser


def _fleet_commands(sub) -> None:
    pub = sub.add_parser("publish", help="verify and publish a trust bundle, status list or status-list delta")
    pub.add_argument("name", help="trust-bundle, status-list or status-list-delta")
    pub.add_argument("file")
    pub.add_argument("--site", help="publish for one site only (its copy wins over the global one)")
    pub.add_argument("--root", action="append", required=True, metavar="ROOT.pub.pem",
                     help="pinned root public key(s) the file must verify against (repeatable)")
    pub.set_defaults(handler=_publish)
    files = sub.add_parser("files", help="list what is published: name, site, version, time")
    files.add_argument("--json", action="store_true", help="one JSON object per line")
    files.set_defaults(handler=_files)
    devices = sub.add_parser("devices", help="the fleet: every kiosk's last heartbeat and its alerts")
    devices.add_argument("--json", action="store_true", help="one JSON object per kiosk and line")
    devices.set_defaults(handler=_devices)
    disable = sub.add_parser("disable", help="refuse every further request of a kiosk (stolen, lost)")
    disable.add_argument("device_id")
    disable.add_argument("--reason", default="")
    disable.set_defaults(handler=_disable)
    reenroll = sub.add_parser("reenroll", help="a one-time token that re-enrolls a kiosk (new key, enabled again)")
    reenroll.add_argument("device_id")
    reenroll.add_argument("--site", help="move it to another site")
    reenroll.add_argument("--valid-hours", type=int, default=168)
    reenroll.set_defaults(handler=_reenroll)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from sync.central.storage.store import Store, StoreError
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

    from sync.central import app as central_app
    from sync.central.admin.publish import PublishRefused, load_roots
    if bool(args.tls_cert) != bool(args.tls_key):
        print("kiosk-central: --tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    try:
        roots = load_roots(args.root)
    except PublishRefused as exc:
        print(f"kiosk-central serve: {exc}", file=sys.stderr)
        return 2
    level = os.environ.get("KIOSK_CENTRAL_LOG", "warning")
    tls = {"ssl_certfile": args.tls_cert, "ssl_keyfile": args.tls_key} if args.tls_cert else {}
    if args.workers <= 1:
        app = central_app.create_app(store, max_body=args.max_body, roots=roots)
        uvicorn.run(app, host=args.host, port=args.port, log_level=level, **tls)
        return 0
    store.close()  # each worker opens its own connections
    os.environ.update({central_app.ENV_DB: args.db, central_app.ENV_MAX_BODY: str(args.max_body),
                       central_app.ENV_ROOTS: os.pathsep.join(os.path.abspath(p) for p in args.root)})
    uvicorn.run("sync.central.app:app_from_environment", factory=True, workers=args.workers, host=args.host,
                port=args.port, log_level=level, **tls)
    return 0


def _token(args, store) -> int:
    from sync.central.storage import registry
    with store.tx() as tx:
        token = registry.create_enrollment_token(tx, args.site, _now(), timedelta(hours=args.valid_hours))
    print(token)
    return 0


def _admin(args, store) -> int:
    from sync.central.storage import registry
    with store.tx() as tx:
        print(registry.create_admin_credential(tx, _now()))
    expires = _now() + registry.ADMIN_CREDENTIAL_LIFETIME
    print(f"kiosk-central: this admin credential expires at {expires:%Y-%m-%d %H:%M} UTC; create a new one "
          "before then", file=sys.stderr)
    return 0


def _import(args, store) -> int:
    from sync.bundle import BundleError, read_bundle
    from sync.central.storage import registry
    from sync.central.app import import_raw_bundle
    from sync.central.events.ingest import IngestRejected
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


def _publish(args, store) -> int:
    from sync.central.admin.publish import PublishRefused, load_roots, publish
    try:
        body = open(args.file, "rb").read()
        roots = load_roots(args.root)
        with store.tx() as tx:
            done = publish(tx, args.name, body, args.site, roots, _now())
    except OSError as exc:
        print(f"kiosk-central publish: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except PublishRefused as exc:
        print(f"kiosk-central publish: refused: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(done.to_json()))
    return 0


def _files(args, store) -> int:
    rows = store.publications()
    if args.json:
        for row in rows:
            print(json.dumps(row))
        return 0
    print(f"{'name':<18} {'site':<14} {'version':>8}  {'published':<28} {'size':>10}")
    for r in rows:
        print(f"{r['name']:<18} {r['site'] or '(all)':<14} {str(r['version'] or '-'):>8}  {r['published_at']:<28} "
              f"{r['size'] or 0:>10}")
    return 0


def _devices(args, store) -> int:
    rows = store.fleet(_now())
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return 0
    print(f"{'device':<20} {'site':<14} {'last seen':<28} {'trust':>5} {'list':>5} {'clock s':>8}  alerts")
    for r in rows:
        offset = "-" if r["clock_offset_s"] is None else f"{r['clock_offset_s']:+.1f}"
        print(f"{r['device_id']:<20} {r['site']:<14} {r['last_seen'] or 'never':<28} {str(r['trust_version']):>5} "
              f"{str(r['status_list_version']):>5} {offset:>8}  {', '.join(r['alerts']) or 'ok'}")
    return 0


def _disable(args, store) -> int:
    from sync.central.storage import registry
    try:
        with store.tx() as tx:
            registry.disable_device(tx, args.device_id, _now(), args.reason)
    except registry.UnknownDevice as exc:
        print(f"kiosk-central disable: {exc}", file=sys.stderr)
        return 1
    print(f"{args.device_id} disabled: its requests are refused until it is re-enrolled "
          f"(kiosk-central reenroll {args.device_id})")
    return 0


def _reenroll(args, store) -> int:
    from sync.central.storage import registry
    try:
        with store.tx() as tx:
            token, site = registry.reenrollment_token(tx, args.device_id, _now(),
                                                      timedelta(hours=args.valid_hours), args.site)
    except registry.UnknownDevice as exc:
        print(f"kiosk-central reenroll: {exc}", file=sys.stderr)
        return 1
    print(token)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
