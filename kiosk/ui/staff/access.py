"""Pure helpers behind the staff screens: ID-number feedback as it is typed, and the PIN lockout guard.

No Qt here, so both are tested directly. `PinGuard` takes the time as an argument (monotonic seconds), so the
lockout is tested without waiting.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

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


MAX_LOCKOUT_S = 3600.0


class PinGuard:
    """Counts wrong PINs; after `max_failures` in a row the PIN is refused for a while, longer each time.

    The first lockout lasts `lockout_seconds`, each further one twice the last (at most an hour); a right PIN
    ends the escalation. With a `store` (a JSON file) the state survives a restart: the times are wall-clock
    seconds, and a lockout read back is never longer than the cap, so a clock set forward or back cannot lock
    staff out for longer than an hour."""

    def __init__(self, max_failures: int, lockout_seconds: float, store: Path | None = None,
                 role: str = "staff") -> None:
        self.max_failures = max(1, int(max_failures))
        self.lockout_seconds = max(1.0, float(lockout_seconds))
        self.failures = 0
        self.lockouts = 0
        self.locked_until = 0.0
        self._store, self._role = store, role
        self._load()

    def remaining(self, now: float) -> float:
        return min(MAX_LOCKOUT_S, max(0.0, self.locked_until - now))

    def is_locked(self, now: float) -> bool:
        return self.remaining(now) > 0

    def record(self, ok: bool, now: float) -> None:
        if ok:
            self.failures = self.lockouts = 0
            self.locked_until = 0.0
        else:
            self.failures += 1
            if self.failures >= self.max_failures:
                self.lockouts += 1
                span = min(MAX_LOCKOUT_S, self.lockout_seconds * 2 ** (self.lockouts - 1))
                self.locked_until = now + span
                self.failures = 0
        self._save()

    def _load(self) -> None:
        if self._store is None:
            return
        try:
            entry = json.loads(Path(self._store).read_text(encoding="utf-8")).get(self._role, {})
            self.failures = max(0, min(int(entry.get("failures", 0)), self.max_failures))
            self.lockouts = max(0, min(int(entry.get("lockouts", 0)), 32))
            self.locked_until = float(entry.get("locked_until", 0.0))
        except (OSError, ValueError, TypeError, AttributeError):
            return  # no file yet, or an unreadable one: start counting afresh

    def _save(self) -> None:
        if self._store is None:
            return
        path = Path(self._store)
        try:
            data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
            if not isinstance(data, dict):
                data = {}
        except (OSError, ValueError):
            data = {}
        data[self._role] = {"failures": self.failures, "lockouts": self.lockouts, "locked_until": self.locked_until}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".tmp")
            temporary.write_text(json.dumps(data), encoding="utf-8")
            temporary.replace(path)
        except OSError:
            pass  # a read-only disk: the lockout still holds in memory


def format_wait(seconds: float) -> str:
    """`4:05` (minutes:seconds) for a countdown."""
    whole = max(0, math.ceil(seconds))
    return f"{whole // 60}:{whole % 60:02d}"
