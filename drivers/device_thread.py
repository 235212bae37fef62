"""What every serial device driver shares: one thread per port, started once, stopped with a bounded join, and a
listener call that can never kill the device thread.

`start`/`stop`/`running` are called from the owner's thread; `_run` (the subclass's loop, which must return soon
after `_stop` is set) and `_emit` run on the device's own thread.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class DeviceThread:
    thread_label = "device"

    def __init__(self, port_url: str, on_event: Callable[[object], None]) -> None:
        self.port_url = port_url
        self.on_event = on_event
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError(f"a {type(self).__name__} starts once")
        self._thread = threading.Thread(target=self._run, name=f"{self.thread_label} {self.port_url}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        raise NotImplementedError

    def _emit(self, event: object) -> None:
        try:
            self.on_event(event)
        except Exception:  # noqa: BLE001 - a faulty listener must not kill the device thread
            log.exception("%s listener failed on %s", self.thread_label, type(event).__name__)
