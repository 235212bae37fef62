"""Configuration commands of common serial scanner engines (GM65/GM805/GM861, Newland, Honeywell) as bytes.

Why: a gate scanner must be put in continuous mode at a known speed; these builders and the reply parser are
pure, so the driver, the emulator and the tests share them. *Unverified* details (CRC use) stay optional.
"""
from __future__ import annotations

from dataclasses import dataclass

READ, WRITE, SAVE = 0x07, 0x08, 0x09
NO_CRC = b"\xAB\xCD"
BAUD_REGISTER = 0x002A
TRIGGER_REGISTER = 0x0002
WRITE_OK = bytes.fromhex("02 00 00 01 00 33 31")  # the reply to a successful write
HONEYWELL_TRIGGER = b"\x16\x54\x0D"
HONEYWELL_UNTRIGGER = b"\x16\x55\x0D"


def crc16_xmodem(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def command(kind: int, address: int, data: bytes, *, crc: bool = False) -> bytes:
    body = bytes([kind, len(data)]) + address.to_bytes(2, "big") + data
    check = crc16_xmodem(body).to_bytes(2, "big") if crc else NO_CRC
    return b"\x7E\x00" + body + check


def trigger() -> bytes:
    """One scan: `7E 00 08 01 00 02 01 AB CD`."""
    return command(WRITE, TRIGGER_REGISTER, b"\x01")


def baud_divisor(baudrate: int) -> bytes:
    return int(3_000_000 / baudrate + 0.5).to_bytes(2, "little")  # half up: 9600 -> 0x0139


def set_baud(baudrate: int) -> bytes:
    """Write register 0x002A = round(3 000 000 / baud), little-endian (115200 -> 1A 00)."""
    return command(WRITE, BAUD_REGISTER, baud_divisor(baudrate))


def save() -> bytes:
    return command(SAVE, 0x0000, b"\x00")


@dataclass(frozen=True)
class Gm65Command:
    kind: int
    address: int
    data: bytes


def parse_command(frame: bytes) -> Gm65Command | None:
    """The emulator's side: a host command, or None when the bytes are not one."""
    if len(frame) < 8 or frame[:2] != b"\x7E\x00":
        return None
    kind, length = frame[2], frame[3]
    if len(frame) != 8 + length:
        return None
    return Gm65Command(kind, int.from_bytes(frame[4:6], "big"), bytes(frame[6:6 + length]))


def newland(command_text: str, *, saved: bool = False) -> bytes:
    """Newland engines: `7E 01 '0000' ('#' temporary | '@' saved) COMMAND ';' 03` (e.g. SCNTRG1 starts a scan)."""
    return b"\x7E\x01" + b"0000" + (b"@" if saved else b"#") + command_text.encode("ascii") + b";\x03"
