"""USB HID relay boards (the "USBRelayN" family, V-USB, 16c0:05df): sans-I/O feature reports.

Why: these boards are driven by HID feature reports rather than a serial stream. Report 0, 8 data bytes:
`FF CH` switches channel CH on, `FD CH` off (`FE` / `FC` all on / all off); reading report 0 returns the board's
5-character name in bytes 0..4 and a bit mask of closed relays in byte 7 (bit 0 = channel 1). The product string
`USBRelayN` gives the channel count. hidapi prepends the report number to what it sends and may return it in
front of what it reads; these functions take and give the 8 data bytes and say where the report number goes.
"""
from __future__ import annotations

from dataclasses import dataclass

VENDOR_ID, PRODUCT_ID = 0x16C0, 0x05DF
REPORT_ID = 0
DATA_LEN = 8
CMD_ON, CMD_OFF, CMD_ALL_ON, CMD_ALL_OFF = 0xFF, 0xFD, 0xFE, 0xFC
MAX_CHANNEL = 8


class HidRelayProtocolError(ValueError):
    """A report too short to hold a state, or a channel the board does not have."""


@dataclass(frozen=True)
class BoardState:
    name: str
    closed: frozenset[int]  # channels whose relay is on

    def is_on(self, channel: int) -> bool:
        return channel in self.closed


def switch_report(channel: int, on: bool) -> list[int]:
    """The feature report for hidapi's send_feature_report: report number, then 8 data bytes."""
    if not isinstance(channel, int) or not 1 <= channel <= MAX_CHANNEL:
        raise HidRelayProtocolError(f"channel must be 1..{MAX_CHANNEL}, not {channel!r}")
    return [REPORT_ID, CMD_ON if on else CMD_OFF, channel] + [0] * (DATA_LEN - 2)


def parse_state(report: list[int] | bytes) -> BoardState:
    """A get_feature_report(0, 9) answer, with or without the leading report number."""
    data = bytes(report)
    if len(data) == DATA_LEN + 1:
        data = data[1:]
    if len(data) < DATA_LEN:
        raise HidRelayProtocolError(f"a relay state report has {DATA_LEN} bytes, not {len(data)}")
    name = data[:5].split(b"\0")[0].decode("ascii", "replace")
    mask = data[7]
    return BoardState(name, frozenset(ch for ch in range(1, MAX_CHANNEL + 1) if mask & (1 << (ch - 1))))


def channel_count(product: str) -> int:
    """`USBRelay2` -> 2; anything else -> 0 (unknown)."""
    digits = (product or "").removeprefix("USBRelay")
    return int(digits) if digits.isdigit() and product.startswith("USBRelay") else 0
