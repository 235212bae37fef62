"""Stacked bar charts as server-rendered SVG: no JavaScript, nothing fetched, readable without colour.

Why: the checks page must draw counts per day or hour by outcome in any browser the station has, with the
console's strict Content-Security-Policy. Colours are from the console's palette (AA contrast against white) and
every bar carries a <title> with its numbers; the page shows the same numbers as a table. Pure functions.
"""
from __future__ import annotations

from collections import defaultdict
from html import escape

WIDTH, HEIGHT = 960, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 40, 16, 56
# Each key's colour (fill) on white; all at least 4.5:1 against white so they also serve as text colours.
PALETTE = {"PASS": "#1a7f37", "STOP": "#b42318", "SEE_STAFF": "#8a5a00"}
OTHER_COLOURS = ("#1d4ed8", "#6d28d9", "#0f766e", "#9d174d", "#4b5563", "#7c2d12", "#155e75", "#3f6212")


def colour_for(key: str, keys: list[str]) -> str:
    if key in PALETTE:
        return PALETTE[key]
    others = [k for k in keys if k not in PALETTE]
    return OTHER_COLOURS[others.index(key) % len(OTHER_COLOURS)] if key in others else OTHER_COLOURS[0]


def _scale(value: int) -> tuple[int, int]:
    """(top, tick): a whole tick of 1, 2, 2.5 or 5 times a power of ten, at most five ticks up to the tallest bar."""
    value = max(int(value), 1)
    power = 1
    while True:
        for m in (1, 2, 2.5, 5):
            tick = m * power
            if tick == int(tick) and value / tick <= 5:
                tick = int(tick)
                return tick * -(-value // tick), tick
        power *= 10


def stacked_bars(rows: list[tuple[str, str, int]], keys: list[str], title: str, labels: dict[str, str],
                 chart_id: str = "chart") -> str:
    """An SVG of `rows` (bucket, key, count) as one stacked bar per bucket, in the order buckets first appear."""
    buckets: dict[str, dict[str, int]] = defaultdict(dict)
    for bucket, key, count in rows:
        buckets[bucket][key] = buckets[bucket].get(key, 0) + count
    names = list(buckets)
    top, tick = _scale(max((sum(v.values()) for v in buckets.values()), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(names), 1)
    bar = max(slot * 0.8, 1.0)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
           f'aria-labelledby="{chart_id}-title" class="chart" id="{chart_id}">',
           f'<title id="{chart_id}-title">{escape(title)}</title>']
    for value in range(0, top + 1, tick):  # grid and axis labels
        y = TOP + plot_h - plot_h * value / top
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">{_short(value)}</text>')
    every = max(1, len(names) // 12)
    for index, name in enumerate(names):
        x = LEFT + index * slot + (slot - bar) / 2
        y = TOP + plot_h
        parts = []
        for key in keys:
            count = buckets[name].get(key, 0)
            if not count:
                continue
            h = plot_h * count / top
            y -= h
            parts.append(f'{labels.get(key, key)} {count:,}')
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{max(h, 0.5):.1f}" '
                       f'fill="{colour_for(key, keys)}"><title>{escape(name)}: {escape(labels.get(key, key))} '
                       f'{count:,}</title></rect>')
        if index % every == 0:
            out.append(f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" '
                       f'class="axis">{escape(_tick(name))}</text>')
    out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" class="axisline"/>')
    out.append(_legend(keys, labels))
    out.append("</svg>")
    return "".join(out)


def _legend(keys: list[str], labels: dict[str, str]) -> str:
    items, x = [], LEFT
    for key in keys:
        label = escape(labels.get(key, key))
        items.append(f'<rect x="{x}" y="{HEIGHT - 20}" width="14" height="14" fill="{colour_for(key, keys)}"/>'
                     f'<text x="{x + 20}" y="{HEIGHT - 8}" class="legend">{label}</text>')
        x += 28 + 9 * len(labels.get(key, key)) + (8 * sum(1 for c in label if ord(c) > 0x2e80))
    return "".join(items)


def _tick(name: str) -> str:
    """`2026-11-23` -> `11-23`; `2026-11-23 08:00` -> `23日 08` style kept neutral: `11-23 08h`."""
    if " " in name:
        day, hour = name.split(" ")
        return f"{day[5:]} {hour[:2]}h"
    return name[5:]


def _short(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if value >= 10_000:
        return f"{value / 1_000:g}k"
    return f"{value:g}"
