"""Gate subcommands: `kiosk gate pulse PORT` (installers test the wiring) and `kiosk emulate-relay`.

Why here: the relay is wired by an installer with a laptop before the kiosk runs; one pulse from the shell shows
that the right contact clicks. The emulated board serves a pty (or a socket) for the demo, for a kiosk under
development and for `pytest --gate-port`. Handlers run on the main thread; drivers are imported inside them.
"""
from __future__ import annotations

import argparse
import json
import sys
import threading
import time

from kiosk.commands.common import serve_emulator


def register(sub: argparse._SubParsersAction) -> None:
    gate = sub.add_parser("gate", help="the gate output (turnstile / door relay)")
    actions = gate.add_subparsers(dest="gate_command", required=True, metavar="ACTION")
    p = actions.add_parser("pulse", help="close the relay once for --ms milliseconds, then leave it off")
    p.add_argument("port", metavar="PORT", help="LCUS: a pyserial URL; hid: hid or hid:NAME; gpio: gpio:CHIP:LINE[:low]")
    p.add_argument("--kind", choices=("lcus", "hid", "gpio"), default="lcus")
    p.add_argument("--ms", type=int, default=1000, help="how long the contact stays closed (50..10000)")
    p.add_argument("--channel", type=int, default=1, help="relay channel on the board (1..8)")
    p.add_argument("--baud", type=int, default=9600)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=pulse)

    p = sub.add_parser("emulate-relay", help="run an emulated LCUS USB-serial relay board; prints its port path "
                                             "first, then one line per switch")
    p.add_argument("--socket", type=int, metavar="PORT", help="serve on socket://127.0.0.1:PORT instead of a pty")
    p.add_argument("--channels", type=int, default=1, help="channels on the board (1..8)")
    p.add_argument("--link", metavar="PATH", help="also keep a stable symlink to the pty at PATH")
    p.add_argument("--commands", action="store_true", help="read commands on stdin: unplug | replug")
    p.set_defaults(handler=emulate_relay)


def pulse(args: argparse.Namespace) -> int:
    from drivers.gate.relays import RelayError, open_relay
    from kiosk.cli import UsageError

    if not 50 <= args.ms <= 10_000:
        raise UsageError("--ms must be 50..10000")
    if args.port.strip().lower() == "auto":
        raise UsageError("name the relay's port: `auto` could pick the card reader's USB-serial bridge")
    try:
        relay = open_relay(args.kind, args.port, args.channel, baudrate=args.baud)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    started = time.monotonic()
    try:
        relay.open()  # drives the contact off first
        try:
            relay.set(True)
            threading.Event().wait(args.ms / 1000)  # the pulse itself: the contact is meant to stay closed
        finally:
            relay.set(False)
    except RelayError as exc:
        relay.close()
        if args.json:
            print(json.dumps({"ok": False, "error": "relay_unavailable", "detail": str(exc)}, ensure_ascii=False))
        print(f"kiosk gate pulse: relay_unavailable: {exc}", file=sys.stderr)
        return 1
    relay.close()
    elapsed = round((time.monotonic() - started) * 1000)
    if args.json:
        print(json.dumps({"ok": True, "relay": args.port, "kind": args.kind, "channel": args.channel,
                          "ms": args.ms, "elapsed_ms": elapsed}))
    else:
        print(f"pulsed {args.kind} relay {args.port} channel {args.channel} for {args.ms} ms; the relay is off")
    return 0


def emulate_relay(args: argparse.Namespace) -> int:
    from drivers.gate.emulator import RelayEmulator
    from kiosk.cli import UsageError

    try:
        emulator = RelayEmulator(channels=args.channels)
        path = emulator.serve_socket(port=args.socket) if args.socket is not None else emulator.open_pty(args.link)
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot open the emulated relay: {exc}") from None
    emulator.on_switch = lambda s: print(f"channel {s.channel} {'ON' if s.on else 'OFF'}", flush=True)
    return serve_emulator(emulator, path, _stdin_commands if args.commands else None)


def _stdin_commands(emulator, done: threading.Event) -> None:
    for line in sys.stdin:
        verb = line.strip()
        if verb == "unplug":
            emulator.unplug()
        elif verb == "replug":
            print(emulator.replug(), flush=True)
        elif verb:
            print(f"unknown command {verb!r} (unplug | replug)", file=sys.stderr)
    done.set()
