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

from drivers.camera.frames import EncodedFrame, Frame, camera_jpeg
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


Retrieve = Callable[[], "Frame | None"]


class FrameSource:
    """Opens, yields grabbed frames, closes. `frames()` raises SourceUnavailable or SourceEnded when it stops.

    Each item is a `retrieve()` callable: grabbing keeps pace with the camera, while retrieving happens only for
    frames the decoder will look at. A retrieved frame is an image array, or an EncodedFrame (the JPEG as the
    camera sent it, an image file's bytes) that the decoder decodes itself, in gray while idle (frames.py).
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
        # MJPEG: hand over the JPEG itself (OpenCV would cv2.imdecode it to BGR on every retrieve); the decoder
        # decodes it, in gray while idle. Not MJPEG, or a backend that refuses: frames arrive decoded as before.
        if s.fourcc == "MJPG" and _fourcc(cap) == b"MJPG":   # the camera agreed to MJPEG (else: YUYV, converted)
            cap.set(cv2.CAP_PROP_CONVERT_RGB, 0)
        return cap

    def frames(self, stopped: Callable[[], bool]) -> Iterator[Retrieve]:
        self._cap = self._open()
        while not stopped():
            if not self._cap.grab():
                raise SourceUnavailable(f"camera {self.device} stopped delivering frames")
            yield self._retrieve

    def _retrieve(self) -> Frame | None:
        ok, frame = self._cap.retrieve()
        return retrieved_frame(frame) if ok else None

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


def _fourcc(cap: cv2.VideoCapture) -> bytes:
    """The four-character code of the stream the capture delivers."""
    return int(cap.get(cv2.CAP_PROP_FOURCC)).to_bytes(4, "little", signed=False)


def retrieved_frame(frame: np.ndarray | None) -> Frame | None:
    """A retrieved buffer: an image array as it is; a raw (1-row or 1-D 8-bit) buffer must be a JPEG within the
    caps, else None (a frame that gives no image)."""
    if frame is None or frame.size == 0:
        return None
    if frame.dtype == np.uint8 and (frame.ndim == 1 or (frame.ndim == 2 and frame.shape[0] == 1)):
        return camera_jpeg(frame)
    return frame


class VideoFileSource(FrameSource):
    """A video file played at its own frame rate (or `fps` when the file does not say). An MJPEG file is read as
    packets (FFmpeg demuxes, decodes nothing): each frame's JPEG goes to the decoder, as from a V4L2 camera."""

    def __init__(self, path: Path, wait: Callable[[float], bool], fps: float = 30.0) -> None:
        self.path = path
        self._wait = wait
        self._fps = fps
        self._cap: cv2.VideoCapture | None = None

    def _raw(self) -> Iterator[Retrieve]:
        while self._cap.grab():
            yield self._retrieve

    def _retrieve(self) -> Frame | None:
        ok, frame = self._cap.retrieve()
        return retrieved_frame(frame) if ok else None

    def _open(self, raw: bool) -> cv2.VideoCapture:
        cap = cv2.VideoCapture(str(self.path))
        if not cap.isOpened():
            raise SourceUnavailable(f"cannot open video {self.path}")
        if raw:
            cap.set(cv2.CAP_PROP_FORMAT, -1)   # raw packets: each one a JPEG
        return cap

    def _raw_packets_decode(self) -> bool:
        """An MJPEG file whose first packet is a JPEG cv2.imdecode reads (else FFmpeg decodes, as before)."""
        if _fourcc(self._cap) != b"MJPG":
            return False
        probe = self._open(raw=True)
        try:
            ok, packet = probe.read()
            frame = retrieved_frame(packet) if ok else None
            return isinstance(frame, EncodedFrame) and frame.pixels(colour=False) is not None
        finally:
            probe.release()

    def frames(self, stopped: Callable[[], bool]) -> Iterator[Retrieve]:
        self._cap = self._open(raw=False)
        if self._raw_packets_decode():
            self._cap.release()
            self._cap = self._open(raw=True)
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


def _read_frame(path: Path) -> EncodedFrame | None:
    """One image of a folder source, within the byte and pixel caps (still encoded: the decoder decodes it, in
    gray while idle); None when it is unreadable or refused."""
    try:
        data = checked_image_bytes(path)
    except (OSError, ImageRefused):
        return None
    return EncodedFrame(np.frombuffer(data, dtype=np.uint8))


def open_source(source: int | str | Path | FrameSource, settings: CameraSettings,
                wait: Callable[[float], bool]) -> FrameSource:
    """A device index or /dev path -> camera; a folder -> images; any other existing file -> video; a
    FrameSource (the benchmark's stand-ins, tests) as it is."""
    if isinstance(source, FrameSource):
        return source
    if isinstance(source, int) or (isinstance(source, str) and source.isdigit()):
        return CameraSource(int(source), settings)
    path = Path(source)
    if path.is_dir():
        return FolderSource(path, wait, settings.fps)
    if path.is_file() and not str(path).startswith("/dev/"):
        return VideoFileSource(path, wait, settings.fps)
    return CameraSource(str(path), settings)
