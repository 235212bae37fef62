"""Device subcommands: read a card, emulate a reader, read a scanned code, list serial ports.

Why here: operators and integrators check a gate's hardware from a shell, and the demo runs an emulated
reader in another process; the JSON shapes printed here are a contract (add fields, never rename).
Handlers run on the main thread; drivers are imported inside them.
"""
from __future__ import annotations

import argparse
import json
import sys
import threading

from kiosk.commands.common import serve_emulator

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
    p.add_argument("--realistic", action="store_true",
                   help="add a real SAM's thinking time per command (find 20 ms, select 30 ms, read 450 ms)")
    p.add_argument("--link", metavar="PATH", help="also keep a stable symlink to the pty at PATH")
    p.add_argument("--commands", action="store_true",
                   help="read commands on stdin: place CARD | lift | unplug | replug | fail FUNCTION SW3 | "
                        "checksum | halfframe | noise | stuck | unstuck | clear")
    p.set_defaults(handler=emulate_reader)

    p = sub.add_parser("read-code", help="read one code from a serial QR scanner and verify it")
    p.add_argument("port_url", metavar="PORT_URL")
    p.add_argument("--json", action="store_true", help="print one JSON object (the `kiosk verify --json` shape)")
    p.add_argument("--timeout", type=float, default=10.0, metavar="S", help="seconds to wait for a scan")
    p.add_argument("--baud", type=int, default=9600)
    p.add_argument("--trust", help="a trust store file (default: the data directory's)")
    p.add_argument("--now", help="verify as of this time, ISO 8601 (default: now)")
    p.add_argument("--show-text", action="store_true", help="also print the scanned text (never logged)")
    p.set_defaults(handler=read_code)

    p = sub.add_parser("emulate-scanner", help="run an emulated serial QR scanner; prints its port path first, "
                                               "then types each line read on stdin as a scanned code")
    p.add_argument("--socket", type=int, metavar="PORT", help="serve on socket://127.0.0.1:PORT instead of a pty")
    p.add_argument("--baud", type=int, default=9600)
    p.add_argument("--crlf", action="store_true", help="end codes with CR LF (default: CR)")
    p.add_argument("--link", metavar="PATH", help="also keep a stable symlink to the pty at PATH")
    p.set_defaults(handler=emulate_scanner)

    p = sub.add_parser("ports", help="list serial devices; USB-serial bridges (CH340, PL2303, FTDI, CP210x) flagged")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.set_defaults(handler=list_ports)


def mask_date(yyyymmdd: str) -> str:
    """`19900307` -> `1990****`: the year alone; the full date would undo most of the ID number's mask."""
    return yyyymmdd[:4] + "*" * (len(yyyymmdd) - 4) if len(yyyymmdd) > 4 else yyyymmdd


def card_json(card, *, show_id: bool = False) -> dict:
    """The `kiosk read-card --json` object: the card's fields, masked unless show_id; never a photo."""
    from kiosk.core.identity.idnumber import IdNumberError, mask_id, mask_name, validate_id_number

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
        "birth_date": card.birth_date if show_id else mask_date(card.birth_date),
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
    from drivers.sam.emulator import REALISTIC_DELAYS

    emulator = ReaderEmulator(sam_delay_s=args.sam_delay, baudrate=args.baud, refind=args.refind,
                              command_delays=REALISTIC_DELAYS if args.realistic else None)
    try:
        path = emulator.serve_socket(port=args.socket) if args.socket is not None else emulator.open_pty(args.link)
    except OSError as exc:
        raise UsageError(f"cannot open the emulated port: {exc}") from None
    if card is not None:
        emulator.place(card)
    return serve_emulator(emulator, path, _stdin_commands if args.commands else None)


def read_code(args: argparse.Namespace) -> int:
    from drivers.ports import PortOpenError
    from drivers.scanner.scanner import read_one_code
    from kiosk.commands.common import load_trust, parse_now, print_json
    from kiosk.core.outcome.policy import Policy
    from kiosk.core.checks.verify import detect_format, verify_text

    now = parse_now(args.now)
    trust = load_trust(args)
    try:
        text = read_one_code(args.port_url, timeout_s=args.timeout, baudrate=args.baud)
    except (PortOpenError, TimeoutError) as exc:
        code = "timeout" if isinstance(exc, TimeoutError) else "port_unavailable"
        if args.json:
            print_json({"error": code, "detail": str(exc)})
        print(f"kiosk read-code: {code}: {exc}", file=sys.stderr)
        return 1
    result = verify_text(text, trust, now)
    outcome = Policy().outcome(result)
    data = {**result.to_json(), "outcome": str(outcome), "scanned_format": detect_format(text.strip())}
    if args.show_text:
        data["text"] = text
    if args.json:
        print_json(data)
    else:
        print(f"{outcome}: {result.verdict} ({result.reason}) format={result.format}")
        if result.detail:
            print(f"  {result.detail}")
        if args.show_text:
            print(f"  text {text}")
    return 0 if result.is_valid else 1


def emulate_scanner(args: argparse.Namespace) -> int:
    from drivers.scanner.emulator import ScannerEmulator
    from kiosk.cli import UsageError

    emulator = ScannerEmulator(baudrate=args.baud, terminator="\r\n" if args.crlf else "\r")
    try:
        path = emulator.serve_socket(port=args.socket) if args.socket is not None else emulator.open_pty(args.link)
    except OSError as exc:
        raise UsageError(f"cannot open the emulated port: {exc}") from None
    def type_stdin(emulator, done) -> None:  # each line typed is scanned; serving goes on after EOF
        for line in sys.stdin:
            if line.strip():
                emulator.scan(line.rstrip("\r\n"))

    return serve_emulator(emulator, path, type_stdin)


def list_ports(args: argparse.Namespace) -> int:
    from drivers.ports import candidates

    found = candidates()
    if args.json:
        print(json.dumps([c.to_json() for c in found], ensure_ascii=False))
        return 0
    if not found:
        print("no serial devices found")
    for c in found:
        ids = f"{c.vid:04x}:{c.pid:04x}" if c.vid is not None else "-"
        flag = f"  [{c.bridge} USB-serial bridge]" if c.bridge else ""
        print(f"{c.device}  {ids}  {c.description}{flag}")
    return 0


_FAULT_VERBS = {
    "lift": lambda e: e.lift(),
    "unplug": lambda e: e.unplug(),
    "checksum": lambda e: e.corrupt_next_checksums(),
    "halfframe": lambda e: e.truncate_next_responses(),
    "noise": lambda e: e.inject_noise(),
    "stuck": lambda e: e.set_stuck(True),
    "unstuck": lambda e: e.set_stuck(False),
    "clear": lambda e: e.clear_faults(),
}


def _stdin_commands(emulator, done: threading.Event) -> None:
    """One command a line (see --commands); `replug` prints the new path. EOF ends the emulator."""
    from drivers.sam.presets import CardFileError, card_by_name

    for line in sys.stdin:
        if not line.split():
            continue
        verb, *words = line.split()
        try:
            if verb == "place":
                emulator.place(card_by_name(words[0] if words else "resident"))
            elif verb == "replug":
                print(emulator.replug(), flush=True)
            elif verb == "fail" and len(words) == 2:
                emulator.fail_next(words[0], int(words[1], 16))
            elif verb in _FAULT_VERBS:
                _FAULT_VERBS[verb](emulator)
            else:
                print(f"unknown command {line.strip()!r}", file=sys.stderr)
        except (CardFileError, ValueError) as exc:
            print(str(exc), file=sys.stderr)
    done.set()
