"""The passage sensor: a GPIO input (photo-electric beam or turnstile arm contact) read through libgpiod v2.

Why its own thread: edges arrive whenever people walk, independent of the relay; one thread per device. A
person passing is one edge (`rising` by default: the beam's contact closes; `falling`, or `:low` for an
active-low input, for the other wiring), debounced by the kernel (`debounce_ms`). Each edge is reported as
PassageSeen; the composition root hands it to the GateController, which decides whether it was allowed.
`on_event` is called on the sensor's thread.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from drivers.device_thread import DeviceThread
from drivers.gate.events import PassageSeen, SensorAvailable, SensorUnavailable
from drivers.gate.relays import CONSUMER, RelayError, import_gpiod, parse_gpio

log = logging.getLogger(__name__)
WAIT_S = 0.2  # how often the thread looks at its stop flag while no edge comes
MAX_EVENTS = 64  # edges taken per wake-up (a burst of noise cannot grow a list without bound)


class PassageSensor(DeviceThread):
    thread_label = "passage-sensor"

    def __init__(self, spec: str, on_event: Callable[[object], None], *, debounce_ms: int = 50,
                 gpiod_module: Any = None, retry_interval: float = 0.5) -> None:
        super().__init__(spec, on_event)
        self.chip_path, self.line, self.active_low = parse_gpio(spec)
        self.debounce = timedelta(milliseconds=max(0, min(debounce_ms, 1000)))
        self.retry_interval = retry_interval
        self._gpiod = gpiod_module
        self._available: bool | None = None

    def _run(self) -> None:
        while not self._stop.is_set():
            request = None
            try:
                request = self._request()
                if self._available is not True:
                    self._available = True
                    self._emit(SensorAvailable(self.port_url))
                self._watch(request)
            except Exception as exc:  # noqa: BLE001 - OSError, RelayError, the library's own errors
                if self._available is not False:
                    self._available = False
                    self._emit(SensorUnavailable(self.port_url, f"{type(exc).__name__}: {exc}"))
                self._stop.wait(self.retry_interval)
            finally:
                if request is not None:
                    try:
                        request.release()
                    except Exception:  # noqa: BLE001
                        pass

    def _request(self):
        gpiod = self._gpiod = self._gpiod or import_gpiod()
        settings = gpiod.LineSettings(direction=gpiod.line.Direction.INPUT, edge_detection=gpiod.line.Edge.RISING,
                                      active_low=self.active_low, debounce_period=self.debounce)
        try:
            return gpiod.request_lines(self.chip_path, consumer=CONSUMER, config={self.line: settings})
        except Exception as exc:  # noqa: BLE001
            raise RelayError(f"{self.port_url}: {exc}") from None

    def _watch(self, request) -> None:
        while not self._stop.is_set():
            if not request.wait_edge_events(WAIT_S):
                continue
            for _ in request.read_edge_events(MAX_EVENTS):
                self._emit(PassageSeen())
