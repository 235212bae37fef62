"""VerdictView: what a screen is given about one check, typed, in plain words; built once, shown anywhere.

The citizen verdict page, the staff lookup and the loudspeaker all read the same view, so they cannot disagree:
the reason line follows the outcome *and* the signed status (a red status under STOP says "status red", never
"checked and valid"), the spoken prompt is the outcome's, and no internal code (reason codes, format names such
as KP1, card-type keys such as "resident") ever reaches a citizen: each is mapped to words here or left out.
Pure (no Qt, no clock); any odd value in a result is clipped to a printable, bounded string.
"""
from __future__ import annotations

from dataclasses import dataclass

from kiosk.core.outcome import strings
from kiosk.core.outcome.result import HolderView, VerificationResult
from kiosk.core.outcome.verdicts import Outcome, Reason, Status, Verdict

MAX_FIELD = 40
# Flags that explain why a VALID result did not pass, as a citizen reason key (first match wins).
_FLAG_REASONS = (("CLOCK_SUSPECT", "reason.CLOCK_BEHIND_TRUSTED_TIME"),
                 ("TRUST_DATA_STALE", "reason.TRUST_BUNDLE_EXPIRED"),
                 ("IDENTITY_UNCHECKED", "reason.pairing"))
# The document a citizen showed, in words: pass types, card types and formats (anything else: not shown).
_DOCUMENTS = {"health-status": "doc.health", "KP1": "doc.health", "vaccination": "doc.vaccination",
              "test": "doc.test", "recovery": "doc.recovery", "HC1": "doc.international", "SHC": "doc.shc",
              "resident": "doc.resident", "hmt_permit": "doc.hmt_permit", "foreign_2017": "doc.foreign",
              "foreign_2023": "doc.foreign", "ID_CARD": "doc.resident"}


@dataclass(frozen=True)
class VerdictTexts:
    """The words of one verdict in one language."""

    word: str  # 通过 / STOP / ...
    reason: str  # the plain reason line: follows the outcome and the status
    hint: str  # what to do now (go ahead / do not go through / see staff)
    document: str  # the document in words ("" when unknown)


@dataclass(frozen=True)
class VerdictView:
    outcome: Outcome
    verdict: Verdict
    reason: Reason | None  # None when the result carried a code this build does not know
    status: Status | None
    from_card: bool  # a card on the reader: the verdict holds until it is lifted
    name: str  # masked name (or, for a valid international pass, the full name for the operator to compare)
    identifier: str  # masked ID number (or "*<birth date>" for a valid international pass)
    document_key: str  # strings key of the document, "" when unknown
    reason_key: str  # strings key of the reason line
    flags: tuple[str, ...] = ()
    reason_code: str = ""  # for staff screens only (never on a citizen screen)
    birth_date: str = ""  # for the staff lookup only, to compare with a document (never on a citizen screen)

    @property
    def prompt(self) -> str:
        """The spoken prompt's key: the outcome's, so screen and voice name the same thing."""
        return strings.OUTCOME_PROMPTS[self.outcome.value]

    def texts(self, language: str) -> VerdictTexts:
        document = strings.text(self.document_key, language) if self.document_key else ""
        return VerdictTexts(word=strings.text(f"verdict.{self.outcome.value}", language),
                            reason=strings.text(self.reason_key, language),
                            hint=strings.text(f"hint.{self.outcome.value}", language), document=document)

    def identity_line(self, language: str) -> str:
        return "   ".join(part for part in (self.name, self.identifier, self.texts(language).document) if part)

    def status_text(self, language: str) -> str:
        """The signed status in one word (绿码 / 紅碼 / red), "" when the document carries none."""
        return strings.text(f"status_word.{self.status.value}", language) if self.status else ""


def verdict_view(result: object, outcome: object) -> VerdictView:
    """The view of any result: a VerificationResult and an Outcome; anything else becomes SEE STAFF."""
    chosen = _outcome(outcome)
    if not isinstance(result, VerificationResult):
        return VerdictView(chosen, Verdict.TECHNICAL_ERROR, None, None, False, "", "", "",
                           f"reason.other.{chosen.value}")
    verdict = result.verdict if isinstance(result.verdict, Verdict) else Verdict.TECHNICAL_ERROR
    reason = _member(Reason, result.reason)
    status = _member(Status, result.status)
    flags = tuple(_text(flag, 40) for flag in result.flags) if isinstance(result.flags, tuple) else ()
    name, identifier = _identity(result)
    document = _DOCUMENTS.get(_text(result.pass_type, 40)) or _DOCUMENTS.get(_text(result.format, 10), "")
    return VerdictView(outcome=chosen, verdict=verdict, reason=reason, status=status,
                       from_card=_text(result.format, 10) == "ID_CARD", name=name, identifier=identifier,
                       document_key=document, reason_key=_reason_key(chosen, verdict, reason, status, flags),
                       flags=flags, reason_code=_text(result.reason, MAX_FIELD),
                       birth_date=_text(result.holder.birth_date, 16) if isinstance(result.holder, HolderView) else "")


def _reason_key(outcome: Outcome, verdict: Verdict, reason: Reason | None, status: Status | None,
                flags: tuple[str, ...]) -> str:
    """The reason line's key. For a valid document the status speaks (red / yellow / green); a valid document
    that still did not pass says why (a flag) or that a person must check; a rejection says its reason when we
    have plain words for it, else the outcome's generic sentence. Never the OK text under STOP or SEE STAFF."""
    if verdict is Verdict.VALID:
        if status is not None and (status is not Status.GREEN or outcome is Outcome.PASS):
            return f"status.{status.value}"
        if outcome is Outcome.PASS:
            return "reason.OK"
        for flag, key in _FLAG_REASONS:
            if flag in flags:
                return key
        return f"reason.other.{outcome.value}"
    key = f"reason.{reason.value}" if reason is not None else ""
    if key and key != "reason.OK" and key in strings.all_text_keys():
        return key
    return f"reason.other.{outcome.value if outcome is not Outcome.PASS else Outcome.SEE_STAFF.value}"


def _identity(result: VerificationResult) -> tuple[str, str]:
    """Masked forms; for a valid international pass the full name and birth date instead, which the operator
    compares with an ID document (issue #5). Shown for the verdict's few seconds only, never spoken or logged."""
    holder = result.holder
    if not isinstance(holder, HolderView):
        return "", ""
    name = _text(holder.name, 24)
    if name and result.verdict is Verdict.VALID:
        born = _text(holder.birth_date, 16)
        return name, f"*{born}" if born else ""
    return _text(holder.masked_name, 24), _text(holder.masked_id, 32)


def _outcome(value: object) -> Outcome:
    if isinstance(value, Outcome):
        return value
    return _member(Outcome, value) or Outcome.SEE_STAFF


def _member(enum_type, value: object):
    if isinstance(value, enum_type):
        return value
    if isinstance(value, str):
        try:
            return enum_type(value)
        except ValueError:
            return None
    return None


def _text(value: object, limit: int) -> str:
    """A printable, bounded form of any field value (None, numbers, huge strings, a raising __str__)."""
    if value is None:
        return ""
    try:
        text = value if isinstance(value, str) else str(value)
    except Exception:  # noqa: BLE001 - a field whose __str__ raises must not crash a screen
        return ""
    text = "".join(ch if ch.isprintable() else " " for ch in text[: limit * 4]).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
