"""End to end: `kiosk demo --headless` runs the scripted scenario through the real drivers, log and window."""
from __future__ import annotations

import json
import os
import sqlite3
import struct
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT


def test_demo_runs_the_scenario_to_a_correct_summary(tmp_path):
    data = tmp_path / "data"
    shots = tmp_path / "shots"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-m", "kiosk", "--data-dir", str(data), "demo", "--headless",
                           "--screenshots", str(shots)], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "6/6 steps showed the expected outcome" in done.stdout
    for step in ("green card", "red card", "unknown card", "valid printed code", "tampered printed code",
                 "expired printed code"):
        line = next(line for line in done.stdout.splitlines() if line.startswith(step))
        assert line.rstrip().endswith("ok"), line
    assert len(list(shots.glob("0*-verdict.png"))) == 6
    # every check was logged, with no name or full ID number in the clear
    with sqlite3.connect(data / "events.sqlite") as db:
        rows = db.execute("select * from events").fetchall()
    assert len(rows) == 6
    dump = repr(rows)
    for secret in ("张三", "李四", "11010519491231002X", "440106195203150032", "19491231"):
        assert secret not in dump


PANELS = ["1920x1080", "1366x768", "1280x800", "1024x768", "800x1280", "1080x1920"]


def _png_size(path) -> tuple[int, int]:
    with open(path, "rb") as png:
        header = png.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


@pytest.mark.slow
@pytest.mark.parametrize("screen", PANELS)
def test_demo_on_each_panel_writes_exact_screenshots_and_a_layout_with_everything_on_screen(tmp_path, screen):
    shots = tmp_path / "shots"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-m", "kiosk", "--data-dir", str(tmp_path / "data"), "demo", "--headless",
                           "--screen", screen, "--screenshots", str(shots)], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=400)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    width, height = (int(v) for v in screen.split("x"))
    pictures = sorted(shots.glob("*.png")) + sorted(shots.glob("gallery/*/*.png"))
    assert len(pictures) >= 6 + 3 * 17
    assert all(_png_size(path) == (width, height) for path in pictures)
    entries = json.loads((shots / "layout.json").read_text(encoding="utf-8"))
    assert all(set(entry) == {"step", "state", "element", "text", "x", "y", "w", "h", "visible"} for entry in entries)
    assert all(entry["visible"] for entry in entries)
    assert all(0 <= e["x"] and e["x"] + e["w"] <= width and 0 <= e["y"] and e["y"] + e["h"] <= height
               for e in entries)
    red = {e["element"]: e["text"] for e in entries if e["step"] == "red card" and e["state"] == "verdict"}
    assert {"verdict-word", "verdict-icon", "reason:zh-Hans", "identity:zh-Hans", "repeat", "louder",
            "call-staff"} <= set(red)
    assert red["verdict-word"] == "停止" and red["reason:zh-Hans"] == "健康码红码"
    lift = [e for e in entries if e["step"].endswith("verdict-red-lift-hint") and e["element"].startswith("lift")]
    assert lift and all(e["visible"] for e in lift)
