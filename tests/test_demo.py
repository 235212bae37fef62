"""End to end: `kiosk demo --headless` runs the scripted scenario through the real drivers, log and window."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

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
    assert len(list(shots.glob("0*.png"))) == 6
    # every check was logged, with no name or full ID number in the clear
    with sqlite3.connect(data / "events.sqlite") as db:
        rows = db.execute("select * from events").fetchall()
    assert len(rows) == 6
    dump = repr(rows)
    for secret in ("张三", "李四", "11010519491231002X", "440106195203150032", "19491231"):
        assert secret not in dump
