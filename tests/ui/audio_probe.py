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


def main() -> int:
    app = QApplication(sys.argv[:1])  # noqa: F841 - must exist for QtMultimedia
    from kiosk.ui.shared.settings import UiSettings
    from kiosk.ui.citizen.voice import Voice
    voice = Voice(UiSettings(languages=("en", "zh-Hans", "zh-Hant-HK")))
    report = {"audio_ok": voice.audio_ok, "detail": voice.audio_detail}
    voice.say("pass")
    for _ in range(40):  # past the tone: the verdict word is playing
        wait(50)
        if voice._current and voice._current.source().fileName() == "pass.en.wav" and voice._current.isPlaying():
            break
    first = voice._current
    report["pass_playing"] = bool(first and first.isPlaying())
    voice.say("stop")  # a new verdict interrupts
    wait(300)
    report["pass_stopped"] = bool(first and not first.isPlaying())
    report["stop_playing"] = bool(voice._current and voice._current.isPlaying()
                                  and voice._current.source().fileName() == "stop.en.wav")
    # let the verdict word end: the queue moves on to its hint, in the primary language only
    for _ in range(40):
        wait(100)
        if voice._current and voice._current.source().fileName() == "stop_hint.en.wav":
            break
    report["queued"] = voice.queued
    report["moved_on_to"] = voice._current.source().fileName() if voice._current else ""
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
