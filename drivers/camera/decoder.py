"""Decode printed QR codes from camera frames and image files.

First version: plain zxing-cpp (QR only). The recovery cascade replaces the body of `decode_frame` once it is
chosen by measurement; the function names and DecodeResult stay as they are (other areas code against them).
Called from the capture thread (decode_frame) or the CLI thread (decode_image_file); both are thread-safe.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import zxingcpp


class ImageUnreadable(ValueError):
    """The image file is missing or is not an image OpenCV can read."""


@dataclass(frozen=True)
class DecodeResult:
    """What one image gave: the decoded text (None if nothing was read) and the time spent decoding."""

    text: str | None
    ms: float


def _zxing(gray: np.ndarray) -> str | None:
    for barcode in zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode):
        if barcode.valid and barcode.text:
            return barcode.text
    return None


def _to_gray(frame: np.ndarray) -> np.ndarray:
    if not isinstance(frame, np.ndarray) or frame.size == 0:
        raise ValueError("frame must be a non-empty numpy array")
    if frame.ndim == 2:
        return frame if frame.dtype == np.uint8 else cv2.convertScaleAbs(frame)
    if frame.ndim == 3 and frame.shape[2] == 3:
        return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    if frame.ndim == 3 and frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY)
    if frame.ndim == 3 and frame.shape[2] == 1:
        return frame[:, :, 0]
    raise ValueError(f"unsupported frame shape {frame.shape}")


def decode_frame(frame: np.ndarray) -> str | None:
    """The text of the QR code in a BGR or grayscale frame, or None."""
    return _zxing(_to_gray(frame))


def read_image(path: str | Path) -> np.ndarray:
    """Load an image file as grayscale; ImageUnreadable if it is missing or not an image."""
    p = Path(path)
    if not p.is_file():
        raise ImageUnreadable(f"no such image file: {p}")
    data = np.fromfile(str(p), dtype=np.uint8)
    image = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE) if data.size else None
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
    """Decodes a stream of frames, keeping what helps the next frame (used by one capture thread)."""

    def decode(self, frame: np.ndarray) -> str | None:
        return decode_frame(frame)
