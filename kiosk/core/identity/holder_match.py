"""Compares the holder an international pass names with an ID card tapped beside it.

HC1 and SHC passes carry a Latin-script name and a birth date, not an ID number, so the comparison is by
name and birth date: names are compared as sets of ICAO-style tokens (accents folded, case and punctuation
ignored, order free: "Musterfrau-Gößinger, Gabriele" = "GABRIELE MUSTERFRAU GOSSINGER"), birth dates by as
many of year, month and day as the pass states. A card without a Latin name (a resident card) leaves the name
to the operator: UNDECIDED, never a silent MATCH.
"""
from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass

from kiosk.core.identity.card import CardIdentity
from kiosk.core.outcome.result import HolderView, VerificationResult
from kiosk.core.outcome.verdicts import Reason, Verdict

_FOLD = {"ß": "SS", "Æ": "AE", "Ø": "OE", "Å": "AA", "Œ": "OE", "Þ": "TH", "Ð": "D", "Ł": "L"}


class HolderMatch(enum.StrEnum):
    MATCH = "MATCH"
    MISMATCH = "MISMATCH"
    UNDECIDED = "UNDECIDED"  # the operator compares (e.g. the card has no Latin-script name)


@dataclass(frozen=True)
class Comparison:
    outcome: HolderMatch
    name: HolderMatch
    birth_date: HolderMatch


def name_tokens(name: str) -> frozenset[str]:
    upper = "".join(_FOLD.get(c, c) for c in name.upper())
    decomposed = unicodedata.normalize("NFKD", upper)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return frozenset(t for t in re.split(r"[^A-Z]+", plain) if t)


def _birth_date(holder: HolderView, card: CardIdentity) -> HolderMatch:
    stated = re.sub(r"\D", "", holder.birth_date)
    on_card = re.sub(r"\D", "", card.birth_date)
    if len(stated) < 4 or len(on_card) != 8:
        return HolderMatch.UNDECIDED
    return HolderMatch.MATCH if on_card.startswith(stated[:8]) else HolderMatch.MISMATCH


def _name(holder: HolderView, card: CardIdentity) -> HolderMatch:
    latin = card.english_name or (card.name if card.name.isascii() else "")
    stated, on_card = name_tokens(holder.name), name_tokens(latin)
    if not stated or not on_card:
        return HolderMatch.UNDECIDED
    return HolderMatch.MATCH if stated == on_card else HolderMatch.MISMATCH


def compare(holder: HolderView, card: CardIdentity) -> Comparison:
    name, birth = _name(holder, card), _birth_date(holder, card)
    if HolderMatch.MISMATCH in (name, birth):
        outcome = HolderMatch.MISMATCH
    elif name is HolderMatch.MATCH and birth is HolderMatch.MATCH:
        outcome = HolderMatch.MATCH
    else:
        outcome = HolderMatch.UNDECIDED
    return Comparison(outcome, name, birth)


def check_card_against_pass(result: VerificationResult, card: CardIdentity) -> VerificationResult:
    """A VALID international pass whose holder is not the card's holder becomes IDENTITY_MISMATCH."""
    if not result.is_valid or result.holder is None:
        return result
    comparison = compare(result.holder, card)
    if comparison.outcome is HolderMatch.MISMATCH:
        return result.with_changes(verdict=Verdict.IDENTITY_MISMATCH, reason=Reason.HOLDER_MISMATCH,
                                   detail=f"name {comparison.name}, birth date {comparison.birth_date}")
    if comparison.outcome is HolderMatch.UNDECIDED:
        return result.with_changes(flags=result.flags + ("HOLDER_CHECK_BY_OPERATOR",))
    return result
