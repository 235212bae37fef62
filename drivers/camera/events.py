"""Events the camera capture loop reports to the app (frozen dataclasses, safe to pass between threads): codes,
and its health in the shape every device shares (drivers/device_status.py).

The capture loop calls `on_event` with these from its own threads, one call at a time (never concurrently).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from drivers.device_status import DeviceState, DeviceStatus


@dataclass(frozen=True)
class CodeSeen:
    """A code was read and accepted (its format detected); announced once per repeat window."""

    text: str


@dataclass(frozen=True)
class CameraAvailable(DeviceStatus):
    """The source opened and frames are flowing."""

    device: ClassVar[str] = "camera"
    state: ClassVar[DeviceState] = DeviceState.AVAILABLE


@dataclass(frozen=True)
class CameraUnavailable(DeviceStatus):
    """The source could not be opened, stopped delivering frames, or (files and folders) reached its end."""

    device: ClassVar[str] = "camera"
    state: ClassVar[DeviceState] = DeviceState.UNAVAILABLE


CameraEvent = CodeSeen | CameraAvailable | CameraUnavailable
