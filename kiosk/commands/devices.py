"""Device subcommands: read a card, emulate a reader, read a scanned code, list serial ports.

Why here: operators and integrators check a gate's hardware from a shell, and the demo runs an emulated
reader in another process; the JSON shapes printed here are a contract (add fields, never rename).
Handlers run on the main thread; drivers are imported inside them.
"""
from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

_NOT_SHOWN = {"address"}  # extra fields printed only with --show-id


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("read-card", help="read one ID card from a reader (pyserial URL, or auto)")
    p.add_argument("port_url", metavar="PORT_URL")
    p.add_argument("--json", action="store_true", help="print the card as JSON")
    p.add_argument("--show-id", action="store_true", help="print the full ID number and name (default: masked)")
    p.add_argument("--timeout", type=float, default=5.0, metavar="S", help="seconds to wait for a card")
    p.add_argument("--baud", type=int, default=115200)
    p.set_defaults(handler=read_card)

    p = sub.add_parser("emulate-reader", help="run an emulated SAM card reader; prints its port path first")
    p.add_argument("--card", metavar="FILE|PRESET", help="a card lying on the reader: a preset "
                   "(resident, hmt, foreign2017, foreign2023) or a JSON file of card fields")
    p.add_argument("--socket", type=int, metavar="PORT", help="serve on socket://127.0.0.1:PORT instead of a pty")
    p.add_argument("--sam-delay", type=float, default=0.0, metavar="S", help="SAM thinking time per answer")
    p.add_argument("--baud", type=int, default=115200, help="the module's speed (wire time is emulated)")
    p.add_argument("--refind", choices=("9F", "80"), default="9F", help="find answer while a read card lies")
    p.add_argument("--link", metavar="PATH", help="also keep a stable symlink to the pty at PATH")
    p.add_argument("--commands", action="store_true",
                   help="read commands on stdin: place CARD | lift | unplug | replug")
    p.set_defaults(handler=emulate_reader)


def card_json(card, *, show_id: bool = False) -> dict:
    """The `kiosk read-card --json` object: the card's fields, masked unless show_id; never a photo."""
    from kiosk.core.idnumber import IdNumberError, mask_id, mask_name, validate_id_number

    try:
        info = validate_id_number(card.id_number)
        kind, valid = str(info.kind), True
    except IdNumberError:
        kind, valid = "", False
    extra = {k: v for k, v in card.extra if show_id or k not in _NOT_SHOWN}
    return {
        "card_type": str(card.card_type),
        "name": card.name if show_id else mask_name(card.name),
        "english_name": card.english_name if show_id else mask_name(card.english_name),
        "id_number": card.id_number if show_id else mask_id(card.id_number),
        "masked_id": mask_id(card.id_number),
        "masked_name": mask_name(card.name or card.english_name),
        "id_kind": kind,
        "id_valid": valid,
        "sex": card.sex,
        "birth_date": card.birth_date,
        "valid_from": card.valid_from,
        "valid_to": card.valid_to,
        "authority": card.authority,
        "nationality": card.nationality,
        "extra": extra,
    }


def read_card(args: argparse.Namespace) -> int:
    from drivers.sam.errors import ReaderError
    from drivers.sam.reader import read_one_card

    try:
        card = read_one_card(args.port_url, timeout_s=args.timeout, baudrate=args.baud)
    except ReaderError as exc:
        if args.json:
            print(json.dumps({"error": exc.code, "detail": exc.detail}, ensure_ascii=False))
        print(f"kiosk read-card: {exc.code}: {exc.detail}", file=sys.stderr)
        return 1
    data = card_json(card, show_id=args.show_id)
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        for key, value in data.items():
            if key == "extra":
                for k, v in value.items():
                    print(f"{k:>13}: {v}")
            else:
                print(f"{key:>13}: {value}")
    return 0


def emulate_reader(args: argparse.Namespace) -> int:
    from drivers.sam.emulator import ReaderEmulator
    from drivers.sam.presets import CardFileError, card_by_name
    from kiosk.cli import UsageError

    try:
        card = card_by_name(args.card) if args.card else None
    except CardFileError as exc:
        raise UsageError(str(exc)) from None
    emulator = ReaderEmulator(sam_delay_s=args.sam_delay, baudrate=args.baud, refind=args.refind)
    done = threading.Event()
    try:
        path = emulator.serve_socket(port=args.socket) if args.socket is not None else emulator.open_pty(args.link)
    except OSError as exc:
        raise UsageError(f"cannot open the emulated port: {exc}") from None
    if card is not None:
        emulator.place(card)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    print(path, flush=True)
    if args.commands:
        threading.Thread(target=_stdin_commands, args=(emulator, done), daemon=True).start()
    try:
        while not done.wait(0.5):
            pass
    finally:
        emulator.close()
    return 0


def _stdin_commands(emulator, done: threading.Event) -> None:
    """`place CARD`, `lift`, `unplug`, `replug` (prints the new path), one a line; EOF ends the emulator."""
    from drivers.sam.presets import CardFileError, card_by_name

    for line in sys.stdin:
        verb, _, arg = line.strip().partition(" ")
        try:
            if verb == "place":
                emulator.place(card_by_name(arg.strip() or "resident"))
            elif verb == "lift":
                emulator.lift()
            elif verb == "unplug":
                emulator.unplug()
            elif verb == "replug":
                print(emulator.replug(), flush=True)
            elif verb:
                print(f"unknown command {verb!r}: place CARD | lift | unplug | replug", file=sys.stderr)
        except CardFileError as exc:
            print(str(exc), file=sys.stderr)
    done.set()


def main(argv: list[str] | None = None) -> int:
    """Run these subcommands alone (`python -m kiosk.commands.devices ...`), e.g. before the kiosk command is
    complete or in a minimal image."""
    from kiosk.cli import UsageError

    parser = argparse.ArgumentParser(prog="kiosk")
    register(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except UsageError as exc:
        print(f"kiosk {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
