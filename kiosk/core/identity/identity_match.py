"""Identity binding: a printed pass and an ID card presented together must belong to the same person.

A pure state machine, fed by the composition root with each check's result and `now`; it never reads a
clock. Either may come first; the other must follow within the policy's window. The pass carries a salted
scrypt binding of its holder's ID number (kiosk.core.identity.binding), so the kiosk learns only "same person or
not", never the number from the pass. A mismatch is its own verdict, IDENTITY_MISMATCH.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.core.identity import binding, holder_match
from kiosk.core.identity.card import CardIdentity
from kiosk.core.outcome.result import VerificationResult
from kiosk.core.outcome.verdicts import Reason, Verdict

FLAG_IDENTITY_UNCHECKED = "IDENTITY_UNCHECKED"
FLAG_IDENTITY_MATCHED = "IDENTITY_MATCHED"
DEFAULT_WINDOW = timedelta(seconds=60)


class PairState(enum.StrEnum):
    WAITING_FOR_CARD = "waiting_for_card"
    WAITING_FOR_PASS = "waiting_for_pass"
    MATCHED = "matched"
    MISMATCH = "mismatch"
    UNCHECKABLE = "uncheckable"  # the pass carries no holder binding: staff compare by eye


@dataclass(frozen=True)
class PairDecision:
    state: PairState
    result: VerificationResult  # what to show now: the single result while waiting, the combined one after


@dataclass(frozen=True)
class _Pending:
    kind: str  # "pass" or "card"
    at: datetime
    result: VerificationResult
    card: CardIdentity | None = None


class IdentityPairing:
    """Pairs the next pass with the next card (either order) inside `window`. Not thread-safe: GUI thread."""

    def __init__(self, window: timedelta = DEFAULT_WINDOW) -> None:
        self.window = window
        self._pending: _Pending | None = None

    @property
    def waiting(self) -> PairState | None:
        if self._pending is None:
            return None
        return PairState.WAITING_FOR_CARD if self._pending.kind == "pass" else PairState.WAITING_FOR_PASS

    def expire(self, now: datetime) -> bool:
        """Forget a pending presentation older than the window; True when one was dropped."""
        if self._pending is not None and not self._pending.at <= now <= self._pending.at + self.window:
            self._pending = None
            return True
        return False

    def reset(self) -> None:
        self._pending = None

    def present_pass(self, result: VerificationResult, now: datetime) -> PairDecision:
        self.expire(now)
        pending = self._pending
        if pending is not None and pending.kind == "card":
            self._pending = None
            return _decide(result, pending.card, pending.result)
        self._pending = _Pending("pass", now, result)
        return PairDecision(PairState.WAITING_FOR_CARD, result)

    def present_card(self, card: CardIdentity, card_result: VerificationResult, now: datetime) -> PairDecision:
        self.expire(now)
        pending = self._pending
        if pending is not None and pending.kind == "pass":
            self._pending = None
            return _decide(pending.result, card, card_result)
        self._pending = _Pending("card", now, card_result, card)
        return PairDecision(PairState.WAITING_FOR_PASS, card_result)


def _decide_by_name(pass_result: VerificationResult, card: CardIdentity) -> PairDecision:
    """An international pass names its holder (name, birth date) instead of binding an ID number."""
    holder = pass_result.holder
    if holder is None or not (holder.name or holder.birth_date):
        flags = tuple(dict.fromkeys(pass_result.flags + (FLAG_IDENTITY_UNCHECKED,)))
        return PairDecision(PairState.UNCHECKABLE, pass_result.with_changes(flags=flags))
    comparison = holder_match.compare(holder, card)
    if comparison.outcome is holder_match.HolderMatch.MISMATCH:
        return PairDecision(PairState.MISMATCH, holder_match.check_card_against_pass(pass_result, card))
    if comparison.outcome is holder_match.HolderMatch.MATCH:
        flags = tuple(dict.fromkeys(pass_result.flags + (FLAG_IDENTITY_MATCHED,)))
        return PairDecision(PairState.MATCHED, pass_result.with_changes(flags=flags))
    flags = tuple(dict.fromkeys(pass_result.flags + (FLAG_IDENTITY_UNCHECKED,)))
    return PairDecision(PairState.UNCHECKABLE, pass_result.with_changes(flags=flags))


def _decide(pass_result: VerificationResult, card: CardIdentity | None,
            card_result: VerificationResult) -> PairDecision:
    """Same person? The combined result keeps the pass's verdict unless the identities differ."""
    if card is None:
        raise ValueError("a card presentation carries its card")
    holder = card_result.holder or card.holder_view()
    binding_bytes = pass_result.holder_binding
    if len(binding_bytes) != binding.SALT_BYTES + binding.BINDING_BYTES:
        return _decide_by_name(pass_result, card)
    salt, expected = binding_bytes[:binding.SALT_BYTES], binding_bytes[binding.SALT_BYTES:]
    if not binding.binding_matches(card.id_number, salt, expected):
        mismatch = pass_result.with_changes(
            verdict=Verdict.IDENTITY_MISMATCH, reason=Reason.HOLDER_MISMATCH, holder=holder,
            detail=f"the pass does not belong to the holder of card {holder.masked_id}")
        return PairDecision(PairState.MISMATCH, mismatch)
    combined = pass_result.with_changes(
        holder=holder, flags=tuple(dict.fromkeys(pass_result.flags + (FLAG_IDENTITY_MATCHED,))))
    return PairDecision(PairState.MATCHED, combined)
