"""UiServices: everything the staff and admin screens ask of the rest of the kiosk, as plain callbacks.

The composition root (kiosk/app.py) fills these in; each is optional and the screens say "not available" when
one is missing. All are called on the GUI thread and must return quickly (start long work such as a sync on a
worker and return a message at once). A callback that raises is caught and its message shown to staff.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from kiosk.core.checks.health import KioskHealth
from kiosk.core.outcome.view import VerdictView
from kiosk.ui.shared.settings import UiSettings


@dataclass
class UiServices:
    # staff: look a person up by a validated 18-character ID number (the 老幼 helper lookup); the view is decided
    # by the checkpoint's own policy, so the staff screen shows what the gate would
    lookup: Callable[[str], VerdictView] | None = None
    # staff: today's counts by outcome, e.g. {"PASS": 120, "STOP": 3, "SEE_STAFF": 7}
    counts: Callable[[], Mapping[str, int]] | None = None
    # staff: the gate is paused (True) or resumed (False); the screen shows "paused" to citizens either way
    set_paused: Callable[[bool], None] | None = None
    # admin: the current health snapshot
    health: Callable[[], KioskHealth] | None = None
    # admin: start a sync now; returns a short message for the panel
    sync_now: Callable[[], str] | None = None
    # admin: export the (masked) log to a folder such as a USB stick; returns a short message
    export_to: Callable[[Path], str] | None = None
    # admin: install signed trust data (trust-bundle, status-list, status-list-delta) from a folder such as a USB
    # stick, checked exactly as a download is; returns a short message
    import_from: Callable[[Path], str] | None = None
    # admin/staff: settings changed on screen (language, voice, volume, pixel pitch); persist them
    settings_changed: Callable[[UiSettings], None] | None = None
    # a citizen called staff (True) or staff answered (False): the app puts it into KioskHealth (heartbeat)
    help_changed: Callable[[bool], None] | None = None
    # staff: the gate output: action (open_once, hold_open, lock, normal) and the role asking -> a words key
    # (gate.done.ACTION, gate.refused.locked / unavailable; kiosk/core/outcome/gate_words.py) or a message
    gate: Callable[[str, str], str] | None = None
    # admin: leave kiosk mode to the desktop (default: close the window and quit the application)
    exit_requested: Callable[[], None] | None = None
