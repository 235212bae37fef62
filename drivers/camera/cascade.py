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

from drivers.camera.qrsoft import reader as soft
from drivers.camera.qrsoft.reader import Symbol

QR = zxingcpp.BarcodeFormat.QRCode
PLAIN = zxingcpp.TextMode.Plain
Box = tuple[int, int, int, int]  # x0, y0, x1, y1


# The working resolution: frames whose longer side exceeds it are read at a fitted copy first (a code close to
# the lens fills a 4000 px photo with modules of 100 px, which the fast pass at full size misses), while the
# region steps still crop the full-resolution frame, so a small code far away keeps every pixel it has.
WORK_SIDE = 1280


def fit(image: np.ndarray, side: int = WORK_SIDE) -> tuple[np.ndarray, float]:
    """(image scaled so its longer side is at most `side`, the factor applied); unchanged when it fits."""
    longest = max(image.shape[:2])
    if longest <= side:
        return image, 1.0
    factor = side / longest
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA), factor


def _brightest_of(frame: np.ndarray, gray: np.ndarray) -> np.ndarray:
    """Per-pixel max over B, G, R: coloured pen and stains turn pale, black print stays black."""
    if frame.ndim != 3:
        return gray
    b, g, r = cv2.split(frame)
    return cv2.max(cv2.max(b, g), r)


@dataclass
class Views:
    """The frame as the steps need it, computed lazily (most frames never need more than `gray`).

    `frame`/`gray` are at the working resolution (whole-frame steps); `full_frame`/`full_gray` at the camera's
    (region steps crop them). For a frame that fits the working resolution they are the same arrays."""

    full_frame: np.ndarray
    full_gray: np.ndarray
    scale: float = 1.0
    _work_gray: np.ndarray | None = None
    _work_frame: np.ndarray | None = None
    _brightest: np.ndarray | None = None
    _full_brightest: np.ndarray | None = None
    symbols: tuple[Symbol, ...] = ()   # located by the fast pass but not decoded, in full-resolution coordinates
    deadline: float = float("inf")     # time.thread_time() at which the cascade's budget is spent
    relocated: tuple[Symbol, ...] | None = None   # located with downscaling when the fast pass located none

    @property
    def frame(self) -> np.ndarray:
        if self._work_frame is None:
            self._work_frame = self.full_frame if self.scale == 1.0 else fit(self.full_frame)[0]
        return self._work_frame

    @property
    def gray(self) -> np.ndarray:
        if self._work_gray is None:
            self._work_gray = self.full_gray if self.scale == 1.0 else fit(self.full_gray)[0]
        return self._work_gray

    @property
    def brightest(self) -> np.ndarray:
        if self._brightest is None:
            self._brightest = _brightest_of(self.frame, self.gray)
        return self._brightest

    @property
    def full_brightest(self) -> np.ndarray:
        if self._full_brightest is None:
            self._full_brightest = (self.brightest if self.scale == 1.0
                                    else _brightest_of(self.full_frame, self.full_gray))
        return self._full_brightest


def read(image: np.ndarray, **options) -> tuple[str | None, list[Box]]:
    """zxing-cpp (QR only): the first valid text, and the boxes of all codes seen (decoded or not)."""
    text, seen, _symbols = scan(image, **options)
    return text, seen


def scan(image: np.ndarray, **options) -> tuple[str | None, list[Box], list[Symbol]]:
    """read(), plus the symbols zxing-cpp located but could not decode (for the soft reader)."""
    options.setdefault("try_invert", False)
    options.setdefault("text_mode", PLAIN)  # the code's exact text: control characters are not rewritten as "<SOH>"
    text, seen, symbols = None, [], []
    for barcode in zxingcpp.read_barcodes(image, formats=QR, return_errors=True, **options):
        if barcode.valid and barcode.text and text is None:
            text = barcode.text
        elif not barcode.valid and (symbol := soft.located(barcode)) is not None:
            symbols.append(symbol)
        p = barcode.position
        xs = [p.top_left.x, p.top_right.x, p.bottom_right.x, p.bottom_left.x]
        ys = [p.top_left.y, p.top_right.y, p.bottom_right.y, p.bottom_left.y]
        seen.append((min(xs), min(ys), max(xs), max(ys)))
    return text, seen, symbols


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


def _scaled_boxes(boxes: list[Box], factor: float) -> list[Box]:
    if factor == 1.0:
        return boxes
    return [tuple(int(round(c / factor)) for c in box) for box in boxes]  # type: ignore[misc]


def _scaled_symbol(symbol: Symbol, factor: float) -> Symbol:
    if factor == 1.0:
        return symbol
    quad = tuple((x / factor, y / factor) for x, y in symbol.quad)
    return Symbol(quad, symbol.version, symbol.level, symbol.mask)  # type: ignore[arg-type]


def located(views: Views) -> tuple[Symbol, ...]:
    """The symbols the fast pass located but could not decode; when it located none, those zxing-cpp locates
    at half size with its downscaling on (a code close to the lens has modules too large for the fast pass)."""
    if views.symbols or views.relocated is not None:
        return views.symbols or views.relocated
    found = scan(_half(views.gray))[2]   # half size and zxing-cpp's own downscaling: large modules, ~0.5 ms
    views.relocated = tuple(_scaled_symbol(s, views.scale / 2) for s in found)
    if views.relocated:
        views.deadline += LOCATED_EXTRA_MS / 1000
    return views.relocated


def soft_read(views: Views, bent: bool = False) -> str | None:
    """Located symbols read from soft module values (qrsoft); `bent`: on a grid fitted to a bent print."""
    for symbol in located(views)[:MAX_SOFT_SYMBOLS]:
        text = soft.decode(soft.soft_grid(views.full_gray, symbol, refined=bent), symbol, views.deadline)
        if text is not None:
            return text
    return None


MAX_SOFT_SYMBOLS = 3
LOCATED_EXTRA_MS = 10.0   # more budget once a QR symbol has been located (by the fast pass or with downscaling)


def _sharpen(gray: np.ndarray) -> np.ndarray:
    return cv2.addWeighted(gray, 2.0, cv2.GaussianBlur(gray, (0, 0), 2), -1.0, 0)


def _half(image: np.ndarray) -> np.ndarray:
    return cv2.resize(image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)


def _double(image: np.ndarray) -> np.ndarray:
    return cv2.resize(image, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)


GLOBAL, FIXED = zxingcpp.Binarizer.GlobalHistogram, zxingcpp.Binarizer.FixedThreshold
LOCAL = zxingcpp.Binarizer.LocalAverage

# Each step: (name, needs a region?, fn(views, box) -> text or None). Order = greedy by codes recovered per ms
# on the frames the fast pass missed (corpus seeds 1 and 2, 700 frames); see docs/camera.md.
Step = tuple[str, bool, Callable[[Views, Box | None], str | None]]
STEPS: tuple[Step, ...] = (
    ("frame/half-global-histogram", False, lambda v, b: read(_half(v.gray), binarizer=GLOBAL)[0]),
    ("symbol/soft", False, lambda v, b: soft_read(v)),
    ("symbol/soft-bent", False, lambda v, b: soft_read(v, bent=True)),
    ("region/global-histogram", True, lambda v, b: read(_crop(v.full_gray, b), binarizer=GLOBAL)[0]),
    ("region/half-brightest", True, lambda v, b: read(_half(_crop(v.full_brightest, b)))[0]),
    ("region/upscale2", True, lambda v, b: read(_double(_crop(v.full_gray, b)), try_downscale=False)[0]),
    ("frame/half-median3", False, lambda v, b: read(_half(cv2.medianBlur(v.gray, 3)))[0]),
    ("frame/half-brightest", False, lambda v, b: read(_half(v.brightest))[0]),
    ("region/upscale2-global-histogram", True,
     lambda v, b: read(_double(_crop(v.full_gray, b)), binarizer=GLOBAL, try_downscale=False)[0]),
    ("frame/median3", False, lambda v, b: read(cv2.medianBlur(v.gray, 3), try_downscale=False)[0]),
    ("region/fixed-threshold", True, lambda v, b: read(_crop(v.full_gray, b), binarizer=FIXED)[0]),
    ("frame/blur3-global-histogram", False,
     lambda v, b: read(cv2.GaussianBlur(v.gray, (3, 3), 0), binarizer=GLOBAL)[0]),
    ("region/sharpen", True, lambda v, b: read(_sharpen(_crop(v.full_gray, b)))[0]),
)


@dataclass(frozen=True)
class Outcome:
    text: str | None
    step: str | None          # which step read it ("first" for the fast pass)
    region: Box | None        # where the fast pass saw a code in this frame (read or not), for the next frame
    symbols: tuple[Symbol, ...] = ()   # QR symbols the fast pass located but could not decode (full resolution)


def run(frame: np.ndarray, gray: np.ndarray, *, hint: Box | None = None, budget_ms: float = 15.0,
        steps: tuple[Step, ...] = STEPS, seen_steps: tuple[Step, ...] | None = None) -> Outcome:
    """Run the cascade until a step reads a code or the budget is spent; `seen_steps` (if given) instead of
    `steps` when the fast pass saw a code it could not read (an idle frame escalates at once).

    The budget is CPU time of the calling thread (time.thread_time), so results do not depend on how busy
    the machine is; the capture decodes the newest frame, so a slow frame only delays, never queues.
    """
    work, factor = fit(gray)
    start = time.thread_time()  # fitting is a fixed cost of large frames, not a recovery: not on the budget
    text, seen, located = scan(work, try_downscale=False)
    fresh = region(_scaled_boxes(seen, factor), gray.shape)
    if text is not None:
        return Outcome(text, "first", fresh)
    symbols = tuple(_scaled_symbol(s, factor) for s in located)
    if seen_steps is not None and (fresh is not None or symbols):
        steps = seen_steps
    box = fresh or hint
    views = Views(frame, gray, factor, work, symbols=symbols, deadline=start + budget_ms / 1000)
    if symbols and any(name.startswith("symbol/") for name, _, _ in steps):
        views.deadline += LOCATED_EXTRA_MS / 1000  # a QR symbol is certainly there: time for the symbol steps
    for name, needs_region, step in steps:
        if time.thread_time() > views.deadline:
            break
        if needs_region and box is None:
            continue
        text = step(views, box)
        if text is not None:
            return Outcome(text, name, fresh, symbols)
    return Outcome(None, None, fresh, symbols)
