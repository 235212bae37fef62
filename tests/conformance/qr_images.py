"""QR images of the public suites, decoded the way the kiosk decodes camera frames.

Every picture goes through the kiosk's camera decoder (drivers.camera.decoder.decode_frame), as a grayscale
frame, exactly as a camera frame would. SMART Health Card examples are SVG: their
`<path>` of horizontal runs (`M x y h n m dx dy ...`) is rasterised here with Pillow, no SVG library needed.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
from PIL import Image

from drivers.camera.decoder import decode_frame

DECODER_NAME = "decode_frame"


def decode_image(image: Image.Image) -> str | None:
    return decode_frame(np.asarray(image.convert("L")))


def decode_png_bytes(data: bytes) -> str | None:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception:  # noqa: BLE001 - a broken picture is a "cannot decode" outcome, as in case Q1
        return None
    return decode_image(image)


def decode_png_file(path: Path) -> str | None:
    return decode_png_bytes(path.read_bytes())


def render_qr(text: str) -> Image.Image:
    """A QR code as the kiosk's printer renders one (error correction Q, as the DCC recommends)."""
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, box_size=4, border=4)
    code.add_data(text)
    return code.make_image(fill_color="black", back_color="white").get_image().convert("L")


_VIEWBOX = re.compile(r'viewBox="0 0 (\d+) (\d+)"')
_DARK_PATH = re.compile(r'<path[^>]*stroke="#000000"[^>]*d="([^"]+)"')
_COMMAND = re.compile(r"([MmHhVv])\s*(-?[\d.]+)(?:[ ,](-?[\d.]+))?")


def rasterise_qr_svg(svg: str, scale: int = 4) -> Image.Image:
    """Draw the dark runs of a `qrcode`-style SVG (one stroked path of h-runs at half-pixel y)."""
    width, height = (int(v) for v in _VIEWBOX.search(svg).groups())
    grid = np.full((height, width), 255, dtype=np.uint8)
    x = y = 0.0
    for path in _DARK_PATH.findall(svg):
        for cmd, a, b in _COMMAND.findall(path):
            if cmd == "M":
                x, y = float(a), float(b)
            elif cmd == "m":
                x, y = x + float(a), y + float(b)
            elif cmd == "h":
                n = float(a)
                grid[int(y), int(x):int(x + n)] = 0
                x += n
            elif cmd == "H":
                grid[int(y), int(x):int(float(a))] = 0
                x = float(a)
    return Image.fromarray(grid).resize((width * scale, height * scale), Image.NEAREST)
