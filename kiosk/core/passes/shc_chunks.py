"""The `shc:/` QR text: numeric decoding and the (deprecated) multi-part form `shc:/C/N/<digits>`.

Each JWS character c is sent as the two digits of ord(c) - 45. A card too long for one QR is split into N
parts, each `shc:/C/N/...`; `ChunkAssembler` is a pure accumulator the scanning loop feeds part by part
(any order, repeats allowed) until the whole card can be verified. Which thread: whichever owns the scanner
loop; an assembler instance is not shared between threads.
"""
from __future__ import annotations

import re

from kiosk.core.outcome.verdicts import Reason, Verdict, VerificationError

PREFIX = "shc:/"
MAX_PARTS = 16
MAX_DIGITS = 16384
_WHOLE = re.compile(r"^shc:/(\d+)$", re.I | re.A)
_PART = re.compile(r"^shc:/(\d{1,2})/(\d{1,2})/(\d+)$", re.I | re.A)


def split_qr_text(text: str) -> tuple[int, int, str]:
    """(part, of, digits) of one QR text; a single-part card is (1, 1, digits)."""
    if len(text) > MAX_DIGITS + 16:
        raise VerificationError(Verdict.INVALID, Reason.INPUT_TOO_LARGE, f"{len(text)} characters")
    whole = _WHOLE.match(text)
    if whole:
        return 1, 1, whole.group(1)
    part = _PART.match(text)
    if not part:
        raise VerificationError(Verdict.INVALID, Reason.NUMERIC_ENCODING_INVALID, "not shc:/<digits>")
    index, total = int(part.group(1)), int(part.group(2))
    if not 1 <= index <= total <= MAX_PARTS:
        raise VerificationError(Verdict.INVALID, Reason.CHUNK_INVALID, f"part {index} of {total}")
    return index, total, part.group(3)


_PAIR_TO_CHAR = {f"{v:02d}": chr(v + 45) for v in range(ord("z") - 45 + 1)}
_CHAR_TO_PAIR = {c: pair for pair, c in _PAIR_TO_CHAR.items()}


def digits_to_jws(digits: str) -> str:
    """Two digits per character, each pair + 45; pairs above 77 ('z') cannot occur in a JWS.

    The hot path of every SHC check, so whole strings, not pairs: tens and ones are mapped to byte values
    by `translate` and summed with the offset as three big integers (no byte can carry: 90 + 9 + 45 < 256).
    """
    if len(digits) % 2 or not digits.isdigit() or not digits.isascii():
        raise VerificationError(Verdict.INVALID, Reason.NUMERIC_ENCODING_INVALID, "odd or non-digit content")
    raw = digits.encode("ascii")
    count = len(raw) // 2
    total = int.from_bytes(raw[0::2].translate(_TENS), "big") + int.from_bytes(raw[1::2].translate(_ONES), "big") \
        + int.from_bytes(b"\x2d" * count, "big")
    chars = total.to_bytes(count, "big")
    if count and max(chars) > ord("z"):
        raise VerificationError(Verdict.INVALID, Reason.NUMERIC_ENCODING_INVALID, "pair out of range")
    return chars.decode("ascii")


_TENS = bytes(10 * (b - 48) if 48 <= b <= 57 else 0 for b in range(256))
_ONES = bytes(b - 48 if 48 <= b <= 57 else 0 for b in range(256))


def jws_to_qr_text(jws: str) -> str:
    try:
        return PREFIX + "".join([_CHAR_TO_PAIR[c] for c in jws])
    except KeyError as exc:
        raise ValueError(f"{exc.args[0]!r} cannot be sent in numeric mode") from None


class ChunkAssembler:
    """Collects the parts of one multi-part card. `add` returns the whole `shc:/<digits>` text once complete."""

    def __init__(self) -> None:
        self.total: int | None = None
        self.parts: dict[int, str] = {}

    @property
    def missing(self) -> list[int]:
        return [] if self.total is None else [i for i in range(1, self.total + 1) if i not in self.parts]

    def add(self, text: str) -> str | None:
        index, total, digits = split_qr_text(text.strip())
        if total == 1:
            return PREFIX + digits
        if self.total is not None and total != self.total:
            raise VerificationError(Verdict.INVALID, Reason.CHUNK_INVALID,
                                    f"part of a {total}-part card while assembling {self.total} parts")
        if self.parts.get(index, digits) != digits:
            raise VerificationError(Verdict.INVALID, Reason.CHUNK_INVALID, f"part {index} differs from before")
        self.total = total
        self.parts[index] = digits
        if len(self.parts) < total:
            return None
        joined = "".join(self.parts[i] for i in range(1, total + 1))
        self.reset()
        return PREFIX + joined

    def reset(self) -> None:
        self.total = None
        self.parts = {}
