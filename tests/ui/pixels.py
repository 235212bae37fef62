"""Pixel measurements on rendered widgets: WCAG contrast and colour-blindness simulation (Machado et al. 2009)."""
from __future__ import annotations


import numpy as np
from PySide6.QtGui import QImage

# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB.
DEUTERANOPIA = ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881))
PROTANOPIA = ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998))


def _linear(v: float) -> float:
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def luminance_rgb(rgb: tuple[int, int, int]) -> float:
    r, g, b = (_linear(c / 255) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = sorted((luminance_rgb(a), luminance_rgb(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def simulated_luminance(rgb: tuple[int, int, int], matrix) -> float:
    lin = [_linear(c / 255) for c in rgb]
    sim = [min(1.0, max(0.0, sum(m * c for m, c in zip(row, lin)))) for row in matrix]
    return 0.2126 * sim[0] + 0.7152 * sim[1] + 0.0722 * sim[2]


def colours(image: QImage) -> dict[tuple[int, int, int], int]:
    """Every colour in the image and how many pixels have it."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    width, height = image.width(), image.height()
    raw = np.frombuffer(image.constBits(), dtype=np.uint32, count=image.bytesPerLine() // 4 * height)
    pixels = raw.reshape(height, image.bytesPerLine() // 4)[:, :width].ravel() & 0xFFFFFF
    values, counts = np.unique(pixels, return_counts=True)
    return {((int(v) >> 16) & 255, (int(v) >> 8) & 255, int(v) & 255): int(n) for v, n in zip(values, counts)}


def text_contrast(image: QImage) -> tuple[float, tuple, tuple]:
    """(ratio, background, foreground): background = most frequent colour, foreground = highest contrast to it."""
    counts = colours(image)
    background = max(counts, key=counts.get)
    foreground = max(counts, key=lambda c: contrast(c, background))
    return contrast(foreground, background), background, foreground
