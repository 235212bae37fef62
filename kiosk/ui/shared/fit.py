"""Fitting a column of text to the panel: shrink within the accessibility floors, then leave out extras.

A citizen page is a column of rows (labels in the configured languages, a pictogram, the verdict head). Each row
has its designed pixel size and a floor (the smallest size the accessibility targets allow: a capital H of
7.33 mm for instructions on the configured pixel pitch). `fit_column` finds the largest common scale at which
the whole column fits the page; when even the floors do not fit, rows of the highest priority number (the
repeats in the second and third language first) are left out until it does. The primary language's
instruction is never left out. Heights come from the labels themselves (`heightForWidth`), cached by text,
size and width, so a verdict laid out before is fitted again without measuring. GUI thread only.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QLabel

_HEIGHTS: dict[tuple[str, str, int, bool, int], int] = {}
_MAX_CACHE = 4096


@dataclass
class Row:
    """One row of a column: a label with its designed and floor sizes, or a fixed-height item (label None)."""

    label: QLabel | None
    base_px: int
    floor_px: int
    priority: int = 0  # 0: always shown; higher numbers are left out first when the floors do not fit
    height_at: Callable[[float], int] | None = None  # for non-label rows: height at a scale

    def px(self, scale: float) -> int:
        return max(self.floor_px, round(self.base_px * scale))


def label_height(label: QLabel, px: int, width: int) -> int:
    """The height `label` needs at pixel size `px` within `width` (word-wrapped), cached."""
    font = label.font()
    key = (label.text(), font.family(), px, font.bold(), width)
    height = _HEIGHTS.get(key)
    if height is None:
        if font.pixelSize() != px:
            font.setPixelSize(px)
            label.setFont(font)
        height = label.heightForWidth(width) if label.wordWrap() else label.sizeHint().height()
        if height < 0:
            height = label.sizeHint().height()
        if len(_HEIGHTS) > _MAX_CACHE:
            _HEIGHTS.clear()
        _HEIGHTS[key] = height
    return height


def column_height(rows: list[Row], scale: float, width: int, spacing: int) -> int:
    shown = [row for row in rows if _has_content(row)]
    total = spacing * max(0, len(shown) - 1)
    for row in shown:
        total += row.height_at(scale) if row.label is None else label_height(row.label, row.px(scale), width)
    return total


def fit_column(rows: list[Row], width: int, height: int, spacing: int, min_scale: float = 0.0) -> tuple[float, int]:
    """Apply the largest scale (<= 1) at which `rows` fit `height`; returns (scale, rows left out).

    Rows left out are hidden; the others get their fitted pixel size. The scale never takes a row below its
    floor (floors win over fitting: what does not fit at the floors is left out by priority)."""
    width = max(1, width)
    live = [row for row in rows if _has_content(row)]
    left_out = 0
    priorities = sorted({row.priority for row in live}, reverse=True)
    while True:
        scale = _best_scale(live, width, height, spacing, min_scale)
        if scale is not None or not priorities or priorities[0] == 0:
            break
        dropped = priorities.pop(0)
        for row in [r for r in live if r.priority == dropped]:
            live.remove(row)
            left_out += 1
    scale = scale if scale is not None else min_scale
    for row in rows:
        if row.label is None:
            continue
        keep = row in live
        if keep:
            px = row.px(scale)
            font = row.label.font()
            if font.pixelSize() != px:
                font.setPixelSize(px)
                row.label.setFont(font)
        if row.label.isHidden() == keep and _has_content(row):
            row.label.setVisible(keep)
    return scale, left_out


def _best_scale(rows: list[Row], width: int, height: int, spacing: int, min_scale: float) -> float | None:
    if column_height(rows, 1.0, width, spacing) <= height:
        return 1.0
    low, high = min_scale, 1.0
    if column_height(rows, low, width, spacing) > height:
        return None
    for _ in range(7):
        mid = (low + high) / 2
        if column_height(rows, mid, width, spacing) <= height:
            low = mid
        else:
            high = mid
    return low


def _has_content(row: Row) -> bool:
    return row.label is None or bool(row.label.text())
