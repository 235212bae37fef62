"""UI benchmark: event -> verdict painted (p50/p95), cold start to idle, RSS after 100,000 verdicts vs 1,000.

Side by side with a baseline: the same event path ending in a bare QLabel.setText on a coloured widget, so the
ratio shows what our verdict screen costs over the minimum Qt can do. Cold start runs in a fresh process
(python -c ...) so imports, fonts and the first paint are all counted. Offscreen unless QT_QPA_PLATFORM is set.

    python -m bench ui [--events 300] [--verdicts 100000]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[1]

COLD_START = """
import time, sys
t0 = time.perf_counter()
from PySide6.QtWidgets import QApplication
app = QApplication([])
from kiosk.ui.shared.settings import UiSettings
from kiosk.ui.window import KioskWindow
win = KioskWindow(UiSettings())  # voice on: the audio backend and the first prompt count too
win.show()
while win.idle_page.paint_count == 0:
    app.processEvents()
print(time.perf_counter() - t0)
"""


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _painted_latency(app, bridge, page, count: int, events) -> list[float]:
    latencies = []
    for index in range(count):
        before = page.paint_count
        start = time.perf_counter()
        bridge.post(events[index % len(events)])
        while page.paint_count == before:
            app.processEvents()
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def measure_latency(count: int) -> tuple[list[float], list[float]]:
    from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout

    from kiosk.core.outcome.verdicts import Outcome
    from kiosk.ui.shared.bridge import EventBridge
    from kiosk.ui.gallery import sample_result
    from kiosk.ui.shared.settings import UiSettings
    from kiosk.ui.shared.theme import VERDICT
    from kiosk.ui.shared.widgets import Page
    from kiosk.ui.window import KioskWindow

    app = QApplication.instance() or QApplication([])
    win = KioskWindow(UiSettings(voice_enabled=False, hold_seconds=3600))
    win.show()
    bridge = EventBridge()
    bridge.received.connect(lambda ev: win.show_result(ev[0], ev[1]))
    events = [(sample_result(o.value), o) for o in Outcome]
    ours = _painted_latency(app, bridge, win.verdict_page, count, events)
    win.close()
    baseline_page = Page(VERDICT["PASS"])
    baseline_page.resize(*UiSettings().screen_size)
    label = QLabel(baseline_page)
    QVBoxLayout(baseline_page).addWidget(label)
    baseline_page.show()
    base_bridge = EventBridge()
    base_bridge.received.connect(lambda ev: (label.setText(str(ev[1])), baseline_page.set_scheme(VERDICT[ev[1].value])))
    baseline = _painted_latency(app, base_bridge, baseline_page, count, events)
    baseline_page.close()
    return ours, baseline


def measure_memory(verdicts: int) -> tuple[int, int]:
    from PySide6.QtWidgets import QApplication

    from kiosk.core.outcome.verdicts import Outcome
    from kiosk.ui.gallery import sample_result
    from kiosk.ui.shared.settings import UiSettings
    from kiosk.ui.window import KioskWindow

    app = QApplication.instance() or QApplication([])
    win = KioskWindow(UiSettings(voice_enabled=False, hold_seconds=3600))
    win.show()
    results = [(sample_result(o.value), o) for o in Outcome]
    rss_1k = 0
    for index in range(verdicts):
        result, outcome = results[index % 3]
        win.show_result(result, outcome)
        if index % 50 == 0:
            win.show_idle()
            app.processEvents()
        if index + 1 == 1000:
            app.processEvents()
            rss_1k = _rss_kb()
    app.processEvents()
    return rss_1k, _rss_kb()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench ui", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--verdicts", type=int, default=100_000)
    parser.add_argument("--cold-starts", type=int, default=3)
    args = parser.parse_args(argv)
    cold = []
    for _ in range(args.cold_starts):
        out = subprocess.run([sys.executable, "-c", COLD_START], cwd=REPO, capture_output=True, text=True,
                             env=dict(os.environ, PYTHONPATH=str(REPO)), check=True)
        cold.append(float(out.stdout.strip().splitlines()[-1]))
    print(f"cold start to idle painted: median {statistics.median(cold):.2f} s (target <= 3 s), runs {cold}")
    ours, baseline = measure_latency(args.events)
    p95, b95 = _percentile(ours, 0.95), _percentile(baseline, 0.95)
    print(f"event -> verdict painted ({args.events} events): ours median {statistics.median(ours):.2f} ms "
          f"p95 {p95:.2f} ms (target <= 50 ms); baseline QLabel median {statistics.median(baseline):.2f} ms "
          f"p95 {b95:.2f} ms; p95 ratio ours/baseline {p95 / b95 if b95 else float('nan'):.1f}x")
    rss_1k, rss_end = measure_memory(args.verdicts)
    growth = (rss_end - rss_1k) / rss_1k * 100 if rss_1k else float("nan")
    print(f"RSS after 1,000 verdicts {rss_1k / 1024:.1f} MiB, after {args.verdicts:,} verdicts "
          f"{rss_end / 1024:.1f} MiB: growth {growth:+.2f} % (target < 5 %)")
    return 0
