"""The text layers shared by HC1-style passes: prefix, base45 and bounded zlib, each failure typed."""
from __future__ import annotations

import zlib

from kiosk.core.codec.base45 import Base45Error, b45decode
from kiosk.core.outcome.verdicts import Reason, Verdict, VerificationError

MAX_TEXT_CHARS = 8192  # a QR code holds at most 4296 alphanumeric characters
MAX_INFLATED_BYTES = 64 * 1024  # a pass is a few hundred bytes; anything near this is a bomb


def strip_prefix(text: str, prefix: str) -> str:
    if len(text) > MAX_TEXT_CHARS:
        raise VerificationError(Verdict.INVALID, Reason.INPUT_TOO_LARGE, f"{len(text)} characters")
    if not text.startswith(prefix):
        raise VerificationError(Verdict.UNSUPPORTED_FORMAT, Reason.UNKNOWN_PREFIX)
    return text[len(prefix):]


def base45_bytes(text: str) -> bytes:
    try:
        return b45decode(text)
    except Base45Error as exc:
        raise VerificationError(Verdict.INVALID, Reason.BASE45_INVALID, str(exc)) from None


def inflate(data: bytes, wbits: int = zlib.MAX_WBITS, limit: int = MAX_INFLATED_BYTES) -> bytes:
    """Decompress at most `limit` bytes; a stream that would inflate further is rejected as a bomb."""
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(data, limit)
        if inflater.unconsumed_tail:
            raise VerificationError(Verdict.INVALID, Reason.DECOMPRESSED_TOO_LARGE, f"over {limit} bytes")
        out += inflater.flush()
    except zlib.error as exc:
        raise VerificationError(Verdict.INVALID, Reason.DECOMPRESSION_FAILED, str(exc)) from None
    if not inflater.eof:
        raise VerificationError(Verdict.INVALID, Reason.DECOMPRESSION_FAILED, "truncated stream")
    if len(out) > limit:
        raise VerificationError(Verdict.INVALID, Reason.DECOMPRESSED_TOO_LARGE, f"over {limit} bytes")
    return out
