"""The decoders the camera benchmark compares, each `name -> fn(frame) -> str | None`.

ours = drivers.camera.decoder.decode_frame (the full cascade); ours-previous = the cascade without the soft
symbol steps (as before issue 18's second round); the baselines are used as a developer would
use them out of the box: zxing-cpp on the frame, OpenCV's QRCodeDetector and QRCodeDetectorAruco.
"""
from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import zxingcpp

from drivers.camera import cascade
from drivers.camera.decoder import _normalise, decode_frame

PREVIOUS_STEPS = tuple(step for step in cascade.STEPS if not step[0].startswith("symbol/"))


def previous_cascade(frame: np.ndarray) -> str | None:
    """Our cascade as it was before the soft symbol reader (every step but symbol/*), for side-by-side runs."""
    colour, gray = _normalise(frame)
    return cascade.run(colour, gray, steps=PREVIOUS_STEPS).text


def plain_zxing(frame: np.ndarray) -> str | None:
    # Plain text mode, as ours, so a code holding control characters is compared by its content, not by
    # zxing-cpp's default human-readable rewriting ("<SOH>"); everything else is zxing-cpp's default.
    for barcode in zxingcpp.read_barcodes(frame, formats=zxingcpp.BarcodeFormat.QRCode,
                                          text_mode=zxingcpp.TextMode.Plain):
        if barcode.valid and barcode.text:
            return barcode.text
    return None


def _opencv(detector) -> Callable[[np.ndarray], str | None]:
    def decode(frame: np.ndarray) -> str | None:
        try:
            text, _points, _straight = detector.detectAndDecode(frame)
        except cv2.error:
            return None
        return text or None
    return decode


def decoders(budget_ms: float | None = None) -> dict[str, Callable[[np.ndarray], str | None]]:
    ours = decode_frame if budget_ms is None else (lambda frame: decode_frame(frame, budget_ms=budget_ms))
    return {
        "ours": ours,
        "ours-previous": previous_cascade,
        "zxing-cpp": plain_zxing,
        "cv2.QRCodeDetector": _opencv(cv2.QRCodeDetector()),
        "cv2.QRCodeDetectorAruco": _opencv(cv2.QRCodeDetectorAruco()),
    }
