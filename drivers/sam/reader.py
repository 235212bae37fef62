"""The card-reader driver: one thread per port running the find/select/read presence loop, with reconnection.

Why a loop of states: a card must be read once while it lies on the reader, whether the module keeps
answering `9F` to find or switches to `80` after a read; a pulled cable must be reported at once and a
replugged one (same or re-enumerated port) picked up again within 2 s; no fault may end the thread.
`start`/`stop` are called from the owner's thread; `on_event` is called from the reader's own thread.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from drivers.device_thread import DeviceThread
from drivers.ports import PortOpenError, open_first, open_port
from drivers.sam.errors import (ChecksumError, Disconnected, NoCard, PortUnavailable, ReaderError, ResponseTimeout,
                                SamStatusError, WrongBaudRate)
from drivers.sam.events import CardPresented, CardRemoved, ReaderAvailable, ReaderFault, ReaderUnavailable
from drivers.sam.protocol import BAUD_CODES, Sw3
from drivers.sam.session import SamSession, answers_as_sam
from kiosk.core.identity.card import CardIdentity

log = logging.getLogger(__name__)


class CardReader(DeviceThread):
    """Options: retry_interval (s between reconnect attempts), max_read_attempts (per placement),
    stuck_after (find timeouts in a row before the SAM counts as gone), autobaud (try the other speeds,
    at most every sweep_interval s),
    fingerprint (use 30 10), commands / envelope / timeouts (OEM variants), handshake_timeout."""

    thread_label = "card-reader"

    def __init__(self, port_url: str, on_event: Callable[[object], None], *, baudrate: int = 115200,
                 poll_interval: float = 0.2, **more_options) -> None:
        super().__init__(port_url, on_event)
        self.baudrate = baudrate
        self.poll_interval = poll_interval
        self.retry_interval = float(more_options.pop("retry_interval", 0.1))
        self.max_read_attempts = int(more_options.pop("max_read_attempts", 3))
        self.stuck_after = int(more_options.pop("stuck_after", 2))
        self.autobaud = bool(more_options.pop("autobaud", True))
        self.handshake_timeout = float(more_options.pop("handshake_timeout", 0.3))
        self.sweep_interval = float(more_options.pop("sweep_interval", 5.0))
        self._next_sweep = 0.0
        self._session_options = {k: more_options.pop(k) for k in ("commands", "envelope", "timeouts", "fingerprint")
                                 if k in more_options}
        if more_options:
            raise TypeError(f"unknown CardReader options: {', '.join(sorted(more_options))}")
        self._session: SamSession | None = None
        self._available: bool | None = None  # None: nothing reported yet
        self._card_reported = False   # a CardPresented is out, CardRemoved not yet
        self._attempts = 0            # failed reads of the card lying on the reader now
        self._timeouts = 0

    # ------------------------------------------------------------------ reader thread
    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                if self._session is None:
                    if not self._connect():
                        self._stop.wait(self.retry_interval)
                        continue
                try:
                    self._poll()
                    self._idle(self.poll_interval)
                except Disconnected as exc:
                    self._lost("disconnected", exc.detail)
                except Exception as exc:  # noqa: BLE001 - the last line of defence: report, reconnect
                    log.exception("card-reader loop error")
                    self._emit(ReaderFault(self.port_url, "internal_error", f"{type(exc).__name__}: {exc}"))
                    self._lost("internal_error", str(exc))
        finally:
            self._close()

    def _connect(self) -> bool:
        """Open the port and check the SAM answers; report the transition. False when not (yet) possible."""
        try:
            port = _open(self.port_url, self.baudrate, self.handshake_timeout)
        except PortOpenError as exc:
            self._set_unavailable(PortUnavailable.code, str(exc))
            return False
        session = SamSession(port, stop=self._stop, **self._session_options)
        try:
            self._handshake(session)
        except ReaderError as exc:
            port.close()
            if isinstance(exc, SamStatusError):
                self._emit(ReaderFault(self.port_url, exc.code, exc.detail))
            self._set_unavailable(exc.code, exc.detail)
            return False
        self._session, self._timeouts = session, 0
        if self._available is not True:
            self._available = True
            self._emit(ReaderAvailable(port.port if is_auto(self.port_url) else self.port_url))
        return True

    def _handshake(self, session: SamSession) -> None:
        """Ask for the SAM status; with autobaud, a silent module is looked for at the other speeds."""
        try:
            self._status(session)
            return
        except ResponseTimeout:
            if not self.autobaud or time.monotonic() < self._next_sweep:
                raise
        # A sweep costs a handshake timeout per speed: a silent (stuck) SAM is swept at most every few seconds,
        # so that it is picked up again at the configured speed within the 2 s of a replug.
        self._next_sweep = time.monotonic() + self.sweep_interval
        for baud in (b for b in BAUD_CODES if b != self.baudrate):
            session.port.baudrate = baud
            try:
                self._status(session)
            except ResponseTimeout:
                continue
            self._emit(ReaderFault(self.port_url, WrongBaudRate.code, f"the module answers at {baud} baud, not at the "
                                                       f"configured {self.baudrate}; using {baud}"))
            self.baudrate = baud
            return
        session.port.baudrate = self.baudrate
        raise ResponseTimeout(f"no SAM answers at {', '.join(map(str, BAUD_CODES))} baud")

    def _status(self, session: SamSession) -> None:
        response = session.transact("status", timeout=self.handshake_timeout)
        if response.sw3 != Sw3.SUCCESS:
            raise SamStatusError("status", response.sw3)

    def _poll(self) -> None:
        """One find; on a newly found card select + read it and report it; a missing card ends a presence."""
        session = self._session
        try:
            found = session.transact("find")
        except Disconnected:
            raise
        except ResponseTimeout as exc:
            self._timeouts += 1
            self._emit(ReaderFault(self.port_url, exc.code, exc.detail))
            if self._timeouts >= self.stuck_after:
                self._lost("sam_not_responding", exc.detail)
            return
        except ReaderError as exc:  # a checksum error: the next find asks again
            self._emit(ReaderFault(self.port_url, exc.code, exc.detail))
            return
        self._timeouts = 0
        if found.sw3 != Sw3.CARD_FOUND:
            if found.sw3 != Sw3.NO_CARD:
                self._emit(ReaderFault(self.port_url, SamStatusError("find", found.sw3).code,
                                       f"find answered {found.sw3:02X}"))
            self._card_gone()
            return
        if self._card_reported or self._attempts >= self.max_read_attempts:
            return  # the card already read (or given up on) still lies there: read once
        try:
            card = session.read_card()
        except Disconnected:
            raise
        except ReaderError as exc:
            self._attempts += 1
            self._emit(ReaderFault(self.port_url, exc.code, exc.detail))
            return
        self._card_reported = True
        self._emit(CardPresented(card))

    def _card_gone(self) -> None:
        self._attempts = 0
        if self._card_reported:
            self._card_reported = False
            self._emit(CardRemoved())

    def _idle(self, seconds: float) -> None:
        """Wait between polls while watching the line, so a pulled cable is noticed at once."""
        port = self._session.port
        deadline = time.monotonic() + seconds
        try:
            while not self._stop.is_set() and time.monotonic() < deadline:
                if port.read(port.in_waiting or 1):
                    continue  # unsolicited bytes are line noise; the next transaction drops them
        except Exception as exc:  # noqa: BLE001 - pyserial raises SerialException or OSError on unplug
            raise Disconnected(str(exc) or type(exc).__name__) from None

    def _lost(self, reason: str, detail: str) -> None:
        # Report first: closing a socket:// port sleeps 0.3 s inside pyserial ("give the server some time").
        self._card_gone()
        self._set_unavailable(reason, detail)
        self._close()

    def _set_unavailable(self, reason: str, detail: str) -> None:
        if self._available is not False:
            self._available = False
            self._emit(ReaderUnavailable(self.port_url, reason, detail))
        log.debug("card reader %s unavailable: %s %s", self.port_url, reason, detail)

    def _close(self) -> None:
        if self._session is not None:
            try:
                self._session.port.close()
            except Exception:  # noqa: BLE001
                pass
            self._session = None


def is_auto(port_url: str) -> bool:
    return port_url.strip().lower() == "auto"


def _open(port_url: str, baudrate: int, probe_timeout: float = 0.3):
    """A pyserial URL, or `auto`: the first USB-serial bridge where a SAM answers."""
    if is_auto(port_url):
        return open_first(lambda port: answers_as_sam(port, probe_timeout), baudrate=baudrate)
    return open_port(port_url, baudrate=baudrate)


def read_one_card(port_url: str, timeout_s: float = 5.0, baudrate: int = 115200) -> CardIdentity:
    """Open the port, wait up to `timeout_s` for a card, read it once. Raises a ReaderError subclass."""
    try:
        port = _open(port_url, baudrate)
    except PortOpenError as exc:
        raise PortUnavailable(str(exc)) from None
    deadline = time.monotonic() + timeout_s
    try:
        session = SamSession(port)
        response = _retrying(lambda: session.transact("status", timeout=min(1.0, timeout_s)))
        if response.sw3 != Sw3.SUCCESS:
            raise SamStatusError("status", response.sw3)
        while True:
            found = _retrying(lambda: session.transact("find"))
            if found.sw3 == Sw3.CARD_FOUND:
                return _retrying(session.read_card)
            if found.sw3 != Sw3.NO_CARD:
                raise SamStatusError("find", found.sw3)
            if time.monotonic() >= deadline:
                raise NoCard(f"no card was placed within {timeout_s:g} s")
            threading.Event().wait(min(0.1, max(0.0, deadline - time.monotonic())))
    finally:
        port.close()


CHECKSUM_RETRIES = 3


def _retrying(step):
    """The protocol's rule for a frame that fails its XOR check: drop it and ask again (a few times)."""
    for attempt in range(CHECKSUM_RETRIES + 1):
        try:
            return step()
        except ChecksumError:
            if attempt == CHECKSUM_RETRIES:
                raise
