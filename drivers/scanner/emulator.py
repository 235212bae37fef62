"""A serial QR scanner in software, on a pty or a socket: it types codes with CR or CRLF at its baud rate.

Why: the kiosk's scanner path is developed and demoed without hardware; the emulator answers GM65 commands
(a write gets the documented OK reply; a baud write changes its speed; a trigger types the next queued code),
garbles its output when the host's speed differs, and can be unplugged. Methods may be called from any
thread; host commands are handled on the link's thread.
"""
from __future__ import annotations

import threading

from drivers.emulation import Link, OnTheCable
from drivers.scanner import gm65


class ScannerEmulator(OnTheCable):
    def __init__(self, *, baudrate: int = 9600, terminator: str = "\r", pace: bool = True) -> None:
        if terminator not in ("\r", "\r\n", "\n", ""):
            raise ValueError("terminator is CR, CRLF, LF or nothing")
        self.baudrate = baudrate
        self.terminator = terminator
        self.pace = pace
        self.commands: list[gm65.Gm65Command] = []
        self._lock = threading.Lock()
        self._handled = threading.Condition(self._lock)
        self._on_trigger: list[str] = []
        self._inbox = bytearray()
        self._link = Link(self._on_bytes, name="scanner-emulator")


    def scan(self, text: str, terminator: str | None = None) -> bool:
        """Type one code as the engine would: payload then the terminator, paced at the baud rate."""
        return self.send_raw(text.encode("utf-8") + (self.terminator if terminator is None else terminator).encode())

    def send_raw(self, data: bytes) -> bool:
        client = self._link.client_baudrate()
        if client is not None and client != self.baudrate:
            data = bytes(b ^ 0x5A for b in data)  # what a UART at the wrong speed makes of it
        return self._link.send(data, baudrate=self.baudrate if self.pace else None)

    def queue_for_trigger(self, text: str) -> None:
        """The code in view when the host sends a trigger command."""
        with self._lock:
            self._on_trigger.append(text)

    def _on_bytes(self, data: bytes) -> None:
        self._inbox += data
        while True:
            start = self._inbox.find(b"\x7E\x00")
            if start < 0 or len(self._inbox) < start + 4:
                if start < 0:
                    self._inbox.clear()
                return
            end = start + 8 + self._inbox[start + 3]
            if len(self._inbox) < end:
                return
            frame = bytes(self._inbox[start:end])
            del self._inbox[:end]
            self._handle(gm65.parse_command(frame))

    def wait_commands(self, count: int, timeout: float = 3.0) -> bool:
        """Block until `count` host commands have been handled (tests synchronise on it)."""
        with self._handled:
            return self._handled.wait_for(lambda: len(self.commands) >= count, timeout)

    def _handle(self, cmd: gm65.Gm65Command | None) -> None:
        if cmd is None:
            return
        with self._handled:
            self.commands.append(cmd)
            self._handled.notify_all()
        self._link.send(gm65.WRITE_OK, baudrate=self.baudrate if self.pace else None)
        if cmd.kind == gm65.WRITE and cmd.address == gm65.BAUD_REGISTER and len(cmd.data) == 2:
            self.baudrate = gm65.baud_of_divisor(cmd.data)
        elif cmd.kind == gm65.WRITE and cmd.address == gm65.TRIGGER_REGISTER:
            with self._lock:
                code = self._on_trigger.pop(0) if self._on_trigger else None
            if code is not None:
                self.scan(code)
