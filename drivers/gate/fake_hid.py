"""An emulator of hidapi's `hid` module with USB HID relay boards plugged in (16c0:05df, USBRelayN).

Why: no HID relay board (and no /dev/uhid to fake one in the kernel) is available where the tests run, so the
HidRelay driver is exercised against this stand-in for the library's own interface: `enumerate(vid, pid)`,
`device()` with `open_path`, `send_feature_report`, `get_feature_report` and `close`, raising OSError as hidapi
does when a board is gone. Boards can be unplugged and replugged; a stuck relay (one that ignores reports) can
be simulated. Thread-safe.
"""
from __future__ import annotations

import threading
import time

from drivers.gate import hid_protocol as hp


class HidRelayBoard:
    def __init__(self, name: str = "QAAMZ", channels: int = 2, path: bytes = b"/dev/hidraw0") -> None:
        self.name, self.channels, self.path = name[:5], channels, path
        self.closed: set[int] = set()
        self.plugged = True
        self.stuck = False  # the relay ignores switch reports (a welded contact, a dead coil driver)
        self.reports: list[tuple[list[int], float]] = []  # every switch report with perf_counter()
        self.lock = threading.Lock()

    def handle(self, report: list[int]) -> int:
        with self.lock:
            if not self.plugged:
                raise OSError("hid: device disconnected")
            data = list(report)[1:1 + hp.DATA_LEN]
            self.reports.append((list(report), time.perf_counter()))
            if self.stuck or len(data) < 2:
                return len(report)
            cmd, channel = data[0], data[1]
            if cmd == hp.CMD_ON and 1 <= channel <= self.channels:
                self.closed.add(channel)
            elif cmd == hp.CMD_OFF and 1 <= channel <= self.channels:
                self.closed.discard(channel)
            elif cmd == hp.CMD_ALL_ON:
                self.closed = set(range(1, self.channels + 1))
            elif cmd == hp.CMD_ALL_OFF:
                self.closed.clear()
            return len(report)

    def state_report(self) -> list[int]:
        with self.lock:
            if not self.plugged:
                raise OSError("hid: device disconnected")
            mask = sum(1 << (ch - 1) for ch in self.closed)
            name = self.name.encode("ascii").ljust(5, b"\0")
            return [hp.REPORT_ID, *name, 0, 0, mask]

    def unplug(self) -> None:
        with self.lock:
            self.plugged = False
            self.closed.clear()

    def replug(self) -> None:
        with self.lock:
            self.plugged = True


class FakeHid:
    """Use where the `hid` module would be: `HidRelay(spec, channel, hid_module=FakeHid([board]))`."""

    def __init__(self, boards: list[HidRelayBoard] | None = None) -> None:
        self.boards = list(boards or [])

    def enumerate(self, vendor_id: int = 0, product_id: int = 0) -> list[dict]:
        if (vendor_id, product_id) not in ((0, 0), (hp.VENDOR_ID, hp.PRODUCT_ID)):
            return []
        return [{"path": b.path, "vendor_id": hp.VENDOR_ID, "product_id": hp.PRODUCT_ID, "serial_number": "",
                 "product_string": f"USBRelay{b.channels}", "manufacturer_string": "www.dcttech.com",
                 "release_number": 0x100, "usage_page": 0, "usage": 0, "interface_number": 0}
                for b in self.boards if b.plugged]

    def device(self) -> _Device:
        return _Device(self)


class _Device:
    def __init__(self, owner: FakeHid) -> None:
        self._owner = owner
        self._board: HidRelayBoard | None = None

    def open_path(self, path: bytes) -> None:
        for board in self._owner.boards:
            if board.path == path and board.plugged:
                self._board = board
                return
        raise OSError("open failed")

    def _open_board(self) -> HidRelayBoard:
        if self._board is None:
            raise ValueError("not open")
        return self._board

    def send_feature_report(self, buff) -> int:
        return self._open_board().handle(list(buff))

    def get_feature_report(self, report_num: int, max_length: int) -> list[int]:
        return self._open_board().state_report()[:max_length]

    def close(self) -> None:
        self._board = None
