"""One open connection to a SAM module: request/answer transactions with timeouts, and the card read.

Why separate from the presence loop: read_one_card (the CLI) and CardReader (the kiosk) share every wire
detail here, and the loop stays about states. Called only from the thread that owns the port.
"""
from __future__ import annotations

import threading
import time

import serial

from drivers.sam.card_text import TEXT_SIZE, CardTextError, decode_text_block
from drivers.sam.errors import (CardDataError, ChecksumError, Disconnected, ResponseShapeError, ResponseTimeout,
                                SamStatusError)
from drivers.sam.protocol import (DEFAULT_COMMANDS, DEFAULT_ENVELOPE, CommandSet, Envelope, FrameError, Response,
                                  ResponseDecoder, Sw3, encode_request, wire_time)
from kiosk.core.identity.card import CardIdentity

# Seconds the module may think before answering (real drivers: find 800 ms, select 300 ms, read 1100 ms),
# to which the wire time of the longest answer at the link's baud rate is added.
BASE_TIMEOUTS = {"find": 0.8, "select": 0.3, "read_text_photo": 1.1, "read_with_fingerprint": 1.1}
ANSWER_BYTES = {"find": 15, "select": 19, "read_text_photo": 1295, "read_with_fingerprint": 2321}


class SamSession:
    def __init__(self, port: serial.SerialBase, *, commands: CommandSet = DEFAULT_COMMANDS,
                 envelope: Envelope = DEFAULT_ENVELOPE, timeouts: dict[str, float] | None = None,
                 fingerprint: bool = False, stop: threading.Event | None = None) -> None:
        self.port = port
        self.commands = commands
        self.envelope = envelope
        self.timeouts = {**BASE_TIMEOUTS, **(timeouts or {})}
        self.fingerprint = fingerprint
        self._stop = stop or threading.Event()
        self._decoder = ResponseDecoder(envelope)

    def timeout_for(self, function: str) -> float:
        baud = getattr(self.port, "baudrate", 115200) or 115200
        return self.timeouts.get(function, 0.5) + wire_time(ANSWER_BYTES.get(function, 64), baud)

    def transact(self, function: str, data: bytes = b"", timeout: float | None = None) -> Response:
        """Send one request, wait for its answer. Raises Disconnected, ResponseTimeout or ChecksumError."""
        frame = encode_request(self.commands.request(function, data), self.envelope)
        timeout = self.timeout_for(function) if timeout is None else timeout
        try:
            if self.port.in_waiting:
                self.port.reset_input_buffer()  # stale bytes belong to no answer of ours
            self._decoder.reset()
            self.port.write(frame)
            return self._await(function, time.monotonic() + timeout)
        except serial.SerialTimeoutException as exc:
            raise ResponseTimeout(f"{function}: write blocked ({exc})") from None
        except (serial.SerialException, OSError) as exc:
            raise Disconnected(str(exc) or type(exc).__name__) from None

    def _await(self, function: str, deadline: float) -> Response:
        errors: list[FrameError] = []
        while not self._stop.is_set():
            chunk = self.port.read(self.port.in_waiting or 1)
            if chunk:
                items = self._decoder.feed(chunk)
                for item in items:
                    if isinstance(item, Response) and can_answer(function, item.sw3):
                        return item  # anything else is a late answer to an earlier request: skip it
                errors += [e for e in items if isinstance(e, FrameError)]
                if any(e.kind == "checksum" for e in errors):
                    raise ChecksumError(f"{function}: the answer failed its XOR check")
            if time.monotonic() >= deadline:
                kinds = ", ".join(sorted({e.kind for e in errors})) or "silence"
                raise ResponseTimeout(f"{function}: no answer in time ({kinds}, "
                                      f"{self._decoder.pending} bytes pending)")
        raise ResponseTimeout(f"{function}: stopped")

    def expect(self, function: str, ok: int = Sw3.SUCCESS, data: bytes = b"") -> Response:
        response = self.transact(function, data)
        if response.sw3 != ok:
            raise SamStatusError(function, response.sw3)
        return response

    def read_card(self) -> CardIdentity:
        """Select, then read text + photo; decode the text block only. Raises a ReaderError subclass."""
        self.expect("select")
        function = "read_with_fingerprint" if self.fingerprint else "read_text_photo"
        response = self.expect(function)
        return decode_card_answer(response.data, with_fingerprint=self.fingerprint)


_FIND_ONLY = frozenset({Sw3.CARD_FOUND, Sw3.NO_CARD})
_NEVER_FIND = frozenset({Sw3.SUCCESS, Sw3.NO_CONTENT, Sw3.SELECT_FAILED})


def can_answer(function: str, sw3: int) -> bool:
    """Whether a status byte can answer this request. The protocol has no request ids, so a late answer (e.g. to
    a find sent just before a cable was pulled and replugged) must be told apart by its status alone: 9F and 80
    answer only find, and 90, 91 and 81 never answer find."""
    if function == "find":
        return sw3 not in _NEVER_FIND
    return sw3 not in _FIND_ONLY


def decode_card_answer(data: bytes, *, with_fingerprint: bool = False) -> CardIdentity:
    """The data of a 30 01 / 30 10 answer -> CardIdentity. The photo and fingerprint bytes are skipped unread."""
    header = 6 if with_fingerprint else 4
    if len(data) < header:
        raise ResponseShapeError(f"card answer of {len(data)} bytes has no length fields")
    text_len = int.from_bytes(data[0:2], "big")
    if text_len != TEXT_SIZE or len(data) < header + text_len:
        raise ResponseShapeError(f"text length {text_len} in an answer of {len(data)} bytes")
    try:
        return decode_text_block(data[header:header + text_len])
    except CardTextError as exc:
        raise CardDataError(exc.code, exc.detail) from None


def answers_as_sam(port: serial.SerialBase, timeout: float = 0.3) -> bool:
    """True when a SAM module answers a status request on `port` (auto-detection's probe)."""
    from drivers.sam.errors import ReaderError

    try:
        return SamSession(port).transact("status", timeout=timeout).sw3 == Sw3.SUCCESS
    except ReaderError:
        return False
