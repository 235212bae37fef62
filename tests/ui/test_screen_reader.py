"""What a screen reader really gets: a real xcb window under Xvfb with an AT-SPI bus, read with pyatspi.

Skipped unless xvfb-run, dbus-run-session, at-spi-bus-launcher, the system python3-pyatspi and Qt's xcb plugin
are all available (see docs/ui.md). Offscreen tests cover the same names through QAccessible in-process.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _available() -> str:
    for tool in ("xvfb-run", "dbus-run-session"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    if not Path("/usr/libexec/at-spi-bus-launcher").exists():
        return "at-spi-bus-launcher is not installed"
    if subprocess.run(["/usr/bin/python3", "-c", "import pyatspi"], capture_output=True).returncode != 0:
        return "python3-pyatspi is not installed for /usr/bin/python3"
    probe = subprocess.run(["xvfb-run", "-a", sys.executable, "-c",
                            "from PySide6.QtWidgets import QApplication; QApplication([])"],
                           env={"QT_QPA_PLATFORM": "xcb", "PATH": "/usr/bin:/bin"}, capture_output=True, timeout=60)
    return "" if probe.returncode == 0 else "Qt's xcb platform plugin cannot start (missing libxcb-* libraries?)"


@pytest.mark.slow
def test_a_real_screen_reader_sees_named_controls_and_hears_the_verdict():
    reason = _available()
    if reason:
        pytest.skip(reason)
    run = subprocess.run(["xvfb-run", "-a", "dbus-run-session", "--", "sh", "tests/ui/atspi_session.sh",
                          sys.executable], cwd=REPO, capture_output=True, text=True, timeout=90,
                         env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": "/tmp"})
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert "tree" in report, report
    shown = [(node["role"], node["name"]) for node in report["tree"] if node["showing"]]
    buttons = [name for role, name in shown if role == "push button"]
    assert len(buttons) == 4 and all(buttons), shown
    assert "重播 / Repeat" in buttons
    labels = [name for role, name in shown if role == "label"]
    assert "停止" in labels and "STOP: This pass has expired" in labels
    assert any("(八角形禁止标志)" in name for _, name in shown)  # the icon is named, not an empty filler
    assert report["announcements"] and "Please do not go through" in report["announcements"][0]
