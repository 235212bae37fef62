"""Typed card-reader errors; each has a stable `code` that ReaderFault/ReaderUnavailable events carry.

Codes: port_unavailable, disconnected, timeout, checksum, sam_<SW3 name> (e.g. sam_read_failed),
no_card, card_data_<CardTextError code>, response_shape, wrong_baud.
"""
from __future__ import annotations

from drivers.sam.protocol import sw3_name


class ReaderError(Exception):
    code = "reader_error"

    def __init__(self, detail: str = "") -> None:
        super().__init__(f"{self.code}: {detail}" if detail else self.code)
        self.detail = detail


class PortUnavailable(ReaderError):
    """The port cannot be opened (absent, busy, no permission)."""

    code = "port_unavailable"


class Disconnected(ReaderError):
    """The port vanished while open: the cable was pulled or the USB bridge re-enumerated."""

    code = "disconnected"


class ResponseTimeout(ReaderError):
    """No complete answer in time: a stuck SAM, a half frame, or the wrong baud rate."""

    code = "timeout"


class ChecksumError(ReaderError):
    """An answer arrived but failed its XOR check."""

    code = "checksum"


class WrongBaudRate(ReaderError):
    """The port opens but no SAM answers at the configured speed (it answers at another one, or not at all)."""

    code = "wrong_baud"


class NoCard(ReaderError):
    code = "no_card"


class SamStatusError(ReaderError):
    """The SAM answered with a status other than success for this function."""

    def __init__(self, function: str, sw3: int) -> None:
        self.function = function
        self.sw3 = sw3
        self.code = "sam_" + sw3_name(sw3).lower()
        super().__init__(f"{function} answered SW3={sw3:02X}")


class ResponseShapeError(ReaderError):
    """A success answer whose data does not have the documented layout."""

    code = "response_shape"


class CardDataError(ReaderError):
    """The text block cannot be a card (unknown type flag, bad characters, invalid ID number)."""

    def __init__(self, code: str, detail: str) -> None:
        self.code = "card_data_" + code
        super().__init__(detail)
