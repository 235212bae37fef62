"""Signed log bundles for air-gapped sites: the kiosk writes them (`kiosk export DIR`), the central side imports them.

Why: a gate without any network still owes the centre every check; a bundle is a JSON file whose payload is signed
with the device's own key, so it can travel on any medium and be imported with the same exactly-once rules as an
upload. Export is resumable: it starts after the last sequence number already written to a bundle. Called from the
CLI thread.
"""
from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sync import chain
from sync.auth import signature_valid
from sync.devicekey import b64encode
from sync.eventlog import EventLog, utc_text

FORMAT = "kiosk-log-bundle/1"
EXPORTED_THROUGH = "exported_through_seq"


class BundleError(Exception):
    """A bundle file that is not a well-formed, correctly signed bundle."""


def sign_payload(key: Ed25519PrivateKey, payload: dict[str, Any]) -> dict[str, Any]:
    return {"payload": payload, "signature": b64encode(key.sign(b"kiosk-log-bundle\n" + chain.canonical(payload)))}


def bundle_signature_valid(bundle: dict[str, Any], public_key: Ed25519PublicKey) -> bool:
    payload = bundle.get("payload")
    signature = bundle.get("signature")
    if not isinstance(payload, dict) or not isinstance(signature, str):
        return False
    return signature_valid(public_key, signature, b"kiosk-log-bundle\n" + chain.canonical(payload))


def export_bundles(log: EventLog, key: Ed25519PrivateKey, out_dir: str | os.PathLike, now: datetime,
                   max_events: int = 10_000) -> list[Path]:
    """Write the events not yet exported as bundle files in `out_dir` (fsynced, atomically named); returns them.

    The export mark advances only after a file is safely on the medium, so an interrupted export repeats a bundle
    at worst, which the central import counts as duplicates.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    after = int(log.get_state(EXPORTED_THROUGH, "0") or 0)
    while events := log.events(after_seq=after, limit=max_events):
        payload = {"format": FORMAT, "device_id": log.device_id, "from_seq": events[0]["seq"],
                   "to_seq": events[-1]["seq"], "created_utc": utc_text(now), "events": events}
        name = f"kiosk-log-{log.device_id}-{events[0]['seq']:012d}-{events[-1]['seq']:012d}.json"
        written.append(_write_atomically(out / name, json.dumps(sign_payload(key, payload), ensure_ascii=False)))
        after = events[-1]["seq"]
        log.set_state(EXPORTED_THROUGH, str(after))
    return written


MAX_BUNDLE_BYTES = 256 * 1024 * 1024


def read_bundle(path: str | os.PathLike, max_bytes: int = MAX_BUNDLE_BYTES) -> dict[str, Any]:
    """A log bundle file, read through a byte cap (a device or pipe given by mistake cannot grow the process)."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(max_bytes + 1)
        if len(raw) > max_bytes:
            raise BundleError(f"{path}: larger than {max_bytes} bytes, not a log bundle")
        bundle = json.loads(raw)
    except (OSError, ValueError) as exc:
        raise BundleError(f"{path}: unreadable bundle ({type(exc).__name__})") from exc
    if not isinstance(bundle, dict) or not isinstance(bundle.get("payload"), dict):
        raise BundleError(f"{path}: not a kiosk log bundle")
    return bundle


def _write_atomically(path: Path, text: str) -> Path:
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return path
