"""Pure helpers behind the staff screens: ID-number feedback as it is typed, and the PIN lockout guard.

No Qt here, so both are tested directly. `PinGuard` takes the time as an argument (monotonic seconds), so the
lockout is tested without waiting.
"""
from __future__ import annotations

from dataclasses import dataclass

from kiosk.core.identity.idnumber import gb11643_check_char

ID_LENGTH = 18


@dataclass(frozen=True)
class EntryFeedback:
    state: str  # "incomplete" | "valid" | "bad_check" | "bad_char" | "too_long"
    key: str  # kiosk.core.outcome.strings key for the message
    fields: dict
    accept_x: bool  # whether X may be typed next

    @property
    def complete_and_valid(self) -> bool:
        return self.state == "valid"


def id_entry_feedback(typed: str) -> EntryFeedback:
    """What to tell staff about a partly typed ID number: how many left, or whether the check character fits."""
    value = "".join(typed.split()).upper()
    if len(value) > ID_LENGTH:
        return EntryFeedback("too_long", "entry.too_long", {}, False)
    body, last = value[:17], value[17:]
    if not body.isdigit() and body:
        return EntryFeedback("bad_char", "entry.bad_char", {}, False)
    if len(value) < ID_LENGTH:
        return EntryFeedback("incomplete", "entry.more", {"count": ID_LENGTH - len(value)}, len(value) == 17)
    if not (last.isdigit() or last == "X"):
        return EntryFeedback("bad_char", "entry.bad_char", {}, False)
    if gb11643_check_char(body) != last:
        return EntryFeedback("bad_check", "entry.bad_check", {}, False)
    return EntryFeedback("valid", "entry.valid", {}, False)


class PinGuard:
    """Counts wrong PINs; after `max_failures` in a row the PIN is refused for `lockout_seconds`."""

    def __init__(self, max_failures: int, lockout_seconds: float) -> None:
        self.max_failures = max(1, int(max_failures))
        self.lockout_seconds = float(lockout_seconds)
        self.failures = 0
        self.locked_until = 0.0

    def remaining(self, now: float) -> float:
        return max(0.0, self.locked_until - now)

    def is_locked(self, now: float) -> bool:
        return self.remaining(now) > 0

    def record(self, ok: bool, now: float) -> None:
        if ok:
            self.failures = 0
            return
        self.failures += 1
        if self.failures >= self.max_failures:
            self.locked_until = now + self.lockout_seconds
            self.failures = 0
