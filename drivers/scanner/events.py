"""What a QrScanner reports (through on_event, on the scanner's thread)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CodeScanned:
    text: str


@dataclass(frozen=True)
class ScannerAvailable:
    port: str


@dataclass(frozen=True)
class ScannerUnavailable:
    port: str
    reason: str


@dataclass(frozen=True)
class ScannerFault:
    """A line that was dropped: reason is line_too_long, not_text or garbage."""

    reason: str
    detail: str
