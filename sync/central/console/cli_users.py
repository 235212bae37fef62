"""`kiosk-central user add|disable|list`: console accounts, managed on the server itself.

Why: the first administrator must exist before anyone can sign in, and a password must never appear on a command
line (shell history, process list): it is read from standard input (one line; prompted twice on a terminal).
Each change is written to the audit log as done by `cli:<system user>` from `local`.
"""
from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime, timezone

from sync.central.admin import accounts, audit


def add_parser(sub: argparse._SubParsersAction) -> None:
    user = sub.add_parser("user", help="console accounts: add, disable, list")
    actions = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add an account; the password is read from standard input")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=accounts.ROLES)
    add.set_defaults(handler=_add)
    disable = actions.add_parser("disable", help="disable an account and end its sessions")
    disable.add_argument("name")
    disable.set_defaults(handler=_disable)
    listing = actions.add_parser("list", help="list accounts")
    listing.set_defaults(handler=_list)


def _actor() -> str:
    try:
        return "cli:" + getpass.getuser()
    except Exception:  # no user name in this environment
        return "cli"


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise accounts.AccountError("the two passwords differ")
        return first
    line = sys.stdin.readline(accounts.MAX_PASSWORD + 2)
    return line[:-1] if line.endswith("\n") else line


def _add(args, store) -> int:
    now = datetime.now(timezone.utc)
    try:
        password = _read_password()
        with store.tx() as tx:
            accounts.add_user(tx, args.name, args.role, password, now)
            audit.record(tx, now, _actor(), "local", "user_add", args.name, f"role {args.role}")
    except accounts.AccountError as exc:
        print(f"kiosk-central user add: {exc}", file=sys.stderr)
        return 1
    print(f"added {args.name} ({args.role})")
    return 0


def _disable(args, store) -> int:
    now = datetime.now(timezone.utc)
    try:
        with store.tx() as tx:
            accounts.disable_user(tx, args.name, now)
            audit.record(tx, now, _actor(), "local", "user_disable", args.name)
    except accounts.AccountError as exc:
        print(f"kiosk-central user disable: {exc}", file=sys.stderr)
        return 1
    print(f"disabled {args.name}")
    return 0


def _list(args, store) -> int:
    with store.tx() as tx:
        users = accounts.list_users(tx)
    for u in users:
        state = "disabled" if u["disabled_at"] else ("locked until " + u["locked_until"]
                                                     if u["locked_until"] and u["locked_until"] > accounts.utc_text(datetime.now(timezone.utc)) else "active")
        print(f"{u['name']}\t{u['role']}\t{state}\tlast login {u['last_login'] or 'never'}")
    return 0
