"""The decoding cascade: zxing-cpp on the frame, then recoveries on the code's region and the whole frame.

Why this order: it was chosen by measurement on the seeded corpus (bench/bench_camera.py, docs/camera.md) —
greedily, by codes recovered per millisecond among the frames plain zxing-cpp missed. A first fast pass
(full resolution, no inverted or downscaled retries) reads most frames in ~2-3 ms; it also reports where a code
was seen but not decoded, and the cheap recoveries work on that region only. Whole-frame recoveries come last
and stop at the time budget. Pure functions of the frame; safe to call from any thread.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp

QR = zxingcpp.BarcodeFormat.QRCode
Box = tuple[int, int, int, int]  # x0, y0, x1, y1


@dataclass
class Views:
    """The frame as the steps need it, computed lazily (most frames never need more than `gray`)."""

    frame: np.ndarray
    gray: np.ndarray
    _brightest: np.ndarray | None = None

    @property
    def brightest(self) -> np.ndarray:
        """Per-pixel max over B, G, R: coloured pen and stains turn pale, black print stays black."""
        if self._brightest is None:
            if self.frame.ndim == 3:
                b, g, r = cv2.split(self.frame)
                self._brightest = cv2.max(cv2.max(b, g), r)
            else:
                self._brightest = self.gray
        return self._brightest


def read(image: np.ndarray, **options) -> tuple[str | None, list[Box]]:
    """zxing-cpp (QR only): the first valid text, and the boxes of all codes seen (decoded or not)."""
    options.setdefault("try_invert", False)
    text, seen = None, []
    for barcode in zxingcpp.read_barcodes(image, formats=QR, return_errors=True, **options):
        if barcode.valid and barcode.text and text is None:
            text = barcode.text
        p = barcode.position
        xs = [p.top_left.x, p.top_right.x, p.bottom_right.x, p.bottom_left.x]
        ys = [p.top_left.y, p.top_right.y, p.bottom_right.y, p.bottom_left.y]
        seen.append((min(xs), min(ys), max(xs), max(ys)))
    return text, seen


def region(boxes: list[Box], shape: tuple[int, ...], pad: float = 0.2) -> Box | None:
    """The padded union of `boxes`, clipped to the frame; None when there is nothing to look at."""
    if not boxes:
        return None
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    px, py = (x1 - x0) * pad + 8, (y1 - y0) * pad + 8
    h, w = shape[:2]
    box = (max(0, int(x0 - px)), max(0, int(y0 - py)), min(w, int(x1 + px)), min(h, int(y1 + py)))
    return box if box[2] - box[0] >= 21 and box[3] - box[1] >= 21 else None


def _crop(image: np.ndarray, box: Box) -> np.ndarray:
    x0, y0, x1, y1 = box
    return np.ascontiguousarray(image[y0:y1, x0:x1])


def _sharpen(gray: np.ndarray) -> np.ndarray:
    return cv2.addWeighted(gray, 2.0, cv2.GaussianBlur(gray, (0, 0), 2), -1.0, 0)


def _half(image: np.ndarray) -> np.ndarray:
    return cv2.resize(image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)


def _double(image: np.ndarray) -> np.ndarray:
    return cv2.resize(image, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)


GLOBAL, FIXED = zxingcpp.Binarizer.GlobalHistogram, zxingcpp.Binarizer.FixedThreshold

# Each step: (name, needs a region?, fn(views, box) -> text or None). Order = greedy by codes recovered per ms
# on the frames the fast pass missed (corpus seeds 1 and 2, 700 frames); see docs/camera.md.
Step = tuple[str, bool, Callable[[Views, Box | None], str | None]]
STEPS: tuple[Step, ...] = (
    ("frame/half-global-histogram", False, lambda v, b: read(_half(v.gray), binarizer=GLOBAL)[0]),
    ("region/global-histogram", True, lambda v, b: read(_crop(v.gray, b), binarizer=GLOBAL)[0]),
    ("region/half-brightest", True, lambda v, b: read(_half(_crop(v.brightest, b)))[0]),
    ("region/upscale2", True, lambda v, b: read(_double(_crop(v.gray, b)), try_downscale=False)[0]),
    ("frame/half-median3", False, lambda v, b: read(_half(cv2.medianBlur(v.gray, 3)))[0]),
    ("frame/half-brightest", False, lambda v, b: read(_half(v.brightest))[0]),
    ("region/upscale2-global-histogram", True,
     lambda v, b: read(_double(_crop(v.gray, b)), binarizer=GLOBAL, try_downscale=False)[0]),
    ("frame/median3", False, lambda v, b: read(cv2.medianBlur(v.gray, 3), try_downscale=False)[0]),
    ("region/fixed-threshold", True, lambda v, b: read(_crop(v.gray, b), binarizer=FIXED)[0]),
    ("frame/blur3-global-histogram", False,
     lambda v, b: read(cv2.GaussianBlur(v.gray, (3, 3), 0), binarizer=GLOBAL)[0]),
    ("region/sharpen", True, lambda v, b: read(_sharpen(_crop(v.gray, b)))[0]),
)


@dataclass(frozen=True)
class Outcome:
    text: str | None
    step: str | None          # which step read it ("first" for the fast pass)
    region: Box | None        # where the fast pass saw a code in this frame (read or not), for the next frame


def run(frame: np.ndarray, gray: np.ndarray, *, hint: Box | None = None, budget_ms: float = 15.0,
        steps: tuple[Step, ...] = STEPS) -> Outcome:
    """Run the cascade until a step reads a code or the budget is spent.

    The budget is CPU time of the calling thread (time.thread_time), so results do not depend on how busy
    the machine is; the capture decodes the newest frame, so a slow frame only delays, never queues.
    """
    start = time.thread_time()
    text, seen = read(gray, try_downscale=False)
    fresh = region(seen, gray.shape)
    if text is not None:
        return Outcome(text, "first", fresh)
    box = fresh or hint
    views = Views(frame, gray)
    for name, needs_region, step in steps:
        if (time.thread_time() - start) * 1000 > budget_ms:
            break
        if needs_region and box is None:
            continue
        text = step(views, box)
        if text is not None:
            return Outcome(text, name, fresh)
    return Outcome(None, None, fresh)
