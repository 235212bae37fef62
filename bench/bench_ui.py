"""UI benchmark: event -> verdict painted (p50/p95) at each panel size, verdict -> first audio sample, cold start to
idle, RSS after 100,000 verdicts vs 1,000.

Side by side with a baseline: the same event path ending in a bare QLabel.setText on a coloured widget, so the
ratio shows what our verdict screen costs over the minimum Qt can do. Cold start runs in a fresh process
(python -c ...) so imports, fonts and the first paint are all counted. Offscreen unless QT_QPA_PLATFORM is set.

    python -m bench ui [--events 300] [--verdicts 100000] [--panels 1280x800,800x1280]

Verdict -> first audio sample runs in a child process on a PulseAudio null sink (skipped, and said so, where
pulseaudio is missing): the time from show_result() until the first prompt's QSoundEffect reports playing,
i.e. its first samples have been handed to the audio device.
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


def _painted_latency(app, bridge, page, count: int, events, warm_up: int = 6) -> list[float]:
    """Event posted -> page painted, per event; the first `warm_up` (fonts and layouts met for the first time,
    for ours and the baseline alike) are not counted."""
    latencies = []
    for index in range(-warm_up, count):
        before = page.paint_count
        start = time.perf_counter()
        bridge.post(events[index % len(events)])
        while page.paint_count == before:
            app.processEvents()
        if index >= 0:
            latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def measure_latency(count: int, panel: tuple[int, int] | None = None) -> tuple[list[float], list[float]]:
    from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout

    from kiosk.core.outcome.verdicts import Outcome
    from kiosk.ui.shared.bridge import EventBridge
    from kiosk.ui.gallery import sample_result
    from kiosk.ui.shared.settings import UiSettings
    from kiosk.ui.shared.theme import VERDICT
    from kiosk.ui.shared.widgets import Page
    from kiosk.ui.window import KioskWindow

    app = QApplication.instance() or QApplication([])
    settings = UiSettings(voice_enabled=False, hold_seconds=3600)
    settings = settings.for_panel(*panel) if panel else settings
    win = KioskWindow(settings)
    win.setFixedSize(*settings.screen_size)
    win.show()
    bridge = EventBridge()
    bridge.received.connect(lambda ev: win.show_result(ev[0], ev[1]))
    events = [(sample_result(o.value), o) for o in Outcome]
    ours = _painted_latency(app, bridge, win.verdict_page, count, events)
    win.close()
    win.deleteLater()
    baseline_page = Page(VERDICT["PASS"])
    baseline_page.resize(*settings.screen_size)
    label = QLabel(baseline_page)
    QVBoxLayout(baseline_page).addWidget(label)
    baseline_page.show()
    base_bridge = EventBridge()
    base_bridge.received.connect(lambda ev: (label.setText(str(ev[1])), baseline_page.set_scheme(VERDICT[ev[1].value])))
    baseline = _painted_latency(app, base_bridge, baseline_page, count, events)
    baseline_page.close()
    baseline_page.deleteLater()
    return ours, baseline


AUDIO_PROBE = """
import json, os, sys, time
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
from kiosk.core.outcome.verdicts import Outcome
from kiosk.ui.gallery import sample_result
from kiosk.ui.shared.settings import UiSettings
from kiosk.ui.window import KioskWindow
win = KioskWindow(UiSettings(hold_seconds=3600))
win.show()
delays = []
def wait(ms):
    loop = QEventLoop(); QTimer.singleShot(ms, loop.quit); loop.exec()
wait(300)
for index in range(int(sys.argv[1])):
    outcome = list(Outcome)[index % 3]
    start = time.perf_counter()
    win.show_result(sample_result(outcome.value), outcome)
    while not (win.voice._current is not None and win.voice._current.isPlaying()):
        app.processEvents()
        if time.perf_counter() - start > 3:
            break
    delays.append((time.perf_counter() - start) * 1000)
    wait(200)
print(json.dumps({"ok": win.voice.audio_ok, "detail": win.voice.audio_detail, "delays": delays}))
"""


def measure_audio(count: int) -> tuple[list[float], str]:
    """Verdict -> first audio sample on a PulseAudio null sink, in a child process (its own audio backend)."""
    import shutil
    import signal
    import tempfile
    import json
    if shutil.which("pulseaudio") is None:
        return [], "pulseaudio is not installed: not measured"
    with tempfile.TemporaryDirectory() as home:
        runtime = Path(home) / "xdg"
        runtime.mkdir(mode=0o700)
        env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime), HOME=home, PYTHONPATH=str(REPO))
        subprocess.run(["pulseaudio", "-n", "--daemonize=yes", "--exit-idle-time=-1", "-L", "module-null-sink",
                        "-L", "module-native-protocol-unix"], env=env, capture_output=True, timeout=20)
        pid_file = runtime / "pulse" / "pid"
        if not pid_file.exists():
            return [], "could not start a PulseAudio null sink: not measured"
        try:
            out = subprocess.run([sys.executable, "-c", AUDIO_PROBE, str(count)], cwd=REPO, env=env,
                                 capture_output=True, text=True, timeout=120)
        finally:
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGTERM)
    report = json.loads(out.stdout.strip().splitlines()[-1])
    return report["delays"], report["detail"] if report["ok"] else f"no audio: {report['detail']}"


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
    parser.add_argument("--panels", default="1920x1080,1366x768,1280x800,1024x768,800x1280,1080x1920")
    parser.add_argument("--audio-verdicts", type=int, default=30)
    args = parser.parse_args(argv)
    cold = []
    for _ in range(args.cold_starts):
        out = subprocess.run([sys.executable, "-c", COLD_START], cwd=REPO, capture_output=True, text=True,
                             env=dict(os.environ, PYTHONPATH=str(REPO)), check=True)
        cold.append(float(out.stdout.strip().splitlines()[-1]))
    print(f"cold start to idle painted: median {statistics.median(cold):.2f} s (target <= 3 s), runs {cold}")
    for name in [p for p in args.panels.split(",") if p]:
        panel = tuple(int(v) for v in name.split("x"))
        ours, baseline = measure_latency(args.events, panel)
        p95, b95 = _percentile(ours, 0.95), _percentile(baseline, 0.95)
        print(f"{name}: event -> verdict painted ({args.events} events): ours median "
              f"{statistics.median(ours):.2f} ms p95 {p95:.2f} ms (target <= 50 ms); baseline QLabel median "
              f"{statistics.median(baseline):.2f} ms p95 {b95:.2f} ms; p95 ratio ours/baseline "
              f"{p95 / b95 if b95 else float('nan'):.1f}x")
    delays, detail = measure_audio(args.audio_verdicts)
    if delays:
        print(f"verdict -> first audio sample ({len(delays)} verdicts, {detail}): median "
              f"{statistics.median(delays):.1f} ms p95 {_percentile(delays, 0.95):.1f} ms (target <= 300 ms)")
    else:
        print(f"verdict -> first audio sample: {detail}")
    rss_1k, rss_end = measure_memory(args.verdicts)
    growth = (rss_end - rss_1k) / rss_1k * 100 if rss_1k else float("nan")
    print(f"RSS after 1,000 verdicts {rss_1k / 1024:.1f} MiB, after {args.verdicts:,} verdicts "
          f"{rss_end / 1024:.1f} MiB: growth {growth:+.2f} % (target < 5 %)")
    return 0
