"""Sans-I/O codec for line-oriented scanners: bytes (and the time) in, scanned texts and typed faults out.

Why: a scanner in continuous mode types each code followed by CR or CRLF, repeats a code while it stays in
view, and a long cable picks up noise; the codec strips terminators, caps the line length, drops what is not
text, and suppresses the same code within a delay. Time is an argument, so tests need no clock. Owned by one
thread (the scanner's).
"""
from __future__ import annotations

from dataclasses import dataclass

MAX_LINE = 4096


@dataclass(frozen=True)
class Line:
    text: str


@dataclass(frozen=True)
class Reply:
    """A GM65-style command reply (`02 00 00 LEN DATA CRC`) taken out of the code stream."""

    raw: bytes


@dataclass(frozen=True)
class LineFault:
    reason: str  # line_too_long | not_text | garbage
    detail: str = ""


class LineDecoder:
    def __init__(self, *, max_line: int = MAX_LINE, same_code_delay_s: float = 1.5,
                 idle_flush_s: float | None = None) -> None:
        self.max_line = max_line
        self.same_code_delay_s = same_code_delay_s
        self.idle_flush_s = idle_flush_s  # for scanners set up without a suffix: a pause ends a code
        self._buf = bytearray()
        self._overflow = False
        self._after_cr = False
        self._last_text: str | None = None
        self._last_seen = float("-inf")
        self._last_byte_at = float("-inf")

    def feed(self, data: bytes, now: float) -> list[Line | LineFault | Reply]:
        out: list[Line | LineFault | Reply] = []
        if data:
            self._last_byte_at = now
        for byte in data:
            if byte in (0x0D, 0x0A) and not self._in_reply():
                if byte == 0x0A and self._after_cr:
                    self._after_cr = False
                    continue  # the LF of a CRLF
                self._after_cr = byte == 0x0D
                out += self._end_line(now)
                continue
            self._after_cr = False
            if self._overflow:
                continue
            if len(self._buf) >= self.max_line:
                self._overflow = True
                self._buf.clear()
                continue
            self._buf.append(byte)
            if self._buf[:3] == b"\x02\x00\x00" and len(self._buf) >= 4 and len(self._buf) == 6 + self._buf[3]:
                out.append(Reply(bytes(self._buf)))  # no code starts with STX NUL NUL
                self._buf.clear()
        return out

    def _in_reply(self) -> bool:
        """Inside a command reply, whose data and CRC may hold CR/LF bytes."""
        return self._buf[:3] == b"\x02\x00\x00"[: len(self._buf[:3])] and 0 < len(self._buf) and self._buf[0] == 2

    def flush_idle(self, now: float) -> list[Line | LineFault]:
        """With idle_flush_s set, an unterminated line that has rested that long is a complete code."""
        if self.idle_flush_s is None or not (self._buf or self._overflow):
            return []
        if now - self._last_byte_at < self.idle_flush_s:
            return []
        return self._end_line(now)

    def _end_line(self, now: float) -> list[Line | LineFault]:
        raw, overflow = bytes(self._buf), self._overflow
        self._buf.clear()
        self._overflow = False
        if overflow:
            return [LineFault("line_too_long", f"a line longer than {self.max_line} bytes was dropped")]
        if not raw:
            return []
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return [LineFault("not_text", f"{len(raw)} bytes that are not UTF-8")]
        if any(ord(c) < 0x20 and c != "\t" or ord(c) == 0x7F for c in text):
            return [LineFault("garbage", f"{len(raw)} bytes with control characters")]
        if text == self._last_text and now - self._last_seen < self.same_code_delay_s:
            self._last_seen = now  # still in view: the window slides, the code is read once
            return []
        self._last_text, self._last_seen = text, now
        return [Line(text)]
