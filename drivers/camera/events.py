"""Events the camera capture loop reports to the app (frozen dataclasses, safe to pass between threads).

The capture loop calls `on_event` with these from its own threads, one call at a time (never concurrently).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CodeSeen:
    """A code was read and accepted (passed verification); announced once per repeat window."""

    text: str


@dataclass(frozen=True)
class CameraAvailable:
    """The source opened and frames are flowing."""

    source: str


@dataclass(frozen=True)
class CameraUnavailable:
    """The source could not be opened, stopped delivering frames, or (files and folders) reached its end."""

    source: str
    reason: str


CameraEvent = CodeSeen | CameraAvailable | CameraUnavailable
