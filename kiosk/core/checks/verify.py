"""One verification pipeline: detect the format from the text, run its verifier, always return a result.

Every format module offers `detect(text) -> bool` and `verify(text, trust, now) -> VerificationResult`,
raising `VerificationError` for typed rejections. Add a format by adding its module to `FORMATS`.
"""
from __future__ import annotations

from datetime import datetime, timezone
from types import ModuleType

from kiosk.core.passes import hc1, kp1_verifier, shc
from kiosk.core.checks.clock import ClockCheck
from kiosk.core.outcome.result import VerificationResult, failure
from kiosk.core.checks.safeguards import guard_with_trust
from kiosk.core.trust.store import TrustStore
from kiosk.core.outcome.verdicts import Reason, Verdict, VerificationError

FORMATS: tuple[tuple[str, ModuleType], ...] = (
    ("KP1", kp1_verifier),
    ("HC1", hc1),
    ("SHC", shc),
)


def detect_format(text: str) -> str:
    for name, module in FORMATS:
        if module.detect(text):
            return name
    return "UNKNOWN"


def verify_text(text: str, trust: TrustStore, now: datetime, clock: ClockCheck | None = None) -> VerificationResult:
    """Verify a scanned text, then apply clock and trust-data freshness (kiosk.core.checks.safeguards).

    Never raises: a bug in a verifier becomes TECHNICAL_ERROR, not a crash. `clock` is the runtime clock
    check (monotonic time, kiosk.core.checks.clock) when the caller has one.
    """
    return guard_with_trust(_verify_format(text, trust, now), trust, now.astimezone(timezone.utc), clock)


def _verify_format(text: str, trust: TrustStore, now: datetime) -> VerificationResult:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (UTC)")
    now = now.astimezone(timezone.utc)
    text = text.strip()
    if not text:
        return failure(Verdict.UNSUPPORTED_FORMAT, Reason.EMPTY_INPUT, "UNKNOWN")
    fmt = detect_format(text)
    module = dict(FORMATS).get(fmt)
    if module is None:
        return failure(Verdict.UNSUPPORTED_FORMAT, Reason.UNKNOWN_PREFIX, "UNKNOWN", "not a pass this kiosk knows")
    try:
        return module.verify(text, trust, now)
    except VerificationError as exc:
        return failure(exc.verdict, exc.reason, fmt, exc.detail)
    except Exception as exc:  # noqa: BLE001 - the last line of defence; the kiosk must not crash
        return failure(Verdict.TECHNICAL_ERROR, Reason.INTERNAL_ERROR, fmt, f"{type(exc).__name__}: {exc}")
