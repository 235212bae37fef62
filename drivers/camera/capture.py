"""The camera capture loop: one thread grabs frames, another decodes the newest one and reports events.

Why two threads: grabbing must keep pace with the camera (so the driver's buffer never holds stale frames)
while decoding takes as long as it takes; the decoder always gets a fresh frame, older ones are dropped, never
queued. A grabbed frame is only retrieved when the decoder has asked for one (an MJPEG camera or file hands over
the JPEG, which the decoder decodes itself: frames.py), and while no code has been seen for a while the decoder
asks for every third frame only (idle CPU). The grab thread
reconnects a live camera after failures and reports it unavailable meanwhile.
`on_event` is called from either thread, one call at a time; `start()`/`stop()` from the owner's thread.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from drivers.camera.announce import Announcer
from drivers.camera.decoder import FrameDecoder
from drivers.camera.events import CameraAvailable, CameraEvent, CameraUnavailable, CodeSeen
from drivers.camera.sources import CameraSettings, FrameSource, SourceEnded, SourceUnavailable, open_source

log = logging.getLogger(__name__)


class NewestFrame:
    """A one-slot mailbox: put() replaces the frame, take_newer() waits for one newer than the caller's."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._frame: np.ndarray | None = None
        self._seq = 0

    def put(self, frame: np.ndarray) -> int:
        with self._cond:
            self._frame = frame
            self._seq += 1
            self._cond.notify_all()
            return self._seq

    def take_newer(self, seen: int, timeout: float) -> tuple[int, np.ndarray | None]:
        with self._cond:
            self._cond.wait_for(lambda: self._seq > seen, timeout)
            if self._seq > seen:
                return self._seq, self._frame
            return seen, None

    def wake(self) -> None:
        with self._cond:
            self._cond.notify_all()


@dataclass
class CaptureStats:
    """Counters for the benchmark and diagnostics (written by the capture threads, read by anyone)."""

    frames_grabbed: int = 0
    frames_retrieved: int = 0
    frames_decoded: int = 0
    codes_read: int = 0
    grab_cpu_s: float = 0.0
    decode_cpu_s: float = 0.0


class FrameRequest:
    """The decode thread asks for the next frame (optionally skipping some); the grab thread fulfils it.

    Camera-like (`lossless=False`): a frame nobody asked for is dropped, as a live camera's would be. Lossless
    (files and folders by default): the grab thread waits until the decoder asks, and skips nothing, so every
    frame of a test source is decoded whatever the machine's load.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._wanted = False
        self._skip = 0
        self._closed = False

    def ask(self, skip: int = 0) -> None:
        with self._cond:
            self._wanted, self._skip = True, skip
            self._cond.notify_all()

    def close(self) -> None:
        """Release a grab thread waiting in take(lossless=True) (on stop)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def take(self, lossless: bool = False) -> bool:
        """Called per grabbed frame: True when this frame should be retrieved and handed over."""
        with self._cond:
            if lossless:
                self._cond.wait_for(lambda: self._wanted or self._closed)
                if self._closed:
                    return False
                self._wanted, self._skip = False, 0
                return True
            if not self._wanted:
                return False
            if self._skip > 0:
                self._skip -= 1
                return False
            self._wanted = False
            return True


class CameraCapture:
    """Capture from `source` (device index or path, image folder, video file) and report CameraEvents.

    `lossless`: None (default) drops frames only from a live camera; files and folders hand every frame to
    the decoder (test sources must not depend on thread timing). False makes a file behave like a camera
    (the benchmark's camera-like mode); True never drops.
    """

    def __init__(self, source: int | str | Path | FrameSource, on_event: Callable[[CameraEvent], None], *,
                 accept: Callable[[str], bool] | None = None, settings: CameraSettings | None = None,
                 repeat_window_s: float = 3.0, reconnect_s: float = 1.0, idle_stride: int = 3,
                 idle_full_every: int = 3, on_frame: Callable[[int, float], None] | None = None,
                 lossless: bool | None = None, decoder: FrameDecoder | None = None) -> None:
        self.source = source
        self.name = str(source)
        self.settings = settings or CameraSettings()
        self.stats = CaptureStats()
        self._on_event = on_event
        self._on_frame = on_frame
        self._announcer = Announcer(accept, repeat_window_s=repeat_window_s)
        self._reconnect_s = reconnect_s
        self._mailbox = NewestFrame()
        self._request = FrameRequest()
        self.idle_stride = max(1, idle_stride)  # while idle, decode one frame in this many
        self.idle_full_every = max(1, idle_full_every)  # ...and run the whole cascade on one in this many
        self._stop = threading.Event()
        self._emit_lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._available: bool | None = None
        self._lossless = lossless
        # the multi-frame reader (region memory, fusion, idle economy); used by the decode thread only
        self.decoder = decoder or FrameDecoder(idle_full_every=self.idle_full_every)

    def start(self) -> None:
        if self._threads:
            raise RuntimeError("capture already started")
        self._request.ask()  # the decoder wants the very first frame: asked before the grab thread can pass it by
        self._threads = [threading.Thread(target=self._grab_loop, name=f"camera-grab {self.name}", daemon=True),
                         threading.Thread(target=self._decode_loop, name=f"camera-decode {self.name}", daemon=True)]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._mailbox.wake()
        self._request.close()
        for thread in self._threads:
            thread.join(timeout)

    def __enter__(self) -> CameraCapture:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- grab thread ---------------------------------------------------------------------------------------
    def _grab_loop(self) -> None:
        while not self._stop.is_set():
            source = open_source(self.source, self.settings, self._stop.wait)
            lossless = (not source.live) if self._lossless is None else self._lossless
            try:
                self._pump(source, lossless)
            except SourceEnded as exc:
                if lossless:
                    self._request.take(lossless)  # the decoder asks again once it has seen the last frame
                self._set_available(False, str(exc))
                return
            except SourceUnavailable as exc:
                self._set_available(False, str(exc))
                if not source.live:
                    return
            except Exception as exc:  # a broken driver must not kill the thread silently
                log.exception("camera source %s failed", self.name)
                self._set_available(False, f"error: {exc}")
            finally:
                source.close()
            self._stop.wait(self._reconnect_s)

    def _pump(self, source, lossless: bool) -> None:
        cpu = time.thread_time()
        for retrieve in source.frames(self._stop.is_set):
            self._set_available(True)
            index = self.stats.frames_grabbed
            self.stats.frames_grabbed += 1
            if self._on_frame is not None:
                self._on_frame(index, time.monotonic())
            if self._request.take(lossless):
                frame = retrieve()
                if frame is not None:
                    self.stats.frames_retrieved += 1
                    self._mailbox.put(frame)
                else:
                    self._request.ask()
            now = time.thread_time()
            self.stats.grab_cpu_s += now - cpu
            cpu = now

    def _set_available(self, available: bool, reason: str = "") -> None:
        if self._available is available:
            return
        self._available = available
        self._emit(CameraAvailable(self.name) if available else CameraUnavailable(self.name, reason))

    # -- decode thread -------------------------------------------------------------------------------------
    def _decode_loop(self) -> None:
        decoder = self.decoder
        seen = 0
        while not self._stop.is_set():
            seen, frame = self._mailbox.take_newer(seen, timeout=0.5)
            if frame is None:
                continue
            cpu = time.thread_time()
            try:
                text = decoder.decode(frame)
            except Exception:
                log.exception("decoding a frame failed")
                text = None
            self.stats.decode_cpu_s += time.thread_time() - cpu
            self.stats.frames_decoded += 1
            if text is not None:
                self.stats.codes_read += 1
                if self._announcer.offer(text):
                    self._emit(CodeSeen(text))
            # Asked only now, so a lossless source's end is reported after the last frame's code.
            self._request.ask(skip=self.idle_stride - 1 if decoder.idle else 0)

    def _emit(self, event: CameraEvent) -> None:
        with self._emit_lock:
            try:
                self._on_event(event)
            except Exception:
                log.exception("on_event raised for %r", type(event).__name__)
