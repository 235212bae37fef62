"""`python -m bench camera [--frames N] [--seed S]`: single-frame decoding on the seeded camera corpus, ours
beside plain zxing-cpp and OpenCV's two QR detectors, one core; then the live loop (idle CPU, latency).

Prints per-condition success (% of code frames read correctly), false reads (a text on a code-free frame, or a
wrong text), and median / p95 ms per frame. Frames are generated on the fly (or read from --cache DIR, which is
filled on first use) and each frame is decoded by every decoder in turn, so all see the same frames.
"""
from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from pathlib import Path

import cv2

from bench.camera import real as camera_real
from bench.camera.decoders import decoders
from bench.camera_corpus import corpus


def _frames(count: int, seed: int, cache: Path | None):
    for i in range(count):
        path = cache / f"s{seed}_{i:05d}.png" if cache else None
        if path is not None and path.exists():
            meta = path.with_suffix(".txt").read_text(encoding="utf-8").split("\t", 3)
            text = meta[3] if meta[3] != "\x00" else None
            yield corpus.CorpusFrame(i, meta[0], meta[1], meta[2], text, cv2.imread(str(path)))
            continue
        frame = corpus.render(i, seed)
        if path is not None:
            cache.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(path), frame.image)
            meta = "\t".join([frame.condition, frame.kind, frame.ec, frame.text if frame.text else "\x00"])
            path.with_suffix(".txt").write_text(meta, encoding="utf-8")
        yield frame


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run_corpus(count: int, seed: int, cache: Path | None, names: list[str] | None = None,
               budget_ms: float | None = None) -> dict:
    """{decoder: {condition: {"ok": n, "n": n, "false": n, "ms": [...]}}} plus per-frame outcomes."""
    fns = decoders(budget_ms)
    if names:
        fns = {k: v for k, v in fns.items() if k in names}
    table: dict = {name: defaultdict(lambda: {"ok": 0, "n": 0, "false": 0, "ms": []}) for name in fns}
    outcomes: dict[str, list[bool]] = {name: [] for name in fns}
    warm = corpus.render(0, seed + 7777).image
    for fn in fns.values():
        fn(warm)   # one-time imports and caches land on this untimed frame, not on a corpus frame
    for frame in _frames(count, seed, cache):
        for name, fn in fns.items():
            start = time.thread_time()
            text = fn(frame.image)
            ms = (time.thread_time() - start) * 1000
            cell = table[name][frame.condition]
            cell["n"] += 1
            cell["ms"].append(ms)
            ok = text == frame.text and text is not None
            cell["ok"] += ok
            cell["false"] += text is not None and text != frame.text
            outcomes[name].append(ok)
    return {"table": table, "outcomes": outcomes}


def format_table(table: dict) -> str:
    names = list(table)
    conditions = [c for c in corpus.CONDITIONS if any(c in table[n] for n in names)]
    head = f"| {'condition':<12} | {'n':>4} | " + " | ".join(f"{n:^27}" for n in names) + " |"
    sub = f"| {'':<12} | {'':>4} | " + " | ".join(f"{'read%':>6} {'false':>5} {'med ms':>6} {'p95':>6}" for _ in names) + " |"
    lines = [head, sub, "|" + "---|" * (2 + len(names))]

    def row(label: str, cells: list[dict]) -> str:
        n = cells[0]["n"]
        parts = []
        for cell in cells:
            code_frames = cell["n"] if label != "nocode" else 0
            read = f"{100 * cell['ok'] / code_frames:6.1f}" if code_frames else f"{'-':>6}"
            parts.append(f"{read} {cell['false']:>5} {statistics.median(cell['ms']):6.2f} {_pct(cell['ms'], .95):6.2f}")
        return f"| {label:<12} | {n:>4} | " + " | ".join(parts) + " |"

    for c in conditions:
        lines.append(row(c, [table[n][c] for n in names]))
    totals = []
    for n in names:
        cells = [table[n][c] for c in conditions]
        code = [x for c, x in zip(conditions, cells) if c != "nocode"]
        totals.append({"n": sum(x["n"] for x in cells), "ok": sum(x["ok"] for x in code),
                       "false": sum(x["false"] for x in cells), "ms": [m for x in cells for m in x["ms"]],
                       "code_n": sum(x["n"] for x in code)})
    parts = [f"{100 * t['ok'] / max(t['code_n'], 1):6.1f} {t['false']:>5} {statistics.median(t['ms']):6.2f} "
             f"{_pct(t['ms'], .95):6.2f}" for t in totals]
    lines.append(f"| {'ALL':<12} | {totals[0]['n']:>4} | " + " | ".join(parts) + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench camera")
    parser.add_argument("--frames", type=int, default=700, help="corpus frames (conditions cycle; default 700)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, help="keep rendered frames here (PNG) for repeated runs")
    parser.add_argument("--decoders", nargs="*", help="subset of: ours zxing-cpp cv2.QRCodeDetector "
                                                      "cv2.QRCodeDetectorAruco")
    parser.add_argument("--budget-ms", type=float, help="our per-frame time budget (default: the decoder's)")
    parser.add_argument("--no-live", action="store_true", help="skip the live-loop measurements")
    parser.add_argument("--only", nargs="*", choices=["corpus", "real", "sequences", "live"],
                        help="run only these parts (default: all)")
    parser.add_argument("--sequences", type=int, default=40, help="hand-held sequences per source (default 40)")
    parser.add_argument("--real-root", type=Path, default=camera_real.REAL_ROOT,
                        help="the qr-real photographs (default ../shared/testdata/qr-real/zxing-blackbox)")
    args = parser.parse_args(argv)
    parts = set(args.only or ["corpus", "real", "sequences", "live"]) - ({"live"} if args.no_live else set())
    cv2.setNumThreads(1)
    if "corpus" in parts:
        started = time.perf_counter()
        result = run_corpus(args.frames, args.seed, args.cache, args.decoders, args.budget_ms)
        print(f"camera corpus (synthetic, the set the cascade was tuned on): {args.frames} frames 1280x720, "
              f"seed {args.seed}, cv2.setNumThreads(1), {time.perf_counter() - started:.0f} s")
        print(format_table(result["table"]), flush=True)
    if "real" in parts:
        print(camera_real.real_table(args.real_root), flush=True)
    if "sequences" in parts:
        print(camera_real.sequence_table(args.sequences, args.seed, args.real_root), flush=True)
    if "live" in parts:
        from bench.camera.live import run_live
        print(run_live(args.seed))
    return 0
