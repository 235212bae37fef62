"""Builders of realistic check results for the sync tests (real core types, no mocks)."""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from kiosk.core.result import HolderView, VerificationResult
from kiosk.core.verdicts import Reason, Verdict

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)
HASH_KEY = b"k" * 32
BIRTH_DATE = "1985-07-14"
FULL_ID = "11010519850714002X"
NAME = "张三丰"


def card_result(i: int = 0, verdict: Verdict = Verdict.VALID) -> VerificationResult:
    return VerificationResult(
        verdict=verdict, reason=Reason.OK if verdict is Verdict.VALID else Reason.PASS_EXPIRED,
        format="ID_CARD", kid="a1b2c3d4e5f60708", trust_version=7, flags=("CLOCK_SUSPECT",) if i % 7 == 3 else (),
        holder=HolderView(masked_name="张*", masked_id="110105********002X", birth_date=BIRTH_DATE),
        subject_digest=hashlib.sha256(f"{FULL_ID}-{i}".encode()).digest(),
        detail=f"raw detail {NAME}")
