"""Helpers every subcommand shares: the data directory, the trust store, the clock argument, JSON output."""
from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kiosk.cli import UsageError
from kiosk.core.trust.store import TrustDataError, TrustStore
from kiosk.datadir import DataDir, RootNotProvisioned

MAX_TRUST_FILE_BYTES = 16 * 1024 * 1024
MAX_SMALL_FILE_BYTES = 1024 * 1024  # keys, policies


def read_input(path: str | Path, max_bytes: int = MAX_TRUST_FILE_BYTES) -> bytes:
    """A file named on the command line, read through a cap (never more than max_bytes + 1 bytes, so
    /dev/zero or a pipe cannot grow the process); a UsageError when it is unreadable or larger."""
    from drivers.camera.imagecaps import ImageRefused, read_capped
    try:
        return read_capped(path, max_bytes)
    except ImageRefused:
        raise UsageError(f"{path} is larger than {max_bytes} bytes: refused") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None


def data_dir(args: argparse.Namespace) -> DataDir:
    return DataDir(getattr(args, "data_dir", None))


def parse_now(value: str | None) -> datetime:
    """`--now` as ISO 8601 (`2026-11-23T08:00:00Z`, an offset, or a date); naive times are taken as UTC."""
    if not value:
        return datetime.now(timezone.utc)
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise UsageError(f"--now {value!r} is not an ISO 8601 time, e.g. 2026-11-23T08:00:00Z") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def load_trust_file(path: Path) -> TrustStore:
    """A trust store from a file given with --trust: our trust.json, a signer certificate (PEM/DER), a PEM
    bundle or JSON list of certificates (HC1), or a JWKS (SHC; its keys are then not bound to an issuer URL)."""
    from kiosk.core.trust.trust_import import TrustImportError, parse_material

    raw = read_input(path, MAX_TRUST_FILE_BYTES)
    try:
        doc = json.loads(raw)
        if isinstance(doc, dict) and isinstance(doc.get("keys"), list) and \
                all(isinstance(k, dict) and "public_key" in k for k in doc["keys"]):
            return TrustStore.from_dict(doc)
    except (ValueError, TrustDataError) as exc:
        if raw.lstrip().startswith(b"{"):
            raise UsageError(f"{path} is not a trust store this kiosk understands: {exc}") from None
    try:
        additions = parse_material(raw, TrustStore(), datetime.now(timezone.utc))
    except TrustImportError as exc:
        raise UsageError(f"{path} is not a trust store, certificate, certificate list or JWKS: {exc}") from None
    return TrustStore(keys=additions.keys, revoked_rids=additions.revoked_rids)


def load_trust(args: argparse.Namespace) -> TrustStore:
    """The trust store named by --trust, else the data directory's."""
    trust_arg = getattr(args, "trust", None)
    if trust_arg:
        return _with_installed_reference(load_trust_file(Path(trust_arg)), args)
    try:
        return data_dir(args).trust()
    except RootNotProvisioned as exc:  # nothing provisioned: nothing is trusted (never a silent demo root)
        print(f"kiosk {args.command}: {exc}; nothing is trusted", file=sys.stderr)
        return TrustStore()
    except (ValueError, TrustDataError) as exc:
        raise UsageError(f"the data directory's trust store is unreadable: {exc}") from None


def _with_installed_reference(trust: TrustStore, args: argparse.Namespace) -> TrustStore:
    """A one-off --trust file names keys; the EU DCC schemas and value sets still come from the data
    directory's installed bundle when there is one (read only: nothing is created)."""
    if trust.dcc_reference:
        return trust
    directory = data_dir(args)
    if not directory.trust_path.exists():
        return trust
    try:
        installed = directory.trust()
    except (ValueError, TrustDataError, OSError):
        return trust
    return trust.with_changes(dcc_reference=installed.dcc_reference) if installed.dcc_reference else trust


def print_json(obj: Any) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    sys.stdout.flush()


def serve_emulator(emulator: Any, path: str, commands: Any = None) -> int:
    """The emulate-* commands' shared tail: print the emulator's port path, serve until SIGINT/SIGTERM (or until
    `commands(emulator, done)`, run on a thread reading standard input, sets `done`), then close it."""
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    print(path, flush=True)
    if commands is not None:
        threading.Thread(target=commands, args=(emulator, done), daemon=True).start()
    try:
        while not done.wait(0.5):
            pass
    finally:
        emulator.close()
    return 0
