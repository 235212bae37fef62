"""Site policy: maps a verification result to what the gate does (PASS / STOP / SEE STAFF)."""
from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.core.result import VerificationResult
from kiosk.core.verdicts import Outcome, Status, Verdict

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


@dataclass(frozen=True)
class Policy:
    """A gate's policy. Anything not VALID can never map to PASS: a policy file cannot open the gate to forgeries."""

    verdicts: dict[Verdict, Outcome] = field(default_factory=lambda: dict(_DEFAULT_VERDICTS))
    statuses: dict[Status, Outcome] = field(default_factory=lambda: dict(_DEFAULT_STATUSES))
    valid_without_status: Outcome = Outcome.PASS  # e.g. an international pass that carries no green/red status

    def outcome(self, result: VerificationResult) -> Outcome:
        if result.verdict is not Verdict.VALID:
            chosen = self.verdicts.get(result.verdict, Outcome.SEE_STAFF)
            return Outcome.STOP if chosen is Outcome.PASS else chosen
        if result.flags:  # e.g. a suspect clock: never a silent PASS
            base = self.statuses.get(result.status, self.valid_without_status) if result.status else \
                self.valid_without_status
            return Outcome.SEE_STAFF if base is Outcome.PASS else base
        if result.status is None:
            return self.valid_without_status
        return self.statuses.get(result.status, Outcome.SEE_STAFF)

    @classmethod
    def from_dict(cls, data: dict) -> Policy:
        """Read a policy from its JSON form: {"verdicts": {"NOT_FOUND": "STOP"}, "statuses": {"yellow": "PASS"}}."""
        verdicts = dict(_DEFAULT_VERDICTS)
        statuses = dict(_DEFAULT_STATUSES)
        for key, value in (data.get("verdicts") or {}).items():
            verdicts[Verdict(key)] = Outcome(value)
        for key, value in (data.get("statuses") or {}).items():
            statuses[Status(key)] = Outcome(value)
        valid_without = Outcome(data.get("valid_without_status", Outcome.PASS))
        return cls(verdicts=verdicts, statuses=statuses, valid_without_status=valid_without)
