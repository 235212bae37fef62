"""Frame sources for the capture loop: a V4L2 camera, a video file, or a folder of images.

Why one interface: tests and the demo drive the same capture loop as the gate camera. Files and folders are
paced at their real frame rate so timing behaves as with a camera. Each source is used by one thread only
(the capture's grab thread).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from drivers.camera.imagecaps import ImageRefused, checked_image_bytes

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff", ".pgm", ".ppm"}


class SourceUnavailable(Exception):
    """The source cannot deliver frames now (not plugged in, unplugged, unreadable)."""


class SourceEnded(Exception):
    """A file or folder source has no more frames."""


@dataclass(frozen=True)
class CameraSettings:
    """How to open a real camera (the site config's [camera] table, checked in kiosk/config.py)."""

    width: int = 1280
    height: int = 720
    fps: float = 30.0
    fourcc: str = "MJPG"


Retrieve = Callable[[], "np.ndarray | None"]


class FrameSource:
    """Opens, yields grabbed frames, closes. `frames()` raises SourceUnavailable or SourceEnded when it stops.

    Each item is a `retrieve()` callable: grabbing keeps pace with the camera, while the (costly) decoding of
    the image (MJPEG, PNG) happens only for frames the decoder will look at.
    """

    live = False  # a live camera is reopened after failures; files end

    def frames(self, stopped: Callable[[], bool]) -> Iterator[Retrieve]:
        raise NotImplementedError

    def close(self) -> None:
        """Release the device or file (idempotent)."""


def _paced(frames: Iterator[Retrieve], fps: float, stopped: Callable[[], bool],
           wait: Callable[[float], bool], clock: Callable[[], float] = time.monotonic) -> Iterator[Retrieve]:
    """Yield frames no faster than fps, on a fixed schedule (late frames are not made up by bursts)."""
    period = 1.0 / fps
    due = clock()
    for frame in frames:
        delay = due - clock()
        if delay > 0 and wait(delay):
            return
        if stopped():
            return
        yield frame
        due = max(due + period, clock() - period)


class CameraSource(FrameSource):
    """A V4L2 device (index or /dev/videoN), MJPEG at the configured size and rate."""

    live = True

    def __init__(self, device: int | str, settings: CameraSettings) -> None:
        self.device = device
        self.settings = settings
        self._cap: cv2.VideoCapture | None = None

    def _open(self) -> cv2.VideoCapture:
        if isinstance(self.device, str) and not Path(self.device).exists():
            raise SourceUnavailable(f"no device {self.device}")
        cap = cv2.VideoCapture(self.device, cv2.CAP_V4L2)
        if not cap.isOpened():
            cap.release()
            raise SourceUnavailable(f"cannot open camera {self.device}")
        s = self.settings
        cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*s.fourcc))
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, s.width)
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, s.height)
        cap.set(cv2.CAP_PROP_FPS, s.fps)
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        return cap

    def frames(self, stopped: Callable[[], bool]) -> Iterator[Retrieve]:
        self._cap = self._open()
        while not stopped():
            if not self._cap.grab():
                raise SourceUnavailable(f"camera {self.device} stopped delivering frames")
            yield self._retrieve

    def _retrieve(self) -> np.ndarray | None:
        ok, frame = self._cap.retrieve()
        return frame if ok else None

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class VideoFileSource(FrameSource):
    """A video file played at its own frame rate (or `fps` when the file does not say)."""

    def __init__(self, path: Path, wait: Callable[[float], bool], fps: float = 30.0) -> None:
        self.path = path
        self._wait = wait
        self._fps = fps
        self._cap: cv2.VideoCapture | None = None

    def _raw(self) -> Iterator[Retrieve]:
        while self._cap.grab():
            yield self._retrieve

    def _retrieve(self) -> np.ndarray | None:
        ok, frame = self._cap.retrieve()
        return frame if ok else None

    def frames(self, stopped: Callable[[], bool]) -> Iterator[Retrieve]:
        self._cap = cv2.VideoCapture(str(self.path))
        if not self._cap.isOpened():
            raise SourceUnavailable(f"cannot open video {self.path}")
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        fps = fps if 0 < fps < 1000 else self._fps
        yield from _paced(self._raw(), fps, stopped, self._wait)
        raise SourceEnded(f"end of video {self.path}")

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class FolderSource(FrameSource):
    """The images of a folder in name order, one frame each at `fps`; unreadable files give no image."""

    def __init__(self, folder: Path, wait: Callable[[float], bool], fps: float = 30.0) -> None:
        self.folder = folder
        self._wait = wait
        self._fps = fps

    def _raw(self, files: list[Path]) -> Iterator[Retrieve]:
        for path in files:
            yield lambda path=path: _read_frame(path)

    def frames(self, stopped: Callable[[], bool]) -> Iterator[Retrieve]:
        files = sorted(p for p in self.folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise SourceUnavailable(f"no images in {self.folder}")
        yield from _paced(self._raw(files), self._fps, stopped, self._wait)
        raise SourceEnded(f"end of folder {self.folder}")


def _read_frame(path: Path) -> np.ndarray | None:
    """One image of a folder source, within the byte and pixel caps; None when it is unreadable or refused."""
    try:
        data = checked_image_bytes(path)
    except (OSError, ImageRefused):
        return None
    return cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)


def open_source(source: int | str | Path, settings: CameraSettings,
                wait: Callable[[float], bool]) -> FrameSource:
    """A device index or /dev path -> camera; a folder -> images; any other existing file -> video."""
    if isinstance(source, int) or (isinstance(source, str) and source.isdigit()):
        return CameraSource(int(source), settings)
    path = Path(source)
    if path.is_dir():
        return FolderSource(path, wait, settings.fps)
    if path.is_file() and not str(path).startswith("/dev/"):
        return VideoFileSource(path, wait, settings.fps)
    return CameraSource(str(path), settings)
