"""Serial ports: open any pyserial URL, list candidate devices, and auto-detect known USB-serial bridges.

Why: gates use cheap readers behind CH340/PL2303/FTDI/CP210x bridges whose /dev/ttyUSBn name changes on
replug; `auto` re-resolves on every (re)connect. Called from the device threads and the CLI.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import serial
from serial.tools import list_ports

KNOWN_BRIDGES = {
    (0x1A86, 0x7523): "CH340",
    (0x067B, 0x2303): "PL2303",
    (0x0403, 0x6001): "FTDI",
    (0x10C4, 0xEA60): "CP210x",
}


class PortOpenError(OSError):
    """A port URL that cannot be opened now (absent, busy, no permission, nothing found for `auto`)."""


@dataclass(frozen=True)
class Candidate:
    device: str
    description: str
    hwid: str
    vid: int | None
    pid: int | None
    serial_number: str | None
    bridge: str  # CH340 / PL2303 / FTDI / CP210x, or "" for another device

    def to_json(self) -> dict:
        data = asdict(self)
        data["vid"] = f"{self.vid:04x}" if self.vid is not None else None
        data["pid"] = f"{self.pid:04x}" if self.pid is not None else None
        return data


def candidates() -> list[Candidate]:
    """Every serial device the OS lists, known USB-serial bridges first."""
    found = []
    for info in list_ports.comports():
        bridge = KNOWN_BRIDGES.get((info.vid, info.pid), "") if info.vid is not None else ""
        found.append(Candidate(info.device, info.description or "", info.hwid or "", info.vid, info.pid,
                               info.serial_number, bridge))
    return sorted(found, key=lambda c: (c.bridge == "", c.device))


def autodetect(exclude: tuple[str, ...] = ()) -> str:
    """The first known USB-serial bridge not in `exclude` (another device's port)."""
    for candidate in candidates():
        if candidate.bridge and candidate.device not in exclude:
            return candidate.device
    raise PortOpenError("auto: no CH340/PL2303/FTDI/CP210x serial bridge is plugged in")


def resolve(port_url: str, exclude: tuple[str, ...] = ()) -> str:
    return autodetect(exclude) if port_url.strip().lower() == "auto" else port_url


def open_port(port_url: str, *, baudrate: int, timeout: float = 0.05, write_timeout: float = 1.0,
              exclude: tuple[str, ...] = ()) -> serial.SerialBase:
    """Open a pyserial URL (/dev/ttyUSB0, socket://, loop://, hwgrep://VID:PID, or `auto`) 8N1, no flow control."""
    url = resolve(port_url, exclude)
    try:
        return serial.serial_for_url(url, baudrate=baudrate, bytesize=8, parity="N", stopbits=1,
                                     timeout=timeout, write_timeout=write_timeout)
    except (serial.SerialException, OSError, ValueError) as exc:
        raise PortOpenError(f"{url}: {exc}") from None
