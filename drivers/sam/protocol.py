"""Sans-I/O codec for the SAM frame protocol: requests out as bytes, bytes in as frames or typed frame errors.

Why sans-I/O: the same code serves the driver thread, the emulator, the tests and the fuzzer, and no byte
sequence from the wire can raise. The envelope (preamble, length, XOR) and the command table are objects so
OEM variants can be swapped in. Not thread-safe: each decoder belongs to the one thread that feeds it.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

MAX_BODY = 4096  # the largest known response (text + photo + fingerprint) has a 2314-byte body


def wire_time(n_bytes: int, baudrate: int) -> float:
    """Seconds that n bytes take on the module's 8N1 UART (10 bits a byte): part of every answer's deadline."""
    return n_bytes * 10.0 / baudrate


class Sw3(enum.IntEnum):
    """SAM status byte (SW3) as listed in GA/T 467; unknown values stay plain ints."""

    SUCCESS = 0x90
    NO_CONTENT = 0x91
    CARD_FOUND = 0x9F
    HOST_CHECKSUM_ERROR = 0x10
    HOST_LENGTH_ERROR = 0x11
    BAD_COMMAND = 0x21
    NOT_PERMITTED = 0x23
    UNKNOWN_ERROR = 0x24
    CARD_AUTH_SAM_FAILED = 0x31
    SAM_AUTH_CARD_FAILED = 0x32
    INFO_CHECK_FAILED = 0x33
    UNKNOWN_CARD_TYPE = 0x40
    READ_FAILED = 0x41
    NO_RANDOM = 0x47
    SELF_TEST_FAILED = 0x60
    SAM_NOT_AUTHORISED = 0x66
    NO_CARD = 0x80
    SELECT_FAILED = 0x81


def sw3_name(sw3: int) -> str:
    try:
        return Sw3(sw3).name
    except ValueError:
        return f"UNKNOWN_SW3_{sw3:02X}"


@dataclass(frozen=True)
class Request:
    cmd: int
    para: int
    data: bytes = b""


@dataclass(frozen=True)
class Response:
    sw1: int
    sw2: int
    sw3: int
    data: bytes = b""

    @property
    def status_name(self) -> str:
        return sw3_name(self.sw3)


@dataclass(frozen=True)
class FrameError:
    """Something on the wire that is not a valid frame. kind: noise | bad_length | checksum | too_short."""

    kind: str
    detail: str = ""


@dataclass(frozen=True)
class CommandSet:
    """(CMD, PARA) of each function; replace for OEM modules with other codes."""

    reset: tuple[int, int] = (0x10, 0xFF)
    status: tuple[int, int] = (0x11, 0xFF)
    sam_id: tuple[int, int] = (0x12, 0xFF)
    find: tuple[int, int] = (0x20, 0x01)
    select: tuple[int, int] = (0x20, 0x02)
    read_text_photo: tuple[int, int] = (0x30, 0x01)
    read_with_fingerprint: tuple[int, int] = (0x30, 0x10)
    read_address: tuple[int, int] = (0x30, 0x03)
    set_rf_bytes: tuple[int, int] = (0x61, 0xFF)
    set_baud: int = 0x60  # PARA 00..04 = 115200, 57600, 38400, 19200, 9600 (unverified)

    def request(self, function: str, data: bytes = b"") -> Request:
        cmd, para = getattr(self, function)
        return Request(cmd, para, data)

    def function_of(self, request: Request) -> str:
        """The function name of a request, or '' when the table does not know it (the emulator uses this)."""
        for name in ("reset", "status", "sam_id", "find", "select", "read_text_photo",
                     "read_with_fingerprint", "read_address", "set_rf_bytes"):
            if getattr(self, name) == (request.cmd, request.para):
                return name
        if request.cmd == self.set_baud:
            return "set_baud"
        return ""


BAUD_CODES = (115200, 57600, 38400, 19200, 9600)
DEFAULT_COMMANDS = CommandSet()


def xor(data: bytes | bytearray | memoryview) -> int:
    """XOR of all bytes, folded as one big integer (a 1290-byte answer in microseconds, not a Python loop)."""
    value = int.from_bytes(data, "little")
    width = len(data)
    while width > 1:
        half = (width + 1) // 2
        value = (value & ((1 << (8 * half)) - 1)) ^ (value >> (8 * half))
        width = half
    return value & 0xFF


class Envelope:
    """`AA AA AA 96 69 | LEN_HI LEN_LO | body | CHK`, LEN counting body + CHK, CHK = XOR from LEN_HI on."""

    preamble = b"\xAA\xAA\xAA\x96\x69"
    length_size = 2

    def wrap(self, body: bytes) -> bytes:
        length = (len(body) + 1).to_bytes(2, "big")
        return self.preamble + length + body + bytes([xor(length + body)])

    def header_size(self) -> int:
        return len(self.preamble) + self.length_size

    def body_length(self, header: bytes) -> int:
        """Body bytes after the header, excluding the trailer (CHK)."""
        return int.from_bytes(header[len(self.preamble):], "big") - 1

    def trailer_size(self) -> int:
        return 1

    def check(self, frame: bytes) -> bool:
        return xor(frame[len(self.preamble):-1]) == frame[-1]

    def body(self, frame: bytes) -> bytes:
        return frame[self.header_size():-self.trailer_size()]


class StxEnvelope(Envelope):
    """`02 | LEN_HI LEN_LO | body | LRC | 03` seen on some multi-function readers (*unverified*: LEN counts the
    body only, LRC = XOR of LEN and body)."""

    preamble = b"\x02"

    def wrap(self, body: bytes) -> bytes:
        length = len(body).to_bytes(2, "big")
        return self.preamble + length + body + bytes([xor(length + body), 0x03])

    def body_length(self, header: bytes) -> int:
        return int.from_bytes(header[1:], "big")

    def trailer_size(self) -> int:
        return 2

    def check(self, frame: bytes) -> bool:
        return frame[-1] == 0x03 and xor(frame[1:-2]) == frame[-2]


DEFAULT_ENVELOPE = Envelope()


def encode_request(request: Request, envelope: Envelope = DEFAULT_ENVELOPE) -> bytes:
    return envelope.wrap(bytes([request.cmd & 0xFF, request.para & 0xFF]) + request.data)


def encode_response(response: Response, envelope: Envelope = DEFAULT_ENVELOPE) -> bytes:
    return envelope.wrap(bytes([response.sw1, response.sw2, response.sw3]) + response.data)


class Deframer:
    """Bytes in, frame bodies (bytes) and FrameErrors out. Resynchronises on the preamble after any error."""

    def __init__(self, envelope: Envelope = DEFAULT_ENVELOPE, *, min_body: int = 2, max_body: int = MAX_BODY):
        self.envelope = envelope
        self.min_body = min_body
        self.max_body = max_body
        self._buf = bytearray()

    def reset(self) -> None:
        self._buf.clear()

    @property
    def pending(self) -> int:
        return len(self._buf)

    def feed(self, data: bytes) -> list[bytes | FrameError]:
        self._buf += data
        out: list[bytes | FrameError] = []
        while True:
            item = self._next()
            if item is None:
                return out
            out.append(item)

    def _next(self) -> bytes | FrameError | None:
        env, buf = self.envelope, self._buf
        start = buf.find(env.preamble)
        if start < 0:
            keep = len(env.preamble) - 1
            if len(buf) > keep:
                dropped = len(buf) - keep
                del buf[:dropped]  # the last bytes may be the start of a preamble: keep them
                return FrameError("noise", f"{dropped} bytes outside a frame")
            return None
        if start > 0:
            del buf[:start]
            return FrameError("noise", f"{start} bytes before a preamble")
        header = env.header_size()
        if len(buf) < header:
            return None
        body_len = env.body_length(bytes(buf[:header]))
        if body_len < self.min_body or body_len > self.max_body:
            del buf[:1]
            return FrameError("bad_length", f"body of {body_len} bytes")
        total = header + body_len + env.trailer_size()
        if len(buf) < total:
            return None
        frame = bytes(buf[:total])
        if not env.check(frame):
            del buf[:1]
            return FrameError("checksum", "XOR check failed")
        del buf[:total]
        return env.body(frame)


class ResponseDecoder:
    """Host side: bytes in, Response / FrameError out."""

    def __init__(self, envelope: Envelope = DEFAULT_ENVELOPE, *, max_body: int = MAX_BODY):
        self._deframer = Deframer(envelope, min_body=3, max_body=max_body)

    def reset(self) -> None:
        self._deframer.reset()

    @property
    def pending(self) -> int:
        """Bytes held while waiting for the rest of a frame."""
        return self._deframer.pending

    def feed(self, data: bytes) -> list[Response | FrameError]:
        return [Response(b[0], b[1], b[2], b[3:]) if isinstance(b, bytes) else b for b in self._deframer.feed(data)]


class RequestDecoder:
    """Module side (the emulator): bytes in, Request / FrameError out."""

    def __init__(self, envelope: Envelope = DEFAULT_ENVELOPE, *, max_body: int = 256):
        self._deframer = Deframer(envelope, min_body=2, max_body=max_body)

    def reset(self) -> None:
        self._deframer.reset()

    def feed(self, data: bytes) -> list[Request | FrameError]:
        return [Request(b[0], b[1], b[2:]) if isinstance(b, bytes) else b for b in self._deframer.feed(data)]
