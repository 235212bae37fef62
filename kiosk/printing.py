"""Printable passes: the QR text as a PNG card or an A6 PDF page, with the masked name, validity and instructions.

Rendered with Pillow at 300 dpi on an A6 page (105 x 148 mm); the PDF embeds that page image, so what prints is
exactly what was checked. The QR uses error correction Q (~25 %), as the DCC practice recommends for paper.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

DPI = 300
A6_MM = (105, 148)
CJK_FONT_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                  "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
NOTO_SC_INDEX = 2  # Noto Sans CJK SC in Debian's collection
CHINA_TIME = timezone(timedelta(hours=8))


class PrintError(RuntimeError):
    """A pass could not be rendered (unknown output type, no usable font)."""


@dataclass(frozen=True)
class PrintablePass:
    qr_text: str
    masked_name: str
    status: str
    valid_from: datetime
    valid_until: datetime


def qr_image(text: str, box_px: int = 8) -> Image.Image:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, box_size=box_px, border=4)
    code.add_data(text)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")


def _font(size_px: int) -> ImageFont.ImageFont:
    for path in CJK_FONT_FILES:
        if Path(path).exists():
            return ImageFont.truetype(path, size_px, index=NOTO_SC_INDEX)
    return ImageFont.load_default(size=size_px)


def _mm(mm: float) -> int:
    return round(mm / 25.4 * DPI)


def render_page(card: PrintablePass) -> Image.Image:
    """The A6 page: title, QR, masked name, validity (China time) and bilingual instructions."""
    page = Image.new("RGB", (_mm(A6_MM[0]), _mm(A6_MM[1])), "white")
    draw = ImageDraw.Draw(page)
    width = page.width
    y = _mm(6)
    for text, size in (("离线通行码  Offline pass", 5.0), (f"持有人 Holder: {card.masked_name}", 4.2)):
        font = _font(_mm(size))
        draw.text((width // 2, y), text, fill="black", font=font, anchor="mt")
        y += _mm(size) + _mm(2.5)
    qr = qr_image(card.qr_text)
    side = _mm(80)
    qr = qr.resize((side, side), Image.NEAREST)
    page.paste(qr, ((width - side) // 2, y))
    y += side + _mm(3)
    fmt = "%Y-%m-%d %H:%M"
    lines = (
        f"有效期 Valid: {card.valid_from.astimezone(CHINA_TIME).strftime(fmt)}",
        f"至 until: {card.valid_until.astimezone(CHINA_TIME).strftime(fmt)} (UTC+8)",
        "请将此码对准闸机摄像头，平整勿折。",
        "Hold this code flat in front of the gate camera.",
    )
    font = _font(_mm(3.4))
    for line in lines:
        draw.text((width // 2, y), line, fill="black", font=font, anchor="mt")
        y += _mm(3.4) + _mm(1.6)
    return page


def write_pass(card: PrintablePass, out: Path) -> None:
    """Write a pass as .txt (QR text only), .png (the page) or .pdf (the page on A6)."""
    suffix = out.suffix.lower()
    if suffix == ".txt":
        out.write_text(card.qr_text + "\n", encoding="ascii")
    elif suffix == ".png":
        render_page(card).save(out, dpi=(DPI, DPI))
    elif suffix == ".pdf":
        buffer = io.BytesIO()
        render_page(card).save(buffer, format="PDF", resolution=DPI)
        out.write_bytes(buffer.getvalue())
    else:
        raise PrintError(f"cannot write {out.name}: the output must end in .png, .pdf or .txt")
