"""A SAM card-reader module in software, on a pty or a socket: cards to place and lift, faults to inject.

Why: to develop, test and demo the driver with no hardware, the emulator must behave like the module on the
wire: the same frames, the GA/T 467 status codes, the wire time at its baud rate, a configurable SAM delay,
both re-find behaviours (`9F` or `80` while a read card still lies), and the faults seen at gates. Requests
are answered on the link's thread; place/lift/fault methods may be called from any thread.
"""
from __future__ import annotations

import hashlib
import random
import threading
from collections import Counter
from dataclasses import dataclass, field

from drivers.emulation import Link, OnTheCable
from drivers.sam.card_text import encode_text_block
from drivers.sam.protocol import (BAUD_CODES, DEFAULT_COMMANDS, DEFAULT_ENVELOPE, CommandSet, Envelope, Request,
                                  RequestDecoder, Response, Sw3, encode_response)
from kiosk.core.identity.card import CardIdentity

REALISTIC_DELAYS = {"find": 0.02, "select": 0.03, "read_text_photo": 0.45, "read_with_fingerprint": 0.6}
SAM_ID = bytes.fromhex("0501000020121031000000000000000A")[:16]


@dataclass
class _Faults:
    statuses: dict[str, list[int]] = field(default_factory=dict)  # function -> SW3 answers to give, in order
    bad_checksums: list[str] = field(default_factory=list)  # one entry per frame to spoil: a function or ""
    half_frames: list[str] = field(default_factory=list)
    noise: bytes = b""
    stuck: bool = False
    wrong_baud: bool = False
    chunk: int = 64
    gap_s: float = 0.0


class ReaderEmulator(OnTheCable):
    def __init__(self, *, sam_delay_s: float = 0.0, baudrate: int = 115200, refind: str = "9F",
                 command_delays: dict[str, float] | None = None, fingerprint: bool = False,
                 commands: CommandSet = DEFAULT_COMMANDS, envelope: Envelope = DEFAULT_ENVELOPE,
                 pace: bool = True, seed: int = 0) -> None:
        if refind not in ("9F", "80"):
            raise ValueError("refind is '9F' (module keeps finding a read card) or '80' (it stops)")
        self.sam_delay_s = sam_delay_s
        self.baudrate = baudrate
        self.refind = refind
        self.command_delays = dict(command_delays or {})
        self.fingerprint = fingerprint
        self.commands = commands
        self.envelope = envelope
        self.pace = pace
        self.requests: Counter[str] = Counter()  # function name -> requests answered (tests read it)
        self._decoder = RequestDecoder(envelope)
        self._lock = threading.RLock()
        self._answered = threading.Condition(self._lock)
        self._card: CardIdentity | None = None
        self._card_read = False
        self._selected = False
        self._faults = _Faults()
        self._rng = random.Random(seed)
        self._link = Link(self._on_bytes, name="sam-emulator")
        self._generation = 0

    # ------------------------------------------------------------------ the card
    def place(self, card: CardIdentity) -> None:
        with self._lock:
            self._card, self._card_read, self._selected = card, False, False

    def lift(self) -> None:
        with self._lock:
            self._card, self._card_read, self._selected = None, False, False

    def wait_answered(self, function: str, count: int, timeout: float = 3.0) -> bool:
        """Block until `count` requests for `function` have been answered in all (tests synchronise on it)."""
        with self._answered:
            return self._answered.wait_for(lambda: self.requests[function] >= count, timeout)

    # ------------------------------------------------------------------ faults
    def clear_faults(self) -> None:
        with self._lock:
            chunk, gap_s = self._faults.chunk, self._faults.gap_s
            self._faults = _Faults(chunk=chunk, gap_s=gap_s)

    def fail_next(self, function: str, sw3: int, times: int = 1) -> None:
        """Answer the next `times` requests for `function` ('find', 'select', 'read_text_photo', 'status'...)
        with status `sw3` instead of the normal answer."""
        with self._lock:
            self._faults.statuses.setdefault(function, []).extend([sw3] * times)

    def corrupt_next_checksums(self, times: int = 1, function: str = "") -> None:
        """Spoil the XOR of the next `times` answers (to `function` only, when given)."""
        with self._lock:
            self._faults.bad_checksums += [function] * times

    def truncate_next_responses(self, times: int = 1, function: str = "") -> None:
        """Send only the first half of the next answers (to `function` only, when given): a half frame."""
        with self._lock:
            self._faults.half_frames += [function] * times

    def send_noise_now(self, data: bytes | None = None, n: int = 64) -> None:
        """Unsolicited line noise, between transactions (e.g. a motor starting beside the cable)."""
        self._link.send(data if data is not None else self._rng.randbytes(n))

    def inject_noise(self, data: bytes | None = None, n: int = 64) -> None:
        """Line noise written before the next response."""
        with self._lock:
            self._faults.noise += data if data is not None else self._rng.randbytes(n)

    def set_stuck(self, stuck: bool = True) -> None:
        """A hung SAM: requests are swallowed without an answer until released."""
        with self._lock:
            self._faults.stuck = stuck

    def set_wrong_baud(self, wrong: bool = True) -> None:
        """Behave as if host and module disagree on the baud rate (what a socket link cannot show by itself)."""
        with self._lock:
            self._faults.wrong_baud = wrong

    def set_fragmentation(self, chunk: int = 64, gap_s: float = 0.0) -> None:
        with self._lock:
            self._faults.chunk, self._faults.gap_s = max(1, chunk), max(0.0, gap_s)

    # ------------------------------------------------------------------ the module (link thread)
    def _baud_mismatch(self) -> bool:
        client = self._link.client_baudrate()
        return self._faults.wrong_baud or (client is not None and client != self.baudrate)

    def _on_bytes(self, data: bytes) -> None:
        if self._link.generation != self._generation:  # replugged: the module restarted, half requests are gone
            self._generation = self._link.generation
            self._decoder.reset()
        if self._baud_mismatch():
            # A UART at the wrong speed sees framing garbage: nothing it receives parses as a request.
            data = bytes(b ^ 0x5A for b in data)
        for item in self._decoder.feed(data):
            if isinstance(item, Request):
                self._answer(item)
            # A frame error on the module side gets no answer (the host's frame is lost), as on the wire.

    def _answer(self, request: Request) -> None:
        function = self.commands.function_of(request)
        generation = self._generation
        with self._lock:
            if self._faults.stuck:
                return
            response = self._respond(function, request)
            frame = encode_response(response, self.envelope)
            frame = self._apply_frame_faults(frame, function)
            delay = self.sam_delay_s + self.command_delays.get(function, 0.0)
            chunk, gap_s = self._faults.chunk, self._faults.gap_s
            self.requests[function or "unknown"] += 1
            self._answered.notify_all()
        if delay > 0:
            threading.Event().wait(delay)  # the SAM thinking; this thread has nothing else to do meanwhile
        baud = self.baudrate if self.pace else None
        self._link.send(frame, baudrate=baud, chunk=chunk, gap_s=gap_s, generation=generation)
        if function == "set_baud" and response.sw3 == Sw3.SUCCESS and request.para < len(BAUD_CODES):
            self.baudrate = BAUD_CODES[request.para]

    def _apply_frame_faults(self, frame: bytes, function: str) -> bytes:
        faults = self._faults
        if _take(faults.bad_checksums, function):
            frame = frame[:-1] + bytes([frame[-1] ^ 0xFF])
        if _take(faults.half_frames, function):
            frame = frame[: max(1, len(frame) // 2)]
        if faults.noise:
            frame, faults.noise = faults.noise + frame, b""
        return frame

    def _respond(self, function: str, request: Request) -> Response:
        queued = self._faults.statuses.get(function)
        if queued:
            return Response(0, 0, queued.pop(0))
        if function in ("reset", "status", "set_rf_bytes"):
            return Response(0, 0, Sw3.SUCCESS)
        if function == "set_baud":
            return Response(0, 0, Sw3.SUCCESS if request.para < len(BAUD_CODES) else Sw3.BAD_COMMAND)
        if function == "sam_id":
            return Response(0, 0, Sw3.SUCCESS, SAM_ID)
        if function == "find":
            found = self._card is not None and not (self._card_read and self.refind == "80")
            return Response(0, 0, Sw3.CARD_FOUND, bytes(4)) if found else Response(0, 0, Sw3.NO_CARD)
        if function == "select":
            self._selected = self._card is not None
            return Response(0, 0, Sw3.SUCCESS, bytes(8)) if self._selected else Response(0, 0, Sw3.SELECT_FAILED)
        if function in ("read_text_photo", "read_with_fingerprint"):
            return self._read(function == "read_with_fingerprint")
        if function == "read_address":
            return Response(0, 0, Sw3.NO_CONTENT)
        return Response(0, 0, Sw3.BAD_COMMAND)

    def _read(self, with_fingerprint: bool) -> Response:
        if self._card is None or not self._selected:
            return Response(0, 0, Sw3.READ_FAILED)
        text = encode_text_block(self._card)
        photo = _filler(b"photo" + text, 1024)  # opaque bytes in place of a WLT image
        lengths = len(text).to_bytes(2, "big") + len(photo).to_bytes(2, "big")
        data = lengths + text + photo
        if with_fingerprint:
            fp = _filler(b"fp" + text, 1024) if self.fingerprint else b""
            data = lengths + len(fp).to_bytes(2, "big") + text + photo + fp
        self._card_read = True
        return Response(0, 0, Sw3.SUCCESS, data)


def _take(pending: list[str], function: str) -> bool:
    """Consume one pending fault that applies to `function` ("" applies to any)."""
    for i, target in enumerate(pending):
        if target in ("", function):
            del pending[i]
            return True
    return False


def _filler(seed: bytes, size: int) -> bytes:
    out = b""
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    return out[:size]
