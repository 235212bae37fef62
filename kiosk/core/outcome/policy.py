"""Site policy: maps a verification result to what the gate does (PASS / STOP / SEE STAFF).

One taxonomy (kiosk.core.outcome.verdicts), one mapping per gate. The settings come in layers: the built-in
defaults, then the `policy` section of the signed trust bundle (central defaults and per-gate entries), then
the site's own configuration. Whatever the layers say, nothing but VALID can map to PASS, and a VALID result
carrying a flag (suspect clock, stale data, unchecked identity) never passes silently.

JSON form: {"verdicts": {"NOT_FOUND": "STOP"}, "statuses": {"yellow": "PASS"},
            "valid_without_status": "PASS", "grace_hours": 144, "pairing_window_seconds": 60,
            "require_identity_pairing": false, "gates": {"ward-3": {"statuses": {"yellow": "STOP"}}}}
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from kiosk.core.outcome.result import VerificationResult
from kiosk.core.outcome.verdicts import Outcome, Status, Verdict

INFORMATIONAL_FLAGS = frozenset({"TRUST_REFRESH_DUE", "IDENTITY_MATCHED"})  # shown, never block a pass

_DEFAULT_VERDICTS: dict[Verdict, Outcome] = {
    Verdict.INVALID: Outcome.STOP,
    Verdict.EXPIRED: Outcome.STOP,
    Verdict.NOT_YET_VALID: Outcome.STOP,
    Verdict.REVOKED: Outcome.STOP,
    Verdict.UNTRUSTED_ISSUER: Outcome.STOP,
    Verdict.IDENTITY_MISMATCH: Outcome.STOP,
    Verdict.UNSUPPORTED_FORMAT: Outcome.SEE_STAFF,
    Verdict.NOT_FOUND: Outcome.SEE_STAFF,
    Verdict.TRUST_DATA_STALE: Outcome.SEE_STAFF,
    Verdict.CLOCK_SUSPECT: Outcome.SEE_STAFF,
    Verdict.TECHNICAL_ERROR: Outcome.SEE_STAFF,
}
_DEFAULT_STATUSES: dict[Status, Outcome] = {
    Status.GREEN: Outcome.PASS,
    Status.YELLOW: Outcome.SEE_STAFF,
    Status.RED: Outcome.STOP,
}


class PolicyError(ValueError):
    """A policy setting that names an unknown verdict, status or outcome."""


@dataclass(frozen=True)
class Policy:
    """A gate's policy. Anything not VALID can never map to PASS: a policy file cannot open the gate to forgeries."""

    verdicts: dict[Verdict, Outcome] = field(default_factory=lambda: dict(_DEFAULT_VERDICTS))
    statuses: dict[Status, Outcome] = field(default_factory=lambda: dict(_DEFAULT_STATUSES))
    valid_without_status: Outcome = Outcome.PASS  # e.g. an international pass that carries no green/red status
    grace: timedelta | None = None  # trust-data grace period; None: the bundle's or the built-in default
    pairing_window: timedelta = timedelta(seconds=60)  # pass and card presented "together"
    require_identity_pairing: bool = False  # a printed pass alone is not enough at this gate

    def outcome(self, result: VerificationResult) -> Outcome:
        if result.verdict is not Verdict.VALID:
            chosen = self.verdicts.get(result.verdict, Outcome.SEE_STAFF)
            return Outcome.STOP if chosen is Outcome.PASS else chosen
        base = self.statuses.get(result.status, Outcome.SEE_STAFF) if result.status else self.valid_without_status
        if self.blocking_flags(result) or self._unpaired(result):  # e.g. a suspect clock: never a silent PASS
            return Outcome.SEE_STAFF if base is Outcome.PASS else base
        return base

    def _unpaired(self, result: VerificationResult) -> bool:
        """At a gate that requires it, a printed pass opens only together with its holder's ID card."""
        return self.require_identity_pairing and result.format != "ID_CARD" and \
            "IDENTITY_MATCHED" not in result.flags

    @staticmethod
    def blocking_flags(result: VerificationResult) -> tuple[str, ...]:
        return tuple(f for f in result.flags if f not in INFORMATIONAL_FLAGS)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], gate: str | None = None) -> Policy:
        """Read a policy from its JSON form; `gate` applies that gate's section on top of the defaults."""
        return cls().merged(data, gate)

    def merged(self, data: Mapping[str, Any] | None, gate: str | None = None) -> Policy:
        """This policy with the settings of `data` (and of `data["gates"][gate]`) laid over it."""
        if not data:
            return self
        try:
            policy = self._apply(data)
            gate_section = (data.get("gates") or {}).get(gate) if gate else None
            return policy._apply(gate_section) if gate_section else policy
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            raise PolicyError(f"unusable policy setting: {exc}") from None

    def _apply(self, data: Mapping[str, Any]) -> Policy:
        verdicts = dict(self.verdicts)
        statuses = dict(self.statuses)
        for key, value in (data.get("verdicts") or {}).items():
            verdicts[Verdict(key)] = Outcome(value)
        for key, value in (data.get("statuses") or {}).items():
            statuses[Status(key)] = Outcome(value)
        grace = self.grace
        if data.get("grace_hours") is not None:
            grace = timedelta(hours=float(data["grace_hours"]))
        window = self.pairing_window
        if data.get("pairing_window_seconds") is not None:
            window = timedelta(seconds=float(data["pairing_window_seconds"]))
        return Policy(verdicts=verdicts, statuses=statuses,
                      valid_without_status=Outcome(data.get("valid_without_status", self.valid_without_status)),
                      grace=grace, pairing_window=window,
                      require_identity_pairing=bool(data.get("require_identity_pairing",
                                                             self.require_identity_pairing)))
