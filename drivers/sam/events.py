"""What a CardReader reports to the kiosk (through on_event, on the reader's thread): cards, and its health in
the shape every device shares (drivers/device_status.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from drivers.device_status import DeviceState, DeviceStatus
from kiosk.core.identity.card import CardIdentity


@dataclass(frozen=True)
class ReaderAvailable(DeviceStatus):
    device: ClassVar[str] = "reader"
    state: ClassVar[DeviceState] = DeviceState.AVAILABLE


@dataclass(frozen=True)
class ReaderUnavailable(DeviceStatus):
    device: ClassVar[str] = "reader"
    state: ClassVar[DeviceState] = DeviceState.UNAVAILABLE


@dataclass(frozen=True)
class CardPresented:
    card: CardIdentity


@dataclass(frozen=True)
class CardRemoved:
    pass


@dataclass(frozen=True)
class ReaderFault(DeviceStatus):
    """A problem the reader recovers from by itself; `reason` is a ReaderError code (see errors.py)."""

    device: ClassVar[str] = "reader"
    state: ClassVar[DeviceState] = DeviceState.FAULT
