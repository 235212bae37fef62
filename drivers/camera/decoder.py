"""Decode printed QR codes from camera frames and image files.

Why a module apart from cascade.py: this is the interface the app, the CLI and the demo code against
(decode_frame, decode_image_file, DecodeResult, ImageUnreadable, FrameDecoder); the cascade behind it is
chosen by measurement. decode_frame / decode_image_file are thread-safe; a FrameDecoder belongs to one thread
(the capture's decode thread).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from drivers.camera import cascade
from drivers.camera.frames import EncodedFrame, Frame, pixels
from drivers.camera.fusion import RegionHistory, SymbolHistory, largest
from drivers.camera.imagecaps import ImageRefused, checked_image_bytes
from drivers.camera.stillness import MOVED, STILL, StillScene

DEFAULT_BUDGET_MS = 15.0


class ImageUnreadable(ValueError):
    """The image file is missing or is not an image OpenCV can read."""


class ImageTooLarge(ImageUnreadable):
    """The file is over the byte cap, claims more pixels than the cap, or has no image header (imagecaps.py)."""


@dataclass(frozen=True)
class DecodeResult:
    """What one image gave: the decoded text (None if nothing was read) and the time spent decoding."""

    text: str | None
    ms: float


MIN_QR_SIDE_PX = 21


def _normalise(frame: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(frame as 8-bit gray or BGR, 8-bit gray); ValueError for anything that is not an image array."""
    if not isinstance(frame, np.ndarray) or frame.size == 0 or frame.ndim not in (2, 3):
        raise ValueError("frame must be a non-empty 2-D or 3-D numpy array")
    if frame.ndim == 3 and frame.shape[2] not in (1, 3, 4):
        raise ValueError(f"unsupported frame shape {frame.shape}")
    if frame.dtype != np.uint8:
        finite = np.nan_to_num(frame.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
        frame = cv2.normalize(finite, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    if frame.ndim == 3 and frame.shape[2] == 1:
        frame = frame[:, :, 0]
    if frame.ndim == 3 and frame.shape[2] == 4:
        frame = cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR)
    gray = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    return np.ascontiguousarray(frame), np.ascontiguousarray(gray)


def decode_frame(frame: Frame, budget_ms: float = DEFAULT_BUDGET_MS) -> str | None:
    """The text of the QR code in a BGR or grayscale frame (or an EncodedFrame), or None; the full cascade
    within the budget."""
    image = pixels(frame, colour=True)
    if image is None:
        return None
    colour, gray = _normalise(image)
    if min(gray.shape[:2]) < MIN_QR_SIDE_PX:
        return None  # smaller than the smallest QR code (21 modules at one pixel each): nothing to read
    return cascade.run(colour, gray, budget_ms=budget_ms).text


def read_image(path: str | Path) -> np.ndarray:
    """Load an image file (BGR, so the colour steps can drop coloured pen and stains); ImageUnreadable if
    it is missing or not an image."""
    p = Path(path)
    if not p.exists() or p.is_dir():
        raise ImageUnreadable(f"no such image file: {p}")
    try:
        raw = checked_image_bytes(p)  # byte and pixel caps before anything is decoded
    except ImageRefused as exc:
        raise ImageTooLarge(f"image refused: {p}: {exc}") from None
    except OSError as exc:
        raise ImageUnreadable(f"cannot read image file {p}: {exc.strerror or exc}") from None
    data = np.frombuffer(raw, dtype=np.uint8)
    image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if image is None:
        raise ImageUnreadable(f"not a readable image: {p}")
    return image


def decode_image_file(path: str | Path) -> DecodeResult:
    """Decode one image file with the full cascade; ImageUnreadable for a missing or unreadable file."""
    image = read_image(path)
    start = time.perf_counter()
    text = decode_frame(image)
    return DecodeResult(text=text, ms=(time.perf_counter() - start) * 1000.0)


class FrameDecoder:
    """Decodes a stream of frames, remembering where a code was last seen so the next frame starts there.

    Engaged (a code was seen in the last `keep_frames` frames): every frame gets the whole cascade in colour,
    the region steps work on the remembered region even when this frame shows nothing (a code moving, blurred
    by motion, half in glare), and failed frames are read fused over the last views (fusion.py).
    Idle (nothing seen): the capture hands over one frame in three (capture.py), decoded in gray when it
    arrives encoded (frames.py); one in `idle_full_every` gets the whole cascade, the others the fast pass alone
    (~1.5 ms; it still finds any code zxing-cpp can see, and seeing one ends idle). With `skip_still`, a frame
    showing the same empty scene as the last one the whole cascade found nothing in is not looked at again, at
    most `still_refresh` frames in a row; when such a still scene changes, the next `alert_frames` idle frames
    get the whole cascade (stillness.py). Idle CPU budget: 10 % of a core at 30 fps.
    """

    def __init__(self, budget_ms: float = DEFAULT_BUDGET_MS, keep_frames: int = 15, idle_full_every: int = 3,
                 skip_still: bool = True, still_refresh: int = 10, alert_frames: int = 20,
                 steps: tuple[cascade.Step, ...] = cascade.STEPS, symbol_fusion: bool = True) -> None:
        self.budget_ms = budget_ms
        self.keep_frames = keep_frames
        self._region: cascade.Box | None = None
        self._age = 0
        self._idle_count = 0
        self.idle_full_every = max(1, idle_full_every)
        self.alert_frames = alert_frames   # after a still scene changes, this many idle frames get everything
        self._alert = 0
        self.last_step: str | None = None
        self._history = RegionHistory()
        self._symbols = SymbolHistory() if symbol_fusion else None
        self.steps = steps
        self._still = StillScene(refresh=still_refresh) if skip_still else None
        self.frames_still = 0       # frames not looked at: the same empty scene (for the benchmark)

    @property
    def idle(self) -> bool:
        """No code seen for `keep_frames` frames: the capture may look at fewer frames."""
        return self._region is None

    def decode(self, frame: Frame) -> str | None:
        """The text read in this frame (an image array or an EncodedFrame), or None."""
        looked = self._look(frame)
        if looked is None:
            return None
        colour, gray, whole = looked
        self._idle_count = self._idle_count + 1 if self.idle else 0
        self._alert = max(0, self._alert - 1) if self.idle else 0
        outcome = cascade.run(colour, gray, hint=self._region, budget_ms=self.budget_ms,
                              steps=self.steps if whole else (), seen_steps=self.steps)
        self.last_step = outcome.step
        self._follow(outcome.region)
        self._note_scene(gray, whole, outcome)
        if outcome.text is not None or self._region is None:
            if self._region is None:
                self._history.clear()
                if self._symbols is not None:
                    self._symbols.clear()
            return outcome.text
        return self._read_symbol(gray, outcome) or self._read_fused(gray)

    def _look(self, frame: Frame) -> tuple[np.ndarray, np.ndarray, bool] | None:
        """(colour, gray, whole cascade?) for this frame, or None when it is skipped or gives no image."""
        whole = not self.idle or self._alert > 0 or (self._idle_count + 1) % self.idle_full_every == 0
        image = pixels(frame, colour=whole)
        if image is None:
            self.last_step = "undecodable"
            return None
        colour, gray = _normalise(image)
        if min(gray.shape[:2]) < MIN_QR_SIDE_PX:
            return None
        if self.idle and self._still is not None:
            seen = self._still.look(gray)
            if seen == STILL:
                self.last_step = "still"
                self.frames_still += 1
                return None
            if seen == MOVED:
                self._alert, whole = self.alert_frames, True
                if colour.ndim == 2 and isinstance(frame, EncodedFrame):
                    colour = pixels(frame, colour=True)  # decoded in gray for the fast pass: colour for everything
        return colour, gray, whole

    def _note_scene(self, gray: np.ndarray, whole: bool, outcome: cascade.Outcome) -> None:
        """An empty scene the whole cascade looked at is the new still reference (not while alert: what came
        into view is not the empty scene); anything seen voids it."""
        if self._still is None:
            return
        if outcome.text is not None or outcome.region is not None or not self.idle:
            self._still.forget()
        elif whole and self._alert == 0:
            self._still.looked(gray)

    def _read_symbol(self, gray: np.ndarray, outcome: cascade.Outcome) -> str | None:
        """This frame failed but located the symbol: read its soft values summed over the last views."""
        symbol = largest(outcome.symbols)
        if symbol is None or self._symbols is None:
            return None
        self._symbols.add(gray, symbol)
        text = self._symbols.read()
        if text is not None:
            self.last_step = "fusion/soft-modules"
        return text

    def _follow(self, seen: cascade.Box | None) -> None:
        """Keep the code's region for `keep_frames` frames after it was last seen."""
        if seen is not None:
            self._region, self._age = seen, 0
            return
        self._age += 1
        if self._age > self.keep_frames:
            self._region = None

    def _read_fused(self, gray: np.ndarray) -> str | None:
        """This frame failed while a code is in view: read the region fused over the last frames."""
        self._history.add(gray, self._region)
        for name, fused in zip(("fusion/median3", "fusion/min3"), self._history.fused()):
            for binarizer in (cascade.LOCAL, cascade.GLOBAL):
                text = cascade.read(fused, binarizer=binarizer)[0]
                if text is not None:
                    self.last_step = name
                    return text
        return None
