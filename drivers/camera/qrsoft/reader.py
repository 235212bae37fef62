"""Read a QR symbol zxing-cpp located but could not decode: soft module values, erasures, Reed-Solomon.

Why: zxing-cpp decides each module black or white and then corrects up to ecc/2 wrong codewords per block.
Where a glare spot, blur or a stain makes modules doubtful, the doubt is information: the least reliable
codewords are passed to the Reed-Solomon decoder as erasures, and it corrects up to ecc of those. Several frames
of the same symbol add their soft values module by module (module coordinates need no image alignment), so a
spot that moves, noise and focus that differ frame to frame average out.

Safety against wrong texts: every try leaves at least MARGIN parity codewords of each block unused (a random
wrong block passes with probability about 256^-MARGIN per try), every block must be corrected, and the corrected
symbol is then redrawn cleanly and decoded by zxing-cpp itself (format, bitstream and text exactly as it would).
Pure functions of numpy arrays; any thread.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp

from drivers.camera.qrsoft import rs, spec
from drivers.camera.qrsoft.sample import Quad, module_centres, refined_centres

MARGIN = 4          # parity codewords per block never spent on corrections (detection of a wrong correction)


@dataclass(frozen=True)
class Symbol:
    """Where zxing-cpp located a QR symbol it could not decode, and what its format information said."""

    quad: Quad
    version: int
    level: str
    mask: int

    def same_code(self, other: Symbol) -> bool:
        return (self.version, self.level, self.mask) == (other.version, other.level, other.mask)


def located(barcode) -> Symbol | None:
    """The Symbol of a zxing-cpp result with an error, when it names a QR version, level and mask."""
    extra = getattr(barcode, "extra", None) or {}
    version, level, mask = str(extra.get("Version", "")), extra.get("ECLevel"), extra.get("DataMask")
    if not version.isdigit() or not 1 <= int(version) <= 40 or level not in spec.LEVELS:
        return None
    if not isinstance(mask, int) or not 0 <= mask <= 7:
        return None
    p = barcode.position
    quad = ((p.top_left.x, p.top_left.y), (p.top_right.x, p.top_right.y),
            (p.bottom_right.x, p.bottom_right.y), (p.bottom_left.x, p.bottom_left.y))
    return Symbol(quad, int(version), level, mask)


def soft_grid(gray: np.ndarray, symbol: Symbol, refined: bool = False) -> np.ndarray:
    """(n, n) float32: positive = dark, about 1 for a clear module, near 0 where the frame says little.
    The threshold is the mean of the 5 x 5 neighbouring modules (best of the windows and smoothings measured on
    the hand-held sequences' frames: fewest wrong modules). `refined`: sampled on the grid fitted to a bent
    print (sample.refined_centres) rather than the flat one through the corners."""
    centres = module_centres(symbol.quad, symbol.version)
    if refined:
        centres = refined_centres(gray, centres)
    values = cv2.remap(gray, centres[..., 0], centres[..., 1], cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    soft = cv2.blur(values, (5, 5), borderType=cv2.BORDER_REFLECT) - values
    typical = median(np.abs(soft))
    return soft / typical if typical > 1.0 else np.zeros_like(soft)


def median(values: np.ndarray) -> float:
    """The median by partition (np.median imports numpy.ma on first use: 20 ms on a live frame)."""
    flat = values.reshape(-1)
    return float(np.partition(flat, flat.size // 2)[flat.size // 2]) if flat.size else 0.0


def decode(soft: np.ndarray, symbol: Symbol, deadline: float = float("inf")) -> str | None:
    """The text of the symbol read from soft module values, or None (also once time.thread_time() passes
    `deadline`: a recovery step must keep to the cascade's budget)."""
    v, n = symbol.version, spec.size_of(symbol.version)
    if soft.shape != (n, n):
        return None
    lay = spec.layout(v, symbol.level)
    rows, cols = spec.data_order(v)
    flip = spec.mask_pattern(symbol.mask, n)[rows, cols]
    bits = ((soft[rows, cols] > 0) ^ flip)[:lay.total * 8]
    trust = np.abs(soft[rows, cols])[:lay.total * 8].reshape(-1, 8).min(axis=1)
    words = np.packbits(bits).astype(np.int64)
    fixed = np.zeros(lay.total, np.int64)
    for where in spec.block_indexes(v, symbol.level):
        corrected = _correct(words[where], trust[where], lay.ecc)
        if corrected is None or time.thread_time() > deadline:
            return None
        fixed[where] = corrected
    return _read_clean(_redraw(fixed, symbol), n)


def _correct(word: np.ndarray, trust: np.ndarray, ecc: int) -> np.ndarray | None:
    """One block corrected, trying more and more of its least trusted codewords as erasures."""
    known = rs.syndromes(word, ecc)
    if not any(known):
        return word
    doubtful = np.argsort(trust, kind="stable")
    room = ecc - MARGIN
    if room < 0:
        return None
    for erased in sorted({0, room // 4, room // 2, (3 * room) // 4, room}):
        corrected = rs.decode(word, ecc, sorted(doubtful[:erased].tolist()), max_errors=(room - erased) // 2,
                              known=known)
        if corrected is not None:
            return corrected
    return None


def _redraw(codewords: np.ndarray, symbol: Symbol) -> np.ndarray:
    """The symbol's module matrix (True = dark) with these codewords, its function patterns drawn anew."""
    v, n = symbol.version, spec.size_of(symbol.version)
    used, dark = spec.function_pattern(v, symbol.level, symbol.mask)
    rows, cols = spec.data_order(v)
    bits = np.unpackbits(codewords.astype(np.uint8))
    data = np.zeros(len(rows), bool)
    data[:len(bits)] = bits.astype(bool)
    matrix = dark.copy()
    matrix[rows, cols] = data ^ spec.mask_pattern(symbol.mask, n)[rows, cols]
    return matrix


def _read_clean(matrix: np.ndarray, n: int, px: int = 4) -> str | None:
    image = np.full((n + 8, n + 8), 255, np.uint8)
    image[4:4 + n, 4:4 + n] = np.where(matrix, 0, 255)
    image = cv2.resize(image, None, fx=px, fy=px, interpolation=cv2.INTER_NEAREST)
    for barcode in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode,
                                          text_mode=zxingcpp.TextMode.Plain, try_rotate=False,
                                          try_downscale=False, try_invert=False):
        if barcode.valid and barcode.text:
            return barcode.text
    return None
