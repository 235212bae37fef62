"""Child process for the AT-SPI test: a real (xcb) KioskWindow showing a STOP verdict; quits after 30 s or on
stdin EOF. Prints "ready" once the verdict is up; from 3 s on, a new STOP verdict every 1.5 s (to be announced)."""
from __future__ import annotations

import sys

from PySide6.QtCore import QSocketNotifier, QTimer
from PySide6.QtWidgets import QApplication


def main() -> int:
    app = QApplication(sys.argv[:1])
    app.setApplicationName("kiosk-atspi-test")
    from kiosk.core.outcome.result import HolderView, VerificationResult
    from kiosk.core.outcome.verdicts import Outcome, Reason, Verdict
    from kiosk.ui.shared.settings import UiSettings
    from kiosk.ui.window import KioskWindow
    win = KioskWindow(UiSettings(hold_seconds=3600, voice_enabled=False, screen_size=(1280, 800)))
    win.show()
    result = VerificationResult(Verdict.EXPIRED, Reason.PASS_EXPIRED, "KP1", holder=HolderView("李*", "310101********0015"))
    QTimer.singleShot(500, lambda: (win.show_result(result, Outcome.STOP), print("ready", flush=True)))
    again = QTimer(app)  # a new STOP verdict every 1.5 s, for the client to hear announced whenever it listens
    again.timeout.connect(lambda: win.show_result(result, Outcome.STOP))
    QTimer.singleShot(3000, lambda: again.start(1500))
    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(lambda: sys.stdin.readline() == "" and app.quit())
    QTimer.singleShot(30_000, app.quit)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
