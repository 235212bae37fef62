"""What a CardReader reports to the kiosk (through on_event, on the reader's thread)."""
from __future__ import annotations

from dataclasses import dataclass

from kiosk.core.identity.card import CardIdentity


@dataclass(frozen=True)
class ReaderAvailable:
    port: str


@dataclass(frozen=True)
class ReaderUnavailable:
    port: str
    reason: str


@dataclass(frozen=True)
class CardPresented:
    card: CardIdentity


@dataclass(frozen=True)
class CardRemoved:
    pass


@dataclass(frozen=True)
class ReaderFault:
    """A problem the reader recovers from by itself; `reason` is a ReaderError code (see errors.py)."""

    reason: str
    detail: str
