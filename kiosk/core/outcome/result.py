"""The result of one check, as every layer sees it.

`HolderView` holds what the operator may compare with an identity document. It is shown on screen for a
few seconds and never logged: `LoggableResult` (via `VerificationResult.loggable()`) is the only shape that
reaches storage, and it carries masked and hashed forms only.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.core.outcome.verdicts import Reason, Status, Verdict


@dataclass(frozen=True)
class HolderView:
    """What the screen may show about the holder. Masked forms only, plus an optional birth date for the operator."""

    masked_name: str = ""
    masked_id: str = ""
    birth_date: str = ""  # shown to the operator for comparison with an ID document; never logged
    name: str = ""  # the full name a pass states (HC1, SHC), for the operator to compare; never logged


@dataclass(frozen=True)
class VerificationResult:
    verdict: Verdict
    reason: Reason
    format: str  # "KP1" (our printed pass), "HC1", "SHC", "ID_CARD", "UNKNOWN"
    detail: str = ""
    status: Status | None = None
    pass_type: str = ""
    pass_id: str = ""
    kid: str = ""  # hex
    issuer: str = ""
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    holder: HolderView | None = None
    holder_binding: bytes = b""  # opaque; lets a later card tap be matched to this pass
    trust_version: int | None = None
    flags: tuple[str, ...] = ()  # e.g. ("CLOCK_SUSPECT",) when a verdict was reached under a suspect clock
    # SHA-256 of the subject (normalised ID number for a card, pass id for a pass). In memory only: the log
    # stores HMAC(log key, subject_digest), never this value. Not part of to_json().
    subject_digest: bytes = b""

    @property
    def is_valid(self) -> bool:
        return self.verdict is Verdict.VALID

    def with_changes(self, **changes: Any) -> VerificationResult:
        return dataclasses.replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """The `kiosk verify --json` object. Keys are a contract: add, never rename or remove."""
        holder = self.holder or HolderView()
        return {
            "verdict": str(self.verdict),
            "reason": str(self.reason),
            "format": self.format,
            "detail": self.detail,
            "status": str(self.status) if self.status else None,
            "pass_type": self.pass_type or None,
            "pass_id": self.pass_id or None,
            "kid": self.kid or None,
            "issuer": self.issuer or None,
            "valid_from": _iso(self.valid_from),
            "valid_until": _iso(self.valid_until),
            "holder": {"masked_name": holder.masked_name or None, "masked_id": holder.masked_id or None,
                       "birth_date": holder.birth_date or None, "name": holder.name or None},
            "trust_version": self.trust_version,
            "flags": list(self.flags),
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def failure(verdict: Verdict, reason: Reason, fmt: str, detail: str = "") -> VerificationResult:
    return VerificationResult(verdict=verdict, reason=reason, format=fmt, detail=detail)
