"""The per-device hash chain and the canonical bytes of an event, shared by the kiosk and the central service.

Why: the central side must recompute exactly the hash the kiosk stored, so both use this one definition.
Pure functions; any thread.
"""
from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

GENESIS = "0" * 64

# The fields that make up an event, in the order the log stores them. `hash` is computed over all the others.
EVENT_FIELDS: tuple[str, ...] = (
    "event_id", "device_id", "seq", "utc", "monotonic_ns", "verdict", "reason", "outcome", "input_kind",
    "pass_format", "kid", "trust_version", "masked_name", "masked_id", "subject_hash", "flags", "prev_hash",
)
INPUT_KINDS = frozenset({"card", "code", "manual"})
EPOCH_SPAN = 1 << 40  # a log epoch's sequence numbers: epoch * EPOCH_SPAN + 1, + 2, ... (sync/logfile.py)


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def canonical(obj: Any) -> bytes:
    """Deterministic JSON bytes: sorted keys, no spaces, UTF-8."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


_SORTED_FIELDS = tuple(sorted(EVENT_FIELDS))


def event_hash(event: dict[str, Any]) -> str:
    """SHA-256 (hex) over the canonical form of the event's fields; `prev_hash` links it to its predecessor.

    Same bytes as `canonical({field: value})`: the dict is built in sorted key order, so no sort is needed.
    """
    ordered = {k: event.get(k) for k in _SORTED_FIELDS}
    return hashlib.sha256(_ENCODER.encode(ordered).encode()).hexdigest()


def chain_breaks(events: list[dict[str, Any]], prev_hash: str | None, prev_seq: int | None) -> list[int]:
    """Sequence numbers (ascending input) whose hash, link or numbering is wrong; an empty list is a sound chain.

    `prev_hash`/`prev_seq` are the last known link before `events` (None when nothing is known, e.g. after purge).
    """
    breaks: list[int] = []
    for event in events:
        seq = event.get("seq")
        if event.get("hash") != event_hash(event):
            breaks.append(seq)
        elif prev_hash is not None and (event.get("prev_hash") != prev_hash or seq != (prev_seq or 0) + 1):
            breaks.append(seq)
        prev_hash, prev_seq = event.get("hash"), seq
    return breaks


def sign_event(key: Ed25519PrivateKey, event_hash_hex: str) -> str:
    """The device's Ed25519 signature over an event's hash (which covers every field and the link before it),
    base64url without padding: the chain is keyed, so rewriting events and recomputing hashes is detected."""
    return base64.urlsafe_b64encode(key.sign(b"kiosk-event-v1:" + bytes.fromhex(event_hash_hex))).rstrip(b"=").decode()


def event_signature_valid(public_key: Ed25519PublicKey, event: dict[str, Any]) -> bool:
    """The event's own hash is right and its `sig` verifies with the device's public key."""
    sig = event.get("sig")
    if not isinstance(sig, str) or len(sig) != 86 or event.get("hash") != event_hash(event):
        return False
    try:
        public_key.verify(base64.urlsafe_b64decode(sig + "=="), b"kiosk-event-v1:" + bytes.fromhex(event["hash"]))
        return True
    except (InvalidSignature, ValueError):
        return False
