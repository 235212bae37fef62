"""Colours and fonts: the verdict palette (colour-blind safe) and the right CJK family for each language.

Colours: PASS is light green with black text, STOP dark red with white text, SEE STAFF amber with black text;
PASS and STOP differ in luminance by about 5:1, and still by more than 3:1 under simulated red-green colour
blindness (tests/ui/test_contrast.py measures it on rendered pixels). Fonts are sized in pixels from the
configured panel pixel pitch so that a capital H measures a given number of millimetres on the real panel.
Call these on the GUI thread, after the QApplication exists.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QFontMetricsF


@dataclass(frozen=True)
class Scheme:
    background: str
    foreground: str


IDLE = Scheme("#0B1A2E", "#FFFFFF")
READING = Scheme("#0B1A2E", "#FFFFFF")
VERDICT = {
    "PASS": Scheme("#3DEC94", "#000000"),
    "STOP": Scheme("#A50021", "#FFFFFF"),
    "SEE_STAFF": Scheme("#FFC20A", "#000000"),
}
UNAVAILABLE = Scheme("#FFC20A", "#000000")
STAFF = Scheme("#F4F6F8", "#101418")
STAFF_ACCENT = "#0B4F9C"  # buttons and focus ring on the staff/admin screens (>= 3:1 on STAFF.background)
FOCUS_RING = "#0B4F9C"

# The first family in the Noto CJK .ttc is Japanese: name the one each language needs, explicitly.
FAMILIES = {
    "zh-Hans": ["Noto Sans CJK SC"],
    "zh-Hant-HK": ["Noto Sans CJK HK", "Noto Sans CJK TC"],
    "en": ["Noto Sans CJK SC"],  # its Latin glyphs, with the CJK line spacing (>= 1.3 x the size)
}


def scheme_for(outcome: str) -> Scheme:
    """Unknown outcomes get the SEE STAFF scheme: never green for something we do not understand."""
    return VERDICT.get(outcome, VERDICT["SEE_STAFF"])


def language_font(language: str, pixel_size: int, bold: bool = False) -> QFont:
    font = QFont()
    font.setFamilies(FAMILIES.get(language, FAMILIES["en"]) + ["Noto Sans CJK SC"])
    font.setPixelSize(max(1, pixel_size))
    font.setBold(bold)
    return font


@functools.lru_cache(maxsize=256)
def pixel_size_for_cap(language: str, cap_mm: float, pitch_mm: float, bold: bool = False) -> int:
    """The smallest pixel size whose capital H is at least `cap_mm` tall on a panel of `pitch_mm` per pixel.

    Cached: a verdict lays out several rows and the font metrics of a CJK face are not free."""
    reference = 200
    cap = QFontMetricsF(language_font(language, reference, bold)).capHeight() or reference * 0.7
    size = max(1, math.ceil(cap_mm / pitch_mm * reference / cap))
    while QFontMetricsF(language_font(language, size, bold)).capHeight() * pitch_mm < cap_mm:
        size += 1
    return size


def relative_luminance(color: QColor) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF())


def contrast_ratio(a: QColor, b: QColor) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
