"""The QR-scanner driver: one thread per port reading lines in continuous mode, with reconnection.

Why: a serial scanner is a stream of typed codes; the kiosk needs each code once, faults as events, and a
pulled cable reported at once and recovered on replug. `start`/`stop`/`send` are called from the owner's
thread; `on_event` is called from the scanner's own thread.
"""
from __future__ import annotations

import logging
import queue
import time
from typing import Callable, Sequence

from drivers.device_thread import DeviceThread
from drivers.ports import PortOpenError, open_first, open_port
from drivers.scanner.codec import MAX_LINE, Line, LineDecoder, LineFault
from drivers.scanner.events import CodeScanned, ScannerAvailable, ScannerFault, ScannerUnavailable

log = logging.getLogger(__name__)


class QrScanner(DeviceThread):
    thread_label = "qr-scanner"

    def __init__(self, port_url: str, on_event: Callable[[object], None], *, baudrate: int = 9600,
                 same_code_delay_s: float = 1.5, max_line: int = MAX_LINE, idle_flush_s: float | None = None,
                 setup: Sequence[bytes] = (), retry_interval: float = 0.1) -> None:
        """`setup`: command frames written at every (re)connect, e.g. gm65.set_baud(...) or a mode command."""
        super().__init__(port_url, on_event)
        self.baudrate = baudrate
        self.retry_interval = retry_interval
        self.setup = tuple(setup)
        self._decoder_options = dict(max_line=max_line, same_code_delay_s=same_code_delay_s,
                                     idle_flush_s=idle_flush_s)
        self._outbox: queue.Queue[bytes] = queue.Queue()
        self._available: bool | None = None

    def send(self, frame: bytes) -> None:
        """Queue a command for the scanner (e.g. gm65.trigger()); written by the scanner thread."""
        self._outbox.put(bytes(frame))

    # ------------------------------------------------------------------ scanner thread
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                port = open_scanner_port(self.port_url, self.baudrate)
            except PortOpenError as exc:
                self._unavailable("port_unavailable", str(exc))
                self._stop.wait(self.retry_interval)
                continue
            try:
                self._serve(port)
            except Exception as exc:  # noqa: BLE001 - SerialException/OSError on unplug, anything else too
                self._unavailable("disconnected", f"{type(exc).__name__}: {exc}")
            finally:
                try:
                    port.close()
                except Exception:  # noqa: BLE001
                    pass

    def _serve(self, port) -> None:
        decoder = LineDecoder(**self._decoder_options)
        for frame in self.setup:
            port.write(frame)
        if self._available is not True:
            self._available = True
            self._emit(ScannerAvailable(port.port if self.port_url.strip().lower() == "auto" else self.port_url))
        while not self._stop.is_set():
            while not self._outbox.empty():
                port.write(self._outbox.get_nowait())
            data = port.read(port.in_waiting or 1)
            now = time.monotonic()
            for item in decoder.feed(data, now) + decoder.flush_idle(now):
                if isinstance(item, Line):
                    self._emit(CodeScanned(item.text))
                elif isinstance(item, LineFault):
                    self._emit(ScannerFault(self.port_url, item.reason, item.detail))

    def _unavailable(self, reason: str, detail: str) -> None:
        if self._available is not False:
            self._available = False
            self._emit(ScannerUnavailable(self.port_url, reason, detail))
        log.debug("scanner %s unavailable: %s", self.port_url, detail)


def open_scanner_port(port_url: str, baudrate: int):
    """A pyserial URL, or `auto`: the first free USB-serial bridge where no SAM card reader answers."""
    if port_url.strip().lower() != "auto":
        return open_port(port_url, baudrate=baudrate)
    from drivers.sam.session import answers_as_sam

    def not_a_reader(port) -> bool:
        # The reader's SAM talks at 115200 whatever the scanner's speed: ask it there, then restore.
        speed = port.baudrate
        port.baudrate = 115200
        try:
            return not answers_as_sam(port, 0.2)
        finally:
            port.baudrate = speed
            port.reset_input_buffer()

    return open_first(not_a_reader, baudrate=baudrate)


def read_one_code(port_url: str, timeout_s: float = 10.0, baudrate: int = 9600) -> str:
    """Open the port and return the first scanned line. Raises PortOpenError or TimeoutError."""
    port = open_scanner_port(port_url, baudrate)
    decoder = LineDecoder(same_code_delay_s=0.0)
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            try:
                data = port.read(port.in_waiting or 1)
            except Exception as exc:  # noqa: BLE001
                raise PortOpenError(f"{port_url}: {exc}") from None
            for item in decoder.feed(data, time.monotonic()):
                if isinstance(item, Line):
                    return item.text
        raise TimeoutError(f"no code was scanned within {timeout_s:g} s")
    finally:
        port.close()
