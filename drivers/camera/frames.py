"""Frames as the source delivered them: compressed (an MJPEG buffer, an image file's bytes) until someone needs
the pixels, and then decoded in gray or in colour as that someone asks.

Why: decoding a 720p MJPEG frame costs 2-4 ms of CPU, as much as looking for a code in it. A V4L2 camera asked
for its raw buffers (CAP_PROP_CONVERT_RGB=0: OpenCV then hands over the JPEG it would have decoded itself with
the same cv2.imdecode) and an MJPEG video file read as packets (CAP_PROP_FORMAT=-1: FFmpeg demuxes, decodes
nothing) give the decoder the JPEG. It decodes only the frames it looks at, and in gray while nothing is in view
(no chroma upsampling nor colour conversion: a quarter less than colour, and no BGR->gray pass afterwards).
Pure functions and a value type; any thread.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MAX_FRAME_SIDE = 8192           # a camera frame larger than 8K on a side is refused (a hostile USB device)
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


@dataclass(frozen=True, eq=False)
class EncodedFrame:
    """A compressed image (1-D uint8) whose header was checked against the caps; decoded on demand."""

    data: np.ndarray

    def pixels(self, colour: bool = True) -> np.ndarray | None:
        """The image as BGR (`colour`) or 8-bit gray; None when it does not decode."""
        image = cv2.imdecode(self.data, cv2.IMREAD_COLOR if colour else cv2.IMREAD_GRAYSCALE)
        return image if image is not None and image.size else None


Frame = np.ndarray | EncodedFrame


def pixels(frame: Frame, colour: bool = True) -> np.ndarray | None:
    """A frame's pixels: an array as it is, an encoded frame decoded (gray when `colour` is False)."""
    return frame.pixels(colour) if isinstance(frame, EncodedFrame) else frame


def jpeg_size(data: np.ndarray | bytes) -> tuple[int, int] | None:
    """(width, height) from a JPEG's frame header, walking its marker segments; None for anything else."""
    view = memoryview(data).cast("B") if not isinstance(data, bytes) else memoryview(data)
    if len(view) < 4 or view[0] != 0xFF or view[1] != 0xD8:
        return None
    at = 2
    while at + 4 <= len(view):
        if view[at] != 0xFF:
            return None
        marker = view[at + 1]
        if marker == 0xFF:           # fill byte
            at += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:   # no length field
            at += 2
            continue
        if marker in (0xD9, 0xDA):   # end of image or start of scan before any frame header
            return None
        length = (view[at + 2] << 8) | view[at + 3]
        if marker in _SOF:
            if at + 9 > len(view) or length < 8:
                return None
            height = (view[at + 5] << 8) | view[at + 6]
            width = (view[at + 7] << 8) | view[at + 8]
            return width, height
        at += 2 + length
    return None


def camera_jpeg(buffer: np.ndarray) -> EncodedFrame | None:
    """A raw camera or video buffer as an encoded frame, when it is a JPEG whose size is within the caps (a
    camera or file is outside input: a header claiming 60000 x 60000 is refused before anything is decoded)."""
    data = np.ascontiguousarray(buffer).reshape(-1)
    if data.dtype != np.uint8:
        return None
    size = jpeg_size(data)
    if size is None or not (0 < size[0] <= MAX_FRAME_SIDE and 0 < size[1] <= MAX_FRAME_SIDE):
        return None
    return EncodedFrame(data.copy())   # the driver reuses its buffer
