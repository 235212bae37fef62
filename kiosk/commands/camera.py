"""`kiosk decode [--json] IMAGE...`: read printed codes from image files with the camera's full cascade.

A contract relied on from outside: exactly one line per image, in argument order. With --json each line is a
JSON object with `file`, `text` (null when nothing was read) and `ms`, plus `error` when the file is missing
or unreadable. Exit 0 when every image decoded, 1 when some did not, 2 when any file was missing/unreadable.
cv2 and zxing-cpp are imported inside the handler so `kiosk --help` stays fast.
"""
from __future__ import annotations

import argparse
import json


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("decode", help="decode printed codes in image files (full camera cascade)")
    parser.add_argument("--json", action="store_true", help="one JSON object per image: file, text, ms")
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="image files (PNG, JPEG, ...)")
    parser.set_defaults(handler=run_decode)


def _line(record: dict, as_json: bool) -> str:
    if as_json:
        return json.dumps(record, ensure_ascii=False)
    if "error" in record:
        return f"{record['file']}: ERROR {record['error']}"
    if record["text"] is None:
        return f"{record['file']}: no code found ({record['ms']:.1f} ms)"
    return f"{record['file']}: {record['text']} ({record['ms']:.1f} ms)"


def run_decode(args: argparse.Namespace) -> int:
    from drivers.camera.decoder import ImageUnreadable, decode_image_file

    unreadable = undecoded = False
    for name in args.images:
        try:
            result = decode_image_file(name)
            record = {"file": name, "text": result.text, "ms": round(result.ms, 3)}
            undecoded |= result.text is None
        except ImageUnreadable as exc:
            record = {"file": name, "text": None, "ms": 0.0, "error": str(exc)}
            unreadable = True
        print(_line(record, args.json), flush=True)
    return 2 if unreadable else 1 if undecoded else 0
