"""Real photographs and hand-held sequences for `python -m bench camera`: material the cascade was not tuned on.

Single frames: the ZXing black-box photographs in ../shared/testdata/qr-real (179 pictures, six sets), each
decoded as it is, fitted into a 1280 px camera frame, and at 4000 px (a code close to a high-resolution lens),
in the four rotations ZXing's own tests use; ours beside plain zxing-cpp, per set. Texts compare byte for byte
(the files keep CR LF; Python's text mode would turn them into LF and count right reads as wrong).

Sequences: bench/camera/sequences.py; time to first correct read after the card is steady, simulated at 30 fps.
"""
from __future__ import annotations

import statistics
import time
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np

from bench.camera import sequences
from bench.camera.decoders import plain_zxing, previous_cascade
from drivers.camera import cascade
from drivers.camera.decoder import FrameDecoder, decode_frame

REAL_ROOT = Path(__file__).resolve().parents[3] / "shared" / "testdata" / "qr-real" / "zxing-blackbox"
ROTATIONS = (None, cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_180, cv2.ROTATE_90_COUNTERCLOCKWISE)
SIZES = {"as taken": None, "1280 px": 1280, "4000 px": 4000}


def _sized(image: np.ndarray, side: int | None) -> np.ndarray:
    if side is None:
        return image
    factor = side / max(image.shape[:2])
    return cv2.resize(image, None, fx=factor, fy=factor,
                      interpolation=cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA)


def real_table(root: Path = REAL_ROOT, rotations: bool = True) -> str:
    """Per set and size: frames, read % and wrong texts for ours and zxing-cpp, our median ms."""
    pairs = sequences.real_photographs(root)
    if not pairs:
        return f"real photographs: none found at {root} (../shared/testdata/qr-real is not beside the repo)"
    cells: dict = defaultdict(lambda: {"n": 0, "ours": 0, "zxing": 0, "prev": 0, "ours_wrong": 0, "zxing_wrong": 0,
                                       "ms": [], "zx_ms": []})
    for path, text in pairs:
        original = cv2.imread(str(path), cv2.IMREAD_COLOR)
        for size_name, side in SIZES.items():
            base = _sized(original, side)
            for rotation in ROTATIONS if rotations else (None,):
                image = base if rotation is None else cv2.rotate(base, rotation)
                for key in ((path.parent.name, size_name), ("ALL", size_name)):
                    cell = cells[key]
                    cell["n"] += 1
                start = time.thread_time()
                ours = decode_frame(image)
                ms = (time.thread_time() - start) * 1000
                start = time.thread_time()
                zx = plain_zxing(image)
                zx_ms = (time.thread_time() - start) * 1000
                prev = previous_cascade(image)
                for key in ((path.parent.name, size_name), ("ALL", size_name)):
                    cell = cells[key]
                    cell["ms"].append(ms)
                    cell["zx_ms"].append(zx_ms)
                    cell["ours"] += ours == text
                    cell["prev"] += prev == text
                    cell["zxing"] += zx == text
                    cell["ours_wrong"] += ours is not None and ours != text
                    cell["zxing_wrong"] += zx is not None and zx != text
    lines = [f"real photographs ({len(pairs)} from {root.name}, x{len(ROTATIONS) if rotations else 1} rotations); "
             "read % (wrong texts) per set and size, ours beside zxing-cpp",
             "| set | size | frames | ours read% | ours wrong | ours-previous read% | zxing-cpp read% | zxing wrong "
             "| ours med ms | p95 | zxing med ms |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for (group, size_name), c in sorted(cells.items(), key=lambda kv: (kv[0][0] == "ALL", kv[0])):
        ms = sorted(c["ms"])
        lines.append(f"| {group} | {size_name} | {c['n']} | {100 * c['ours'] / c['n']:.1f} | {c['ours_wrong']} | "
                     f"{100 * c['prev'] / c['n']:.1f} | {100 * c['zxing'] / c['n']:.1f} | {c['zxing_wrong']} | "
                     f"{statistics.median(ms):.2f} | {ms[int(0.95 * (len(ms) - 1))]:.2f} | "
                     f"{statistics.median(c['zx_ms']):.2f} |")
    return "\n".join(lines)


def _latencies(seqs, make_decoder) -> tuple[list[float], int, int]:
    found, missed, total = [], 0, 0
    for sequence in seqs:
        total += 1
        ms, _decoded = sequences.first_read_ms(sequence, make_decoder())
        if ms is None:
            missed += 1
        else:
            found.append(ms)
    return found, missed, total


def previous_frame_decoder() -> FrameDecoder:
    """The multi-frame reader as it was before this round: image fusion only, every step but symbol/*, no
    still-scene skipping, an idle frame whose fast pass sees a code not escalated; for side-by-side figures."""
    steps = tuple(step for step in cascade.STEPS if not step[0].startswith("symbol/"))
    return FrameDecoder(steps=steps, symbol_fusion=False, skip_still=False, escalate=False)


def sequence_table(count: int, seed: int, root: Path = REAL_ROOT) -> str:
    """Time to first correct read after the card is steady, per source: ours (multi-frame) beside zxing-cpp."""
    decoders = {"ours (FrameDecoder: soft symbols, fusion)": lambda: FrameDecoder().decode,
                "ours, previous FrameDecoder": lambda: previous_frame_decoder().decode,
                "ours (single frames)": lambda: decode_frame,
                "zxing-cpp": lambda: plain_zxing}
    lines = [f"hand-held sequences at 30 fps, {sequences.FRAMES} frames each, seed {seed}: time to first correct "
             "read after the card is steady (simulated: newest frame, measured CPU per decode)",
             "| source | decoder | sequences | read | median ms | p95 ms | max ms |", "|---|---|---|---|---|---|---|"]
    for source in ("synthetic", "real"):
        if source == "real" and not sequences.real_photographs(root):
            lines.append(f"| real | - | 0 | photographs not found at {root} | | | |")
            continue
        seqs = list(sequences.synthetic(count, seed) if source == "synthetic" else sequences.real(count, seed, root))
        oracle = [sequences.first_readable_ms(s) for s in seqs]
        got = sorted(x for x in oracle if x is not None)
        if got:
            lines.append(f"| {source} | floor: first frame the full cascade reads alone (no CPU cost) | {len(seqs)} | "
                         f"{len(got)} | {got[len(got) // 2]:.0f} | {got[int(0.95 * (len(got) - 1))]:.0f} | "
                         f"{got[-1]:.0f} |")
        for name, make in decoders.items():
            found, missed, total = _latencies(seqs, make)
            found.sort()
            p = (lambda q: f"{found[int(q * (len(found) - 1))]:.0f}") if found else (lambda q: "-")
            lines.append(f"| {source} | {name} | {total} | {total - missed} | {p(0.5)} | {p(0.95)} | "
                         f"{found[-1] if found else float('nan'):.0f} |")
    return "\n".join(lines)
