"""What a GateController and a PassageSensor report (through on_event, on their own threads)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GateAvailable:
    relay: str


@dataclass(frozen=True)
class GateUnavailable:
    """The relay is lost (unplugged, not found, a write failed): a device fault; the gate stays shut."""

    relay: str
    reason: str


@dataclass(frozen=True)
class GateOpened:
    source: str  # pass | staff | hold
    open_ms: int  # how long it will stay open unless a passage closes it (0 for hold)
    at: float = 0.0  # time.perf_counter() when the "on" command had been written to the relay (0: already on)


@dataclass(frozen=True)
class GateClosed:
    reason: str  # timeout | passed | staff | fault | stop


@dataclass(frozen=True)
class GateRefused:
    """An opening that did not happen: locked, relay lost, or the same check a second time."""

    source: str
    reason: str  # locked | unavailable | repeated


@dataclass(frozen=True)
class GateModeChanged:
    mode: str  # normal | held_open | locked


@dataclass(frozen=True)
class PassageSeen:
    """The passage sensor saw one person go through (sensor thread)."""


@dataclass(frozen=True)
class Tailgating:
    """A passage that no check (or staff opening) allowed; `count` since the kiosk started."""

    count: int


@dataclass(frozen=True)
class SensorAvailable:
    sensor: str


@dataclass(frozen=True)
class SensorUnavailable:
    sensor: str
    reason: str
