"""What a QrScanner reports (through on_event, on the scanner's thread): codes, and its health in the shape every
device shares (drivers/device_status.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from drivers.device_status import DeviceState, DeviceStatus


@dataclass(frozen=True)
class CodeScanned:
    text: str


@dataclass(frozen=True)
class ScannerAvailable(DeviceStatus):
    device: ClassVar[str] = "scanner"
    state: ClassVar[DeviceState] = DeviceState.AVAILABLE


@dataclass(frozen=True)
class ScannerUnavailable(DeviceStatus):
    device: ClassVar[str] = "scanner"
    state: ClassVar[DeviceState] = DeviceState.UNAVAILABLE


@dataclass(frozen=True)
class ScannerFault(DeviceStatus):
    """A line that was dropped: reason is line_too_long, not_text or garbage."""

    device: ClassVar[str] = "scanner"
    state: ClassVar[DeviceState] = DeviceState.FAULT
