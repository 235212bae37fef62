"""The per-device hash chain and the canonical bytes of an event, shared by the kiosk and the central service.

Why: the central side must recompute exactly the hash the kiosk stored, so both use this one definition.
Pure functions; any thread.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS = "0" * 64

# The fields that make up an event, in the order the log stores them. `hash` is computed over all the others.
EVENT_FIELDS: tuple[str, ...] = (
    "event_id", "device_id", "seq", "utc", "monotonic_ns", "verdict", "reason", "outcome", "input_kind",
    "pass_format", "kid", "trust_version", "masked_name", "masked_id", "subject_hash", "flags", "prev_hash",
)
INPUT_KINDS = frozenset({"card", "code", "manual"})


def canonical(obj: Any) -> bytes:
    """Deterministic JSON bytes: sorted keys, no spaces, UTF-8."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(event: dict[str, Any]) -> str:
    """SHA-256 (hex) over the canonical form of the event's fields; `prev_hash` links it to its predecessor."""
    return hashlib.sha256(canonical({k: event.get(k) for k in EVENT_FIELDS})).hexdigest()


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
