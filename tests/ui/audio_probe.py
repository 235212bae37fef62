"""Run in a child process with a PulseAudio null sink: play prompts for real and report what happened as JSON.

A child process because QtMultimedia picks its audio backend once per process.
"""
from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(condition, seconds: float = 60.0) -> bool:
    """Run the event loop until `condition()` holds (polled every 10 ms) or `seconds` pass: a deadline for a
    broken machine only, never a timing the test relies on (a loaded machine just takes longer)."""
    for _ in range(int(seconds * 100)):
        if condition():
            return True
        wait(10)
    return condition()


def playing(voice, name: str) -> bool:
    current = voice._current
    return bool(current and current.source().fileName() == name and current.isPlaying())


def main() -> int:
    app = QApplication(sys.argv[:1])  # noqa: F841 - must exist for QtMultimedia
    from kiosk.ui.shared.settings import UiSettings
    from kiosk.ui.citizen.voice import Voice
    voice = Voice(UiSettings(languages=("en", "zh-Hans", "zh-Hant-HK")))
    report = {"audio_ok": voice.audio_ok, "detail": voice.audio_detail}
    voice.say("pass")
    report["pass_playing"] = wait_until(lambda: playing(voice, "pass.en.wav"))  # past the tone: the word plays
    first = voice._current
    voice.say("stop")  # a new verdict interrupts
    report["stop_playing"] = wait_until(lambda: playing(voice, "stop.en.wav"))
    report["pass_stopped"] = bool(first and not first.isPlaying())
    # let the verdict word end: the queue moves on to its hint, in the primary language only
    wait_until(lambda: voice._current is not None and voice._current.source().fileName() == "stop_hint.en.wav")
    report["queued"] = voice.queued
    report["moved_on_to"] = voice._current.source().fileName() if voice._current else ""
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
