"""`kiosk check-config`: check a kiosk.toml the way `kiosk run` does, without starting anything.

For whoever installs a kiosk: every bad key with its line (exit 2), or the effective settings, defaults
included (exit 0). PIN hashes are never printed (a hash of a short PIN is as good as the PIN).
"""
from __future__ import annotations

import argparse
import json
from typing import Any

from kiosk.cli import UsageError

_SECRET = ("staff_pin_hash", "admin_pin_hash")


def register(sub: argparse._SubParsersAction) -> None:
    check = sub.add_parser("check-config", help="check a kiosk.toml (keys, types, lines) without starting the "
                                                "kiosk; print the effective settings")
    check.add_argument("file", nargs="?", help="the kiosk.toml to check (default: the one given with --config)")
    check.add_argument("--json", action="store_true", help="print the effective settings as one JSON object")
    check.set_defaults(handler=run_check_config)


def run_check_config(args: argparse.Namespace) -> int:
    from kiosk.commands.common import print_json
    from kiosk.config import ConfigError, load_config

    path = args.file or args.config
    if not path:
        raise UsageError("name the file: kiosk check-config FILE (or kiosk --config FILE check-config)")
    try:
        config = load_config(path)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    settings = effective_settings(config)
    if args.json:
        print_json(settings)
        return 0
    print(f"{path}: ok")
    tables = {key: value for key, value in settings.items() if isinstance(value, dict)}
    for key, value in settings.items():  # top-level keys first, then one line per table, as in the file
        if key not in tables:
            print(f"{key} = {_toml(value)}")
    for key, value in tables.items():
        print(f"[{key}] " + (", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) or "(nothing set)"))
    return 0


def _toml(value: Any) -> str:
    """A value as it would be written in kiosk.toml (true, 0.8, "text", [1, 2])."""
    return json.dumps(value, ensure_ascii=False)


def effective_settings(config) -> dict[str, Any]:
    """Every key with the value the kiosk will use (written or default); [policy] as written; no PIN hash."""
    settings = config.model_dump(mode="json")
    settings["policy"] = config.policy.layer()
    ui = settings["ui"]
    for key in _SECRET:
        ui[key] = "set" if ui.get(key) else "demo PIN"
    return settings
