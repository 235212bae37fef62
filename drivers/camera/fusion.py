"""Several frames, one reading: the code's region over the last frames, aligned and fused per pixel.

Why: a pass held up to the camera is seen for a second or more, but each frame has its own fault. A glossy card
throws a glare spot that wanders as the hand trembles; sensor noise differs frame to frame. A spot that covers a
module in one frame leaves it in the next, so the per-pixel median of three aligned views of the region drops
the glare and the noise while keeping the modules, which stay put on the card. Alignment is a translation found
by phase correlation (a hand's tremor between frames is mostly a shift of a few pixels); views that do not
align (the card moved or turned) are left out rather than smeared in.

Pure functions of numpy arrays plus a small history object; used by FrameDecoder (decoder.py).
"""
from __future__ import annotations

from collections import deque

import cv2
import numpy as np

from drivers.camera.cascade import Box
from drivers.camera.qrsoft.reader import Symbol, soft_grid
from drivers.camera.qrsoft.reader import decode as decode_soft

MAX_SHIFT = 0.15        # of the region's size: a larger shift is a moved card, not tremor
MIN_RESPONSE = 0.08     # phase-correlation peak below this: the views do not show the same thing
MAX_SIDE = 720          # regions are fused at most this large (the cost grows with the area)


def shift_between(reference: np.ndarray, other: np.ndarray) -> tuple[float, float] | None:
    """(dx, dy) that moves `other` onto `reference`, or None when they do not align."""
    small = 0.5 if max(reference.shape) > 240 else 1.0
    a = cv2.resize(reference, None, fx=small, fy=small, interpolation=cv2.INTER_AREA) if small != 1 else reference
    b = cv2.resize(other, None, fx=small, fy=small, interpolation=cv2.INTER_AREA) if small != 1 else other
    window = cv2.createHanningWindow((a.shape[1], a.shape[0]), cv2.CV_32F)
    (dx, dy), response = cv2.phaseCorrelate(np.float32(a), np.float32(b), window)
    dx, dy = dx / small, dy / small
    h, w = reference.shape[:2]
    if response < MIN_RESPONSE or abs(dx) > MAX_SHIFT * w or abs(dy) > MAX_SHIFT * h:
        return None
    return -dx, -dy


def _moved(image: np.ndarray, shift: tuple[float, float]) -> np.ndarray:
    m = np.float32([[1, 0, shift[0]], [0, 1, shift[1]]])
    return cv2.warpAffine(image, m, (image.shape[1], image.shape[0]), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)


def median3(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Per-pixel median of three 8-bit images (four min/max passes, no sorting)."""
    return cv2.max(cv2.min(a, b), cv2.min(cv2.max(a, b), c))


def fuse(views: list[np.ndarray]) -> list[np.ndarray]:
    """Fused readings of the region, best first: the per-pixel median and minimum of the newest view and two
    older ones spread in time (a glare spot drifts slowly, so neighbouring frames share it; the oldest and
    middle views of the history differ most). Empty when fewer than three views align."""
    if len(views) < 3:
        return []
    newest = views[-1]
    aligned = []
    older = views[:-1]
    for index in _spread(len(older)):
        shift = shift_between(newest, older[index])
        if shift is not None:
            aligned.append(_moved(older[index], shift))
        if len(aligned) == 2:
            a, b = aligned
            return [median3(newest, a, b), cv2.min(cv2.min(newest, a), b)]
    return []


def _spread(count: int) -> list[int]:
    """Indexes of older views to try, oldest and middle first, then the rest newest first."""
    first = [0, count // 2] if count > 2 else list(range(count))
    return first + [i for i in reversed(range(count)) if i not in first]


class RegionHistory:
    """The last few views of one fixed box (full-resolution gray), kept while a code stays in view."""

    def __init__(self, depth: int = 9) -> None:
        self.box: Box | None = None
        self._views: deque[np.ndarray] = deque(maxlen=depth)

    def clear(self) -> None:
        self.box = None
        self._views.clear()

    def add(self, gray: np.ndarray, region: Box) -> None:
        """Record this frame's view of the box; a region that moved or changed size starts a new history."""
        if self.box is None or not _same_place(self.box, region):
            self.box = _capped(region)
            self._views.clear()
        x0, y0, x1, y1 = self.box
        self._views.append(np.ascontiguousarray(gray[y0:y1, x0:x1]))

    def fused(self) -> list[np.ndarray]:
        return fuse(list(self._views))


def _capped(box: Box) -> Box:
    """The box shrunk about its centre to at most MAX_SIDE on a side."""
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    hw, hh = min(x1 - x0, MAX_SIDE) // 2, min(y1 - y0, MAX_SIDE) // 2
    return cx - hw, cy - hh, cx + hw, cy + hh


def _same_place(a: Box, b: Box) -> bool:
    """Most of the smaller region lies inside the other (a partly seen code gives a smaller box in the same
    place, so intersection over the smaller area, at least 0.6, not over the union)."""
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return smaller > 0 and ix * iy / smaller >= 0.6


class SymbolHistory:
    """Soft module values of one located QR symbol over its last views, summed module by module and read.

    Module coordinates are the symbol's own, so views need no image alignment: each frame is sampled on the grid
    zxing-cpp located in it. A glare spot that covers other modules in each frame, noise and focus that differ
    frame to frame add up to a clearer symbol than any single view (qrsoft/reader.py)."""

    def __init__(self, depth: int = 6) -> None:
        self._symbol: Symbol | None = None
        self._grids: deque[np.ndarray] = deque(maxlen=depth)

    def clear(self) -> None:
        self._symbol = None
        self._grids.clear()

    def add(self, gray: np.ndarray, symbol: Symbol) -> None:
        """Record this frame's view of the symbol; another code (or the same one elsewhere) starts anew."""
        if self._symbol is None or not symbol.same_code(self._symbol) or not _near(symbol, self._symbol):
            self._grids.clear()
        self._symbol = symbol
        self._grids.append(soft_grid(gray, symbol))

    def read(self) -> str | None:
        """The text of the summed views (two or more), or None."""
        if self._symbol is None or len(self._grids) < 2:
            return None
        return decode_soft(sum(self._grids), self._symbol)


def largest(symbols: tuple[Symbol, ...]) -> Symbol | None:
    """The located symbol covering the most pixels (a code held up, rather than a stray pattern)."""
    return max(symbols, key=lambda s: cv2.contourArea(np.float32(s.quad)), default=None)


def _near(a: Symbol, b: Symbol) -> bool:
    """The same place: centres closer than half the symbol's side."""
    ca, cb = np.mean(np.float32(a.quad), axis=0), np.mean(np.float32(b.quad), axis=0)
    side = float(np.linalg.norm(np.float32(a.quad[0]) - np.float32(a.quad[1])))
    return float(np.linalg.norm(ca - cb)) < side / 2
