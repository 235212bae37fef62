"""UI test fixtures: an offscreen QApplication (pytest-qt's qapp), UiSettings with a short hold, sample results."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from kiosk.core.outcome.result import HolderView, VerificationResult  # noqa: E402
from kiosk.core.outcome.verdicts import Reason, Status, Verdict  # noqa: E402


@pytest.fixture
def valid_result() -> VerificationResult:
    return VerificationResult(verdict=Verdict.VALID, reason=Reason.OK, format="KP1", status=Status.GREEN,
                              pass_type="health", holder=HolderView("张*", "110105********002X", "1949-12-31"))


@pytest.fixture
def card_result() -> VerificationResult:
    return VerificationResult(verdict=Verdict.VALID, reason=Reason.OK, format="ID_CARD", status=Status.GREEN,
                              holder=HolderView("王**", "440301********1234"))


@pytest.fixture
def expired_result() -> VerificationResult:
    return VerificationResult(verdict=Verdict.EXPIRED, reason=Reason.PASS_EXPIRED, format="KP1",
                              holder=HolderView("李*", "310101********0015"))


@pytest.fixture
def make_window(qtbot):
    """A shown KioskWindow with a short hold; optional settings/services overrides."""
    from PySide6.QtWidgets import QApplication

    from kiosk.ui.shared.settings import UiSettings
    from kiosk.ui.window import KioskWindow

    def make(settings=None, services=None, **changes):
        settings = (settings or UiSettings(hold_seconds=0.05, voice_enabled=True)).replace(**changes)
        win = KioskWindow(settings, services=services)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        win.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=30_000)
        return win
    return make
