"""The wire under an emulated device: a pseudo-terminal or a TCP socket, paced at a baud rate, unpluggable.

Why a shared link: the card-reader and the scanner emulators differ in what they say, not in how a cable
behaves. A `Link` runs one thread that reads what the host sends and hands it to `on_bytes` (called on that
thread); `send` (any thread) writes paced bytes; `unplug`/`replug` (any thread) make the host see a vanished
device and a new one, on a stable symlink when one is given (like /dev/serial/by-id).
"""
from __future__ import annotations

import errno
import os
import select
import socket
import termios
import threading
import time
import tty
from typing import Callable

from drivers.sam.protocol import wire_time

_SPEEDS = {getattr(termios, f"B{b}"): b for b in (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400)}


class Link:
    """One emulated cable. Use open_pty() or serve_socket() once, then send/unplug/replug/close."""

    def __init__(self, on_bytes: Callable[[bytes], None], *, name: str = "emulator") -> None:
        self._on_bytes = on_bytes
        self._name = name
        self._lock = threading.RLock()
        self._master: int | None = None
        self._slave: int | None = None
        self._listener: socket.socket | None = None
        self._conn: socket.socket | None = None
        self._symlink: str | None = None
        self._address: tuple[str, int] | None = None  # a socket link's address, kept across unplugs
        self._plugged = True
        self._closed = False
        self._generation = 0  # +1 on every unplug: what was under way for the old connection is dropped
        self._wake_r, self._wake_w = os.pipe()
        self._thread: threading.Thread | None = None
        self.path = ""

    # ------------------------------------------------------------------ setup (caller's thread)
    def open_pty(self, symlink: str | None = None) -> str:
        self._symlink = symlink
        self._new_pty()
        self._start()
        return self.path

    def serve_socket(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._listen(host, port)
        self.path = f"socket://{host}:{self._listener.getsockname()[1]}"
        self._start()
        return self.path

    def _listen(self, host: str, port: int) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if hasattr(socket, "SO_REUSEPORT"):  # the last connection may linger on the port after an unplug
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        listener.bind((host, port))
        listener.listen(1)
        self._listener = listener
        self._address = listener.getsockname()

    def _new_pty(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)
        os.set_blocking(master, False)
        self._master, self._slave = master, slave
        pts = os.ttyname(slave)
        if self._symlink:
            tmp = f"{self._symlink}.{os.getpid()}.tmp"
            if os.path.lexists(tmp):
                os.unlink(tmp)
            os.symlink(pts, tmp)
            os.replace(tmp, self._symlink)
            self.path = self._symlink
        else:
            self.path = pts
        self.pts_path = pts

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"{self._name}-link", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ the link thread
    def _run(self) -> None:
        while not self._closed:
            with self._lock:
                fds = [self._wake_r] + [fd for fd in (self._master, self._conn, self._listener)
                                        if fd is not None and self._plugged]
            try:
                readable, _, _ = select.select(fds, [], [], 0.5)
            except (OSError, ValueError):
                continue  # an fd was closed by unplug() between the snapshot and select
            for fd in readable:
                if fd == self._wake_r:
                    os.read(self._wake_r, 512)
                elif fd is self._listener:
                    self._accept()
                else:
                    self._receive(fd)

    def _accept(self) -> None:
        try:
            conn, _ = self._listener.accept()
        except OSError:
            return
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            if not self._plugged or self._conn is not None:
                conn.close()  # unplugged, or a second client: a serial port has one
                return
            self._conn = conn

    def _receive(self, fd) -> None:
        try:
            data = fd.recv(4096) if isinstance(fd, socket.socket) else os.read(fd, 4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            if isinstance(fd, socket.socket):
                with self._lock:
                    if self._conn is fd:
                        self._conn = None
                fd.close()
            return
        self._on_bytes(data)

    # ------------------------------------------------------------------ any thread
    def client_baudrate(self) -> int | None:
        """The speed the host configured on the pty (None on a socket, or when unknown)."""
        with self._lock:
            if self._slave is None:
                return None
            try:
                return _SPEEDS.get(termios.tcgetattr(self._slave)[4])
            except termios.error:
                return None

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def connected(self) -> bool:
        with self._lock:
            return self._plugged and (self._master is not None or self._conn is not None)

    def send(self, data: bytes, *, baudrate: int | None = None, chunk: int = 64, gap_s: float = 0.0,
             should_abort: Callable[[], bool] = lambda: False, generation: int | None = None) -> bool:
        """Write `data` paced at `baudrate` (None: at once), in `chunk`-byte pieces with `gap_s` between them.
        Returns False when the cable went away (or `should_abort`) before everything was written; with
        `generation`, also when the cable was pulled since (an answer never crosses a replug)."""
        start = time.monotonic()
        sent = 0
        pieces = 0
        while sent < len(data):
            if should_abort():
                return False
            piece = data[sent:sent + chunk]
            # A byte reaches the host when its last bit has crossed the wire: wait first, then deliver.
            due = start + (wire_time(sent + len(piece), baudrate) if baudrate else 0.0) + gap_s * pieces
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if not self._write(piece, generation):
                return False
            sent += len(piece)
            pieces += 1
        return True

    def _write(self, piece: bytes, generation: int | None = None) -> bool:
        with self._lock:
            if not self._plugged or (generation is not None and generation != self._generation):
                return False
            try:
                if self._conn is not None:
                    self._conn.sendall(piece)
                elif self._master is not None:
                    os.write(self._master, piece)
                else:
                    return False
            except BlockingIOError:
                return True  # nobody reads the pty and its buffer is full: bytes fall on the floor like a UART's
            except OSError as exc:
                if exc.errno in (errno.EIO, errno.EPIPE, errno.ECONNRESET, errno.EBADF):
                    return False
                raise
        return True

    def unplug(self) -> None:
        """The cable is pulled: the host's next read fails; a pty (and its symlink) vanishes."""
        with self._lock:
            self._plugged = False
            self._generation += 1
            for fd in (self._master, self._slave):
                if fd is not None:
                    os.close(fd)
            self._master = self._slave = None
            if self._conn is not None:
                try:
                    self._conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                self._conn.close()
                self._conn = None
            if self._listener is not None:
                self._listener.close()  # a device server whose device is gone refuses connections
                self._listener = None
            if self._symlink and os.path.lexists(self._symlink):
                os.unlink(self._symlink)
        self._wake()

    def replug(self) -> str:
        """The device comes back: a pty re-enumerates under a new /dev/pts path (same symlink); a socket
        accepts again on the same port. Returns the path to open."""
        with self._lock:
            if self._address is not None:
                if self._listener is None:
                    self._listen(*self._address)
            elif self._master is None:
                self._new_pty()
            self._plugged = True
        self._wake()
        return self.path

    def _wake(self) -> None:
        try:
            os.write(self._wake_w, b"x")
        except OSError:
            pass

    def close(self) -> None:
        if self._closed:
            return
        self.unplug()
        self._closed = True
        self._wake()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(2.0)
        for fd in (self._wake_r, self._wake_w):
            try:
                os.close(fd)
            except OSError:
                pass


class OnTheCable:
    """The cable side every emulator offers (pty or socket, unplug, replug), delegated to its `_link`."""

    _link: Link

    def open_pty(self, symlink: str | None = None) -> str:
        return self._link.open_pty(symlink)

    def serve_socket(self, host: str = "127.0.0.1", port: int = 0) -> str:
        return self._link.serve_socket(host, port)

    @property
    def path(self) -> str:
        return self._link.path

    def unplug(self) -> None:
        self._link.unplug()

    def replug(self) -> str:
        return self._link.replug()

    def close(self) -> None:
        self._link.close()
