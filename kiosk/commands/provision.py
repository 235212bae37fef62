"""`kiosk provision --root ROOT.pub.pem` pins a new data directory's root; `kiosk hash-pin` makes a PIN hash for
kiosk.toml; `production_problem` is what `kiosk run` refuses to start with (fail closed: no provisioned root,
demo trust data or the demo PINs, unless kiosk.toml says `demo = true`)."""
from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from kiosk.cli import UsageError
from kiosk.commands.common import data_dir
from kiosk.config import KioskConfig
from kiosk.core.trust.store import TrustDataError
from kiosk.datadir import DataDir, RootNotProvisioned, RootUnreadable


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("provision", help="pin the root public key(s) of a new data directory (production)")
    p.add_argument("--root", required=True, action="append", metavar="ROOT.pub.pem",
                   help="the root public key PEM whose bundles this kiosk will trust (repeat for a second root)")
    p.set_defaults(handler=run_provision)
    p = sub.add_parser("hash-pin", help="print the hash of a staff or admin PIN for kiosk.toml's [ui] section")
    p.add_argument("--pin", help="the PIN (default: asked for without echo, or read from stdin)")
    p.set_defaults(handler=run_hash_pin)


def run_provision(args: argparse.Namespace) -> int:
    from kiosk.provisioning import ProvisioningError, provision_root

    pem = b""
    for path in args.root:
        try:
            pem += Path(path).read_bytes().strip() + b"\n"
        except OSError as exc:
            raise UsageError(f"cannot read --root {path}: {exc.strerror}") from None
    data = data_dir(args)
    try:
        roots = provision_root(data, pem)
    except (ProvisioningError, RootUnreadable) as exc:
        print(f"kiosk provision: {exc}", file=sys.stderr)
        return 1
    kids = ", ".join(r.kid.hex() for r in roots)
    print(f"pinned root {kids} in {data.pinned_roots_path}")
    if data.trust_bundle() is None:
        print(f"next: kiosk --data-dir {data.root} bundle install BUNDLE.ktb (or enroll and sync)")
    return 0


def run_hash_pin(args: argparse.Namespace) -> int:
    from kiosk.ui.staff.pins import hash_pin

    pin = args.pin or (getpass.getpass("PIN: ") if sys.stdin.isatty() else sys.stdin.readline().strip())
    if not pin.isdigit() or not 4 <= len(pin) <= 12:
        raise UsageError("a PIN is 4 to 12 digits")
    print(hash_pin(pin))
    return 0


def production_problem(config: KioskConfig, data: DataDir) -> str | None:
    """Why `kiosk run` must not start on this data dir and config (one line), or None."""
    from kiosk.provisioning import demo_marks

    try:
        data.pinned_roots()
    except (RootNotProvisioned, RootUnreadable) as exc:
        return str(exc)
    if config.demo:
        return None
    try:
        marks = demo_marks(data)
    except TrustDataError as exc:
        return f"the trust data in {data.root} is unusable: {exc}"
    if marks:
        return (f"refusing demo trust data in {data.root}: {'; '.join(marks)} (production: a new data directory "
                "with `kiosk provision --root ROOT.pub.pem`; a demo gate: `demo = true` in kiosk.toml)")
    demo_pins = _demo_pins(config)
    if demo_pins:
        return (f"refusing the demo {' and '.join(demo_pins)} PIN: set [ui] "
                + " and ".join(f"{who}_pin_hash" for who in demo_pins)
                + " in kiosk.toml (`kiosk hash-pin`), or `demo = true` for a demo gate")
    return None


def _demo_pins(config: KioskConfig) -> list[str]:
    from kiosk.ui.shared.settings import DEFAULT_ADMIN_PIN, DEFAULT_STAFF_PIN
    from kiosk.ui.staff.pins import check_pin

    found = []
    for who, demo in (("staff", DEFAULT_STAFF_PIN), ("admin", DEFAULT_ADMIN_PIN)):
        stored = config.ui.get(f"{who}_pin_hash")
        if not isinstance(stored, str) or check_pin(demo, stored):
            found.append(who)
    return found
