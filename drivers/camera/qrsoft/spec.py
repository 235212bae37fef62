"""The structure of a QR code symbol (ISO/IEC 18004), as far as reading its codewords back needs it.

Which modules are function patterns, the order codewords are placed in, the data masks, the format and version
information, and how codewords are split into Reed-Solomon blocks. Everything but the two block tables is
computed; the tables are the standard's (checked against an independent encoder in the tests). Pure functions
of the version, cached.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

LEVELS = ("L", "M", "Q", "H")
FORMAT_LEVEL_BITS = {"L": 1, "M": 0, "Q": 3, "H": 2}

# Error-correction codewords per block and number of blocks, per level (L, M, Q, H) and version (index 0 unused).
ECC_PER_BLOCK = (
    (0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30,
     30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30),
    (0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28,
     28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28),
    (0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30,
     30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30),
    (0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30,
     30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30),
)
BLOCKS = (
    (0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18,
     19, 19, 20, 21, 22, 24, 25),
    (0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31,
     33, 35, 37, 38, 40, 43, 45, 47, 49),
    (0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40,
     43, 45, 48, 51, 53, 56, 59, 62, 65, 68),
    (0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48,
     51, 54, 57, 60, 63, 66, 70, 74, 77, 81),
)


def size_of(version: int) -> int:
    return 17 + 4 * version


def alignment_positions(version: int) -> list[int]:
    """Row/column centres of the alignment patterns."""
    if version == 1:
        return []
    count = version // 7 + 2
    step = 26 if version == 32 else (version * 4 + count * 2 + 1) // (count * 2 - 2) * 2
    last = size_of(version) - 7
    return [6] + [last - i * step for i in reversed(range(count - 1))]


def format_bits(level: str, mask: int) -> int:
    """The 15 format bits (BCH(15,5), XOR-masked) of an error-correction level and data mask."""
    data = FORMAT_LEVEL_BITS[level] << 3 | mask
    rem = data
    for _ in range(10):
        rem = (rem << 1) ^ ((rem >> 9) * 0x537)
    return (data << 10 | rem) ^ 0x5412


def version_bits(version: int) -> int:
    """The 18 version bits (BCH(18,6)) of versions 7 and up."""
    rem = version
    for _ in range(12):
        rem = (rem << 1) ^ ((rem >> 11) * 0x1F25)
    return version << 12 | rem


_FINDER = np.array([[max(abs(dx), abs(dy)) not in (2, 4) for dx in range(-4, 5)] for dy in range(-4, 5)])
_ALIGNMENT = np.array([[max(abs(dx), abs(dy)) != 1 for dx in range(-2, 3)] for dy in range(-2, 3)])


@lru_cache(maxsize=64)
def function_pattern(version: int, level: str, mask: int) -> tuple[np.ndarray, np.ndarray]:
    """(is a function module, its colour: True = dark) for every module, format and version areas included."""
    n = size_of(version)
    pad = np.zeros((n + 8, n + 8), bool)         # finders drawn with their separators, clipped at the edges
    used_pad = np.zeros_like(pad)
    for cx, cy in ((3, 3), (n - 4, 3), (3, n - 4)):
        pad[cy:cy + 9, cx:cx + 9] = _FINDER
        used_pad[cy:cy + 9, cx:cx + 9] = True
    dark, used = pad[4:n + 4, 4:n + 4].copy(), used_pad[4:n + 4, 4:n + 4].copy()
    timing = np.arange(n) % 2 == 0
    free_row, free_col = ~used[6, :], ~used[:, 6]
    dark[6, free_row], dark[free_col, 6] = timing[free_row], timing[free_col]
    used[6, :] = used[:, 6] = True
    centres = alignment_positions(version)
    last = len(centres) - 1
    for i, cy in enumerate(centres):
        for j, cx in enumerate(centres):
            if (i, j) not in ((0, 0), (0, last), (last, 0)):
                dark[cy - 2:cy + 3, cx - 2:cx + 3] = _ALIGNMENT
                used[cy - 2:cy + 3, cx - 2:cx + 3] = True
    bits = format_bits(level, mask)
    bit = [(bits >> i) & 1 == 1 for i in range(15)]
    first = [(8, i) for i in range(6)] + [(8, 7), (8, 8), (7, 8)] + [(14 - i, 8) for i in range(9, 15)]
    second = [(n - 1 - i, 8) for i in range(8)] + [(8, n - 15 + i) for i in range(8, 15)]
    for (x, y), value in list(zip(first, bit)) + list(zip(second, bit)):
        dark[y, x], used[y, x] = value, True
    dark[n - 8, 8], used[n - 8, 8] = True, True
    if version >= 7:
        vbits = version_bits(version)
        for i in range(18):
            value, a, b = (vbits >> i) & 1 == 1, n - 11 + i % 3, i // 3
            dark[b, a], dark[a, b] = value, value
            used[b, a] = used[a, b] = True
    dark.setflags(write=False)
    used.setflags(write=False)
    return used, dark


@lru_cache(maxsize=64)
def data_order(version: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, columns) of the data modules in placement order (codeword bits, most significant first)."""
    n = size_of(version)
    used = function_pattern(version, "M", 0)[0]
    rights = [r if r > 6 else r - 1 for r in range(n - 1, 0, -2)]
    rights = [r for r in rights if r >= 1]
    ys, xs = [], []
    down = np.arange(n)
    for right in rights:
        rows = down[::-1] if ((right + 1) & 2) == 0 else down
        ys.append(np.repeat(rows, 2))
        xs.append(np.tile([right, right - 1], n))
    y, x = np.concatenate(ys), np.concatenate(xs)
    keep = ~used[y, x]
    return y[keep], x[keep]


@lru_cache(maxsize=64)
def mask_pattern(mask: int, n: int) -> np.ndarray:
    """Where data mask `mask` inverts a module (True)."""
    y, x = np.mgrid[0:n, 0:n]
    pattern = {
        0: (x + y) % 2 == 0, 1: y % 2 == 0, 2: x % 3 == 0, 3: (x + y) % 3 == 0,
        4: (x // 3 + y // 2) % 2 == 0, 5: x * y % 2 + x * y % 3 == 0,
        6: (x * y % 2 + x * y % 3) % 2 == 0, 7: ((x + y) % 2 + x * y % 3) % 2 == 0,
    }[mask]
    pattern.setflags(write=False)
    return pattern


@dataclass(frozen=True)
class BlockLayout:
    """How the codewords of one version and level split into Reed-Solomon blocks."""

    total: int                      # codewords in the symbol
    ecc: int                        # error-correction codewords per block
    blocks: tuple[int, ...]         # codewords per block (data + ecc), short blocks first

    def order(self) -> list[tuple[int, int]]:
        """(block, index in block) of each codeword in symbol order (data interleaved, then ecc interleaved)."""
        out = []
        longest = max(self.blocks)
        for i in range(longest - self.ecc):
            out += [(b, i) for b, length in enumerate(self.blocks) if i < length - self.ecc]
        for i in range(self.ecc):
            out += [(b, length - self.ecc + i) for b, length in enumerate(self.blocks)]
        return out


@lru_cache(maxsize=256)
def layout(version: int, level: str) -> BlockLayout:
    raw_modules = (16 * version + 128) * version + 64
    if version >= 2:
        count = version // 7 + 2
        raw_modules -= (25 * count - 10) * count - 55
        if version >= 7:
            raw_modules -= 36
    total = raw_modules // 8
    li = LEVELS.index(level)
    blocks, ecc = BLOCKS[li][version], ECC_PER_BLOCK[li][version]
    short = blocks - total % blocks
    short_len = total // blocks
    return BlockLayout(total, ecc, tuple(short_len if b < short else short_len + 1 for b in range(blocks)))


@lru_cache(maxsize=256)
def block_indexes(version: int, level: str) -> tuple[np.ndarray, ...]:
    """For each block, the positions of its codewords in symbol order (data first, then ecc)."""
    order = layout(version, level).order()
    count = len(layout(version, level).blocks)
    return tuple(np.array([k for k, (b, _i) in enumerate(order) if b == block]) for block in range(count))
