"""ScreenState: what the kiosk window is showing. A StrEnum, so logs and tests may compare it with its name."""
from __future__ import annotations

import enum


class ScreenState(enum.StrEnum):
    NONE = ""
    IDLE = "idle"
    READING = "reading"
    VERDICT = "verdict"
    UNAVAILABLE = "unavailable"
    PAUSED = "paused"
    PIN_STAFF = "pin:staff"
    PIN_ADMIN = "pin:admin"
    STAFF = "staff"
    ADMIN = "admin"

    @property
    def is_citizen(self) -> bool:
        return self in (ScreenState.IDLE, ScreenState.READING, ScreenState.VERDICT, ScreenState.UNAVAILABLE,
                        ScreenState.PAUSED)

    @property
    def is_resting(self) -> bool:
        return self in (ScreenState.IDLE, ScreenState.UNAVAILABLE, ScreenState.PAUSED)
