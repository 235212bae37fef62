"""The LCUS USB-serial relay boards' protocol (CH340 bridge, 9600 8N1): sans-I/O encoder and decoder.

Why: the common 1/2/4/8-channel boards sold as "LCUS-1" take one 4-byte frame per switch,
`A0 CH STATE SUM` with SUM the low byte of A0 + CH + STATE (`A0 01 01 A2` on, `A0 01 00 A1` off) and answer
nothing. The encoder is what the driver writes; the decoder is what the emulator (or a bench sniffer) reads:
it resynchronises on `A0` and reports frames with a bad sum or an unknown state as faults. Pure functions and
one small stateful decoder; no I/O, no clock.
"""
from __future__ import annotations

from dataclasses import dataclass

HEADER = 0xA0
FRAME_LEN = 4
MAX_CHANNEL = 8  # LCUS-1/2/4/8
OFF, ON = 0x00, 0x01
BAUDRATE = 9600


class LcusError(ValueError):
    """A channel or state the boards do not have."""


@dataclass(frozen=True)
class RelayCommand:
    channel: int
    on: bool


@dataclass(frozen=True)
class LcusFault:
    reason: str  # bad_checksum | bad_state | bad_channel
    frame: bytes


def checksum(channel: int, state: int) -> int:
    return (HEADER + channel + state) & 0xFF


def encode(channel: int, on: bool) -> bytes:
    """The frame that switches `channel` (1..8) on or off."""
    if not isinstance(channel, int) or not 1 <= channel <= MAX_CHANNEL:
        raise LcusError(f"channel must be 1..{MAX_CHANNEL}, not {channel!r}")
    state = ON if on else OFF
    return bytes((HEADER, channel, state, checksum(channel, state)))


class LcusDecoder:
    """Feed received bytes; get RelayCommand / LcusFault items. Bytes before a header are skipped."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[RelayCommand | LcusFault]:
        self._buffer += data
        out: list[RelayCommand | LcusFault] = []
        while True:
            start = self._buffer.find(HEADER)
            if start < 0:
                self._buffer.clear()
                return out
            del self._buffer[:start]
            if len(self._buffer) < FRAME_LEN:
                return out
            frame = bytes(self._buffer[:FRAME_LEN])
            item = _parse(frame)
            if isinstance(item, LcusFault) and item.reason == "bad_checksum":
                del self._buffer[:1]  # maybe a stray A0: look for the next header inside this frame
            else:
                del self._buffer[:FRAME_LEN]
            out.append(item)


def _parse(frame: bytes) -> RelayCommand | LcusFault:
    _, channel, state, total = frame
    if total != checksum(channel, state):
        return LcusFault("bad_checksum", frame)
    if state not in (ON, OFF):
        return LcusFault("bad_state", frame)
    if not 1 <= channel <= MAX_CHANNEL:
        return LcusFault("bad_channel", frame)
    return RelayCommand(channel, state == ON)
