"""UI test fixtures: an offscreen QApplication (pytest-qt's qapp), UiSettings with a short hold, sample results."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from kiosk.core.result import HolderView, VerificationResult  # noqa: E402
from kiosk.core.verdicts import Reason, Status, Verdict  # noqa: E402


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
