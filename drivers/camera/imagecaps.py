"""Byte and pixel caps on every image file the kiosk reads, checked before anything is decoded.

Why: a 168 KB PNG that claims 32000 x 32000 pixels made OpenCV allocate 5.9 GB; `/dev/zero` given as an image
was read without end. So the file is read through a bounded reader (never more than MAX_IMAGE_BYTES + 1 bytes,
whatever the file claims), and the image header (Pillow reads only the header here) must name a size within
MAX_IMAGE_PIXELS before OpenCV decodes it. Pure functions; any thread.
"""
from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

MAX_IMAGE_BYTES = 64 * 1024 * 1024
MAX_IMAGE_PIXELS = 110_000_000  # a 108 MP phone photo still reads; 3 bytes a pixel stays well under 1 GB
MAX_IMAGE_SIDE = 20_000


class ImageRefused(ValueError):
    """The file is too large, claims too many pixels, or has no image header we recognise."""


def read_capped(path: str | os.PathLike, max_bytes: int) -> bytes:
    """At most `max_bytes` of a file (a device, a pipe or a growing file too); ImageRefused beyond that."""
    chunks, total = [], 0
    with open(path, "rb") as fh:
        while chunk := fh.read(min(1 << 20, max_bytes + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise ImageRefused(f"{Path(path).name} is larger than {max_bytes} bytes")
    return b"".join(chunks)


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) from the header alone; ImageRefused when there is no header we know."""
    try:
        with warnings.catch_warnings():  # our own cap is below Pillow's bomb error; its warning says nothing new
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:  # lazy: parses the header, decodes nothing
                return image.size
    except Image.DecompressionBombError:
        raise ImageRefused("the header claims more pixels than any image this kiosk reads") from None
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ImageRefused(f"not a readable image ({type(exc).__name__})") from None


def checked_image_bytes(path: str | os.PathLike) -> bytes:
    """The bytes of an image file whose size and claimed pixel count are within the caps."""
    data = read_capped(path, MAX_IMAGE_BYTES)
    width, height = image_size(data)
    if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE or width * height > MAX_IMAGE_PIXELS:
        raise ImageRefused(f"{Path(path).name} claims {width} x {height} pixels, over the "
                           f"{MAX_IMAGE_PIXELS}-pixel limit")
    return data
