"""Base45 (RFC 9285), the text encoding that fits QR alphanumeric mode."""
from __future__ import annotations


ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_INDEX = {c: i for i, c in enumerate(ALPHABET)}
_INVALID = 0xFF
_VALUE_TABLE = bytes(_INDEX.get(chr(b), _INVALID) for b in range(256))


class Base45Error(ValueError):
    pass


def b45encode(data: bytes) -> str:
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        e, n = divmod(n, 45 * 45)
        d, c = divmod(n, 45)
        out += (ALPHABET[c], ALPHABET[d], ALPHABET[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out += (ALPHABET[c], ALPHABET[d])
    return "".join(out)


def b45decode(text: str) -> bytes:
    """Decode base45. The hot path of every pass check, so it works on whole strings, not per character:
    the triplets are summed as 32-bit lanes of three big integers (a + 45 b + 2025 c), all in C."""
    try:
        values = text.encode("ascii").translate(_VALUE_TABLE)
    except UnicodeEncodeError:
        bad = next(c for c in text if not c.isascii())
        raise Base45Error(f"character {bad!r} is not base45") from None
    if _INVALID in values:
        bad = text[values.index(_INVALID)]
        raise Base45Error(f"character {bad!r} is not base45")
    if len(values) % 3 == 1:
        raise Base45Error("base45 text has a dangling character")
    full = len(values) - len(values) % 3
    count = full // 3
    lanes = [bytearray(4 * count) for _ in range(3)]
    for lane, start in zip(lanes, range(3)):
        lane[3::4] = values[start:full:3]
    total = int.from_bytes(lanes[0], "big") + 45 * int.from_bytes(lanes[1], "big") \
        + 2025 * int.from_bytes(lanes[2], "big")
    words = total.to_bytes(4 * count, "big")
    if words[0::4].strip(b"\0") or words[1::4].strip(b"\0"):
        raise Base45Error("base45 triplet out of range")
    out = bytearray(2 * count)
    out[0::2] = words[2::4]
    out[1::2] = words[3::4]
    if full < len(values):
        n = values[full] + values[full + 1] * 45
        if n > 0xFF:
            raise Base45Error("base45 pair out of range")
        out.append(n)
    return bytes(out)
