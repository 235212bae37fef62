"""The `kiosk` command: headless entry points, one module of subcommands per area.

Each module in kiosk/commands/ (found by `command_modules`) has `register(subparsers)`; each subcommand's handler returns the exit code.
Exit codes: 0 success (for `verify`: a VALID pass), 1 any other verdict or a failed operation, 2 unusable
arguments or input files.
"""
from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

def command_modules() -> list[str]:
    """Every module in kiosk/commands/ that offers `register` (helpers such as `common` do not)."""
    import kiosk.commands

    names = sorted(m.name for m in pkgutil.iter_modules(kiosk.commands.__path__) if not m.name.startswith("_"))
    return [f"kiosk.commands.{name}" for name in names if name != "common"]


class UsageError(Exception):
    """Arguments or input files that cannot be used; reported on stderr with exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Offline verification kiosk")
    parser.add_argument("--data-dir", help="where keys, trust data and the log live (default: $KIOSK_DATA_DIR "
                                           "or ~/.local/share/kiosk)")
    parser.add_argument("--config", help="a kiosk.toml site configuration")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in command_modules():
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except UsageError as exc:
        print(f"kiosk {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `kiosk verify --json ... | head`: the reader left; not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
