"""The one shape every device reports its health in: reader, scanner and camera alike.

A `DeviceStatus` names the device kind, its source (port or camera source), whether it is available, and why
not (`reason`: a short code such as `disconnected` or `wrong_baud`; `detail`: words for staff). Each driver has
its own subclasses (`ReaderAvailable`, `ScannerFault`, `CameraUnavailable`, ...) so a listener can wait for one
kind, but the composition root handles them all with one branch. Frozen: safe to pass between threads.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import ClassVar


class DeviceState(enum.StrEnum):
    AVAILABLE = "available"
    UNAVAILABLE = "unavailable"  # not plugged in, unplugged, not answering, a file at its end
    FAULT = "fault"  # a problem the device recovers from by itself (a dropped line, a late answer)


@dataclass(frozen=True)
class DeviceStatus:
    source: str = ""  # the port (resolved when "auto") or the camera source
    reason: str = ""
    detail: str = ""
    device: ClassVar[str] = "device"
    state: ClassVar[DeviceState] = DeviceState.UNAVAILABLE

    @property
    def ok(self) -> bool:
        return self.state is DeviceState.AVAILABLE

    def describe(self) -> str:
        """What staff see: the reason code and its detail."""
        return ": ".join(part for part in (self.reason, self.detail) if part)
