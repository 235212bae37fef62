"""The EU DCC payload (hcert claim -260 -> 1): a strict type-and-shape check and the holder it names.

The kiosk carries no JSON-schema engine in the core, so the DCC schema's structural rules are written out
here: exactly one of `v` (vaccination), `t` (test), `r` (recovery) with exactly one entry, the required
fields of that entry, string lengths, and the holder's name and birth date. Anything else is rejected with
PAYLOAD_INVALID before a verdict can be VALID.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from kiosk.core.outcome.verdicts import Reason, Verdict, VerificationError

PASS_TYPE_NAMES = {"v": "vaccination", "t": "test", "r": "recovery"}
_REQUIRED = {
    "v": ("tg", "vp", "mp", "ma", "dn", "sd", "dt", "co", "is", "ci"),
    "t": ("tg", "tt", "sc", "tr", "co", "is", "ci"),
    "r": ("tg", "fr", "co", "is", "df", "du", "ci"),
}
_INT_FIELDS = ("dn", "sd")
_TIME_FIELDS = ("sc", "dt", "fr", "df", "du")  # dates or date-times; CBOR may tag them
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
_DOB = re.compile(r"^(\d{4}(-\d{2}(-\d{2})?)?)?(T[0-9:.+Z-]*)?$")
_TRANSLITERATED = re.compile(r"^[A-Z<]*$")
MAX_TEXT = 80
MAX_CODE = 50


@dataclass(frozen=True)
class HealthCertificate:
    """What the verifier needs from a DCC payload once its signature holds."""

    version: str
    pass_type: str  # "v", "t" or "r"
    family_name: str
    given_name: str
    birth_date: str
    certificate_id: str  # the UVCI
    country: str
    entry: Mapping[str, Any]

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p)


def _fail(detail: str) -> VerificationError:
    return VerificationError(Verdict.INVALID, Reason.PAYLOAD_INVALID, detail)


def parse_hcert(dcc: Any) -> HealthCertificate:
    """Check a decoded DCC payload against the schema's structural rules and extract what the kiosk shows."""
    if not isinstance(dcc, Mapping):
        raise _fail("the DCC payload is not a map")
    version = _text(dcc, "ver", MAX_CODE)
    if not _VERSION.match(version):
        raise _fail("ver is not a semantic version")
    names = dcc.get("nam")
    if not isinstance(names, Mapping):
        raise _fail("nam is missing")
    family_t = _text(names, "fnt", MAX_TEXT)
    given_t = _text(names, "gnt", MAX_TEXT, required=False)
    if not _TRANSLITERATED.match(family_t) or not _TRANSLITERATED.match(given_t):
        raise _fail("fnt/gnt must be ICAO 9303 transliterations")
    family = _text(names, "fn", MAX_TEXT, required=False) or family_t
    given = _text(names, "gn", MAX_TEXT, required=False) or given_t
    birth = dcc.get("dob")
    birth_date = _time_text(birth, "dob")
    if not _DOB.match(birth_date):
        raise _fail("dob is not a date")
    pass_type, entry = _single_entry(dcc)
    return HealthCertificate(version=version, pass_type=pass_type, family_name=family, given_name=given,
                             birth_date=birth_date.split("T")[0], certificate_id=entry["ci"],
                             country=entry["co"], entry=entry)


def _single_entry(dcc: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
    present = [k for k in PASS_TYPE_NAMES if k in dcc]
    if len(present) != 1:
        raise _fail(f"a DCC holds exactly one of v/t/r, found {present or 'none'}")
    kind = present[0]
    entries = dcc[kind]
    if not isinstance(entries, (list, tuple)) or len(entries) != 1:
        raise _fail(f"{kind} must hold exactly one entry")
    entry = entries[0]
    if not isinstance(entry, Mapping):
        raise _fail(f"{kind}[0] is not a map")
    for name in _REQUIRED[kind]:
        if name not in entry:
            raise _fail(f"{kind}[0].{name} is missing")
        value = entry[name]
        if name in _INT_FIELDS:
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 9:
                raise _fail(f"{kind}[0].{name} must be an integer 1..9")
        elif name in _TIME_FIELDS:
            _time_text(value, f"{kind}[0].{name}")
        elif not isinstance(value, str) or not value or len(value) > MAX_TEXT:
            raise _fail(f"{kind}[0].{name} must be a non-empty string of at most {MAX_TEXT} characters")
    return kind, entry


def _text(container: Mapping[str, Any], name: str, limit: int, required: bool = True) -> str:
    value = container.get(name)
    if value is None:
        if required:
            raise _fail(f"{name} is missing")
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise _fail(f"{name} must be a string of at most {limit} characters")
    return value


def _time_text(value: Any, name: str) -> str:
    """A date or date-time field, as text (CBOR may carry it tagged, which cbor2 turns into objects)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str) or len(value) > MAX_CODE:
        raise _fail(f"{name} must be a date")
    return value
