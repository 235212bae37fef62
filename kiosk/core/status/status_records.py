"""The status list's binary body: fixed 21-byte records sorted by keyed hash, searched and merged in place.

A record is `hash(16) | status(1) | valid_until(4, unsigned big-endian seconds)`. Sorted fixed-size records
give O(log n) lookups without an index and without unpacking 20 million entries into Python objects, and a
delta of m changes merges in O(m log n) comparisons plus one copy of the body.
"""
from __future__ import annotations

import bisect
import struct
from collections.abc import Iterable, Sequence
from typing import Any

KEY_BYTES = 16
RECORD_BYTES = 21
REMOVED = 0xFF  # status byte of a delta record that deletes the entry
_TAIL = struct.Struct(">BI")


class RecordError(ValueError):
    """A body that is not a whole number of sorted, unique records."""


SPARSE_STRIDE = 128  # one key in 128 kept in a Python list: C-speed bisect first, then 7 steps in a block


class RecordKeys(Sequence):
    """The keys of a record body as a sequence, without copying the body (for `bisect`).

    A sparse list of every SPARSE_STRIDE-th key (built on first search: 156,000 keys for 20 M records) lets
    the search run most of its steps inside C `bisect` and only the last few through `__getitem__`.
    """

    def __init__(self, data: Any, offset: int, count: int) -> None:
        self.data, self.offset, self.count = data, offset, count
        self._sparse: list[bytes] | None = None

    def search(self, key: bytes) -> int:
        """bisect_left over all records, through the sparse index."""
        if self._sparse is None:
            self._sparse = [self[i] for i in range(0, self.count, SPARSE_STRIDE)]
        block = bisect.bisect_right(self._sparse, key) - 1
        if block < 0:
            return 0
        low = block * SPARSE_STRIDE
        return bisect.bisect_left(self, key, low, min(self.count, low + SPARSE_STRIDE))

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> bytes:  # type: ignore[override]
        start = self.offset + index * RECORD_BYTES
        return bytes(self.data[start:start + KEY_BYTES])

    def find(self, key: bytes) -> int | None:
        """The index of the record with this key, or None."""
        index = self.search(key)
        if index < self.count and self[index] == key:
            return index
        return None

    def record(self, index: int) -> tuple[int, int]:
        start = self.offset + index * RECORD_BYTES + KEY_BYTES
        return _TAIL.unpack(bytes(self.data[start:start + 5]))


def pack(key: bytes, status: int, until: int) -> bytes:
    if len(key) != KEY_BYTES:
        raise RecordError("a record key is 16 bytes")
    return key + _TAIL.pack(status, until)


def pack_sorted(records: Iterable[tuple[bytes, int, int]]) -> bytes:
    """Records (key, status, until) -> a sorted body; duplicate keys are an error."""
    ordered = sorted(records)
    for a, b in zip(ordered, ordered[1:]):
        if a[0] == b[0]:
            raise RecordError(f"duplicate key {a[0].hex()}")
    return b"".join(pack(*r) for r in ordered)


def merge(keys: RecordKeys, delta: bytes) -> tuple[bytes, int]:
    """Apply sorted delta records to the sorted body behind `keys`; returns (new body, record count).

    A delta record replaces the base record with the same key, is inserted when the key is new, and deletes
    the base record when its status byte is REMOVED. Delta keys must be strictly increasing (checked here, in
    the same pass). Cost: one indexed search per change, one body copy.
    """
    view = memoryview(keys.data)
    base_offset, base_count = keys.offset, keys.count
    pieces: list[Any] = []
    position = 0  # next base record not yet copied
    count = base_count
    previous = b""
    for start in range(0, len(delta), RECORD_BYTES):
        change = delta[start:start + RECORD_BYTES]
        key = change[:KEY_BYTES]
        if key <= previous and start:
            raise RecordError(f"delta records not strictly sorted at {start // RECORD_BYTES}")
        previous = key
        index = max(position, keys.search(key))
        pieces.append(view[base_offset + position * RECORD_BYTES:base_offset + index * RECORD_BYTES])
        exists = index < base_count and keys[index] == key
        position = index + 1 if exists else index
        if change[KEY_BYTES] == REMOVED:
            count -= 1 if exists else 0
        else:
            pieces.append(change)
            count += 0 if exists else 1
    pieces.append(view[base_offset + position * RECORD_BYTES:base_offset + base_count * RECORD_BYTES])
    return b"".join(pieces), count
