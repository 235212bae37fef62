"""The EU DCC payload (hcert claim -260 -> 1): the official schema of its `ver`, the spec's own rules, the holder.

Order (docs/international.md, "DCC payload rules"):
1. the CBOR payload must have a JSON form (the DCC is JSON encoded as CBOR) — else PAYLOAD_INVALID;
2. with reference data installed: the JSON schema of the payload's `ver` (kiosk.core.passes.dcc_schema) —
   a violation is DCC_SCHEMA_INVALID, a `ver` without an installed schema of its major DCC_SCHEMA_UNKNOWN;
   without reference data the result carries the flag DCC_SCHEMA_UNCHECKED (never a silent PASS);
3. rules the eHN specification states beyond the schema: exactly one certificate group (v, t or r), since
   schemas before 1.3.0 do not say so (test suite case DGC2); at least one entry in it;
4. what the kiosk reads to show and to look up (names, birth date, UVCI, country) is read as text or as "",
   cut to a bound, so no payload can make the verifier misbehave; at most 16 entries in the group.
Empty optional strings, `null` for optional members and several entries in a group are accepted wherever the
schema accepts them. Value sets (codes to words) are applied afterwards by `describe`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from kiosk.core.identity.display_text import neutral_text
from kiosk.core.outcome.verdicts import Reason, Status, Verdict, VerificationError
from kiosk.core.passes import dcc_schema
from kiosk.core.trust.dcc_reference import DccReference

PASS_TYPE_NAMES = {"v": "vaccination", "t": "test", "r": "recovery"}
MAX_TEXT = 80
MAX_ID = 128
FLAG_SCHEMA_UNCHECKED = "DCC_SCHEMA_UNCHECKED"
FLAG_VALUE_UNKNOWN = "DCC_VALUE_NOT_IN_VALUE_SET"
# Which value set each coded field is drawn from (the schemas' `valueset-uri`, by the sets' own ids).
CODED_FIELDS = {
    "v": {"tg": "disease-agent-targeted", "vp": "sct-vaccines-covid-19", "mp": "vaccines-covid-19-names",
          "ma": "vaccines-covid-19-auth-holders", "co": "country-2-codes"},
    "t": {"tg": "disease-agent-targeted", "tt": "covid-19-lab-test-type", "tr": "covid-19-lab-result",
          "ma": "covid-19-lab-test-manufacturer-and-name", "co": "country-2-codes"},
    "r": {"tg": "disease-agent-targeted", "co": "country-2-codes"},
}
_POSITIVE_TEST_DISPLAY = "Detected"  # the covid-19-lab-result value set's word for a positive test


@dataclass(frozen=True)
class HealthCertificate:
    """What the verifier needs from a DCC payload once its signature holds."""

    version: str
    pass_type: str  # "v", "t" or "r"
    family_name: str
    given_name: str
    birth_date: str
    certificate_id: str  # the UVCI of the group's last entry
    country: str
    entry: Mapping[str, Any]
    entries: tuple[Mapping[str, Any], ...] = ()
    schema_version: str = ""  # the schema it was checked against; "" = not checked (no reference data)

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p)

    @property
    def certificate_ids(self) -> tuple[str, ...]:
        ids = [e.get("ci") for e in self.entries or (self.entry,)]
        return tuple(i for i in ids if isinstance(i, str) and i)


class Description(NamedTuple):
    """What the value sets say about a certificate: a status when the content itself says no, and flags."""

    status: Status | None
    flags: tuple[str, ...]
    summary: str


def _fail(detail: str, reason: Reason = Reason.PAYLOAD_INVALID) -> VerificationError:
    return VerificationError(Verdict.INVALID, reason, detail[:200])


def parse_hcert(dcc: Any, reference: DccReference | None = None) -> HealthCertificate:
    """Check a decoded DCC payload (steps 1-4 above) and extract what the kiosk shows."""
    try:
        payload = dcc_schema.json_value(dcc)
    except dcc_schema.NotJson as exc:
        raise _fail(f"the DCC payload is not JSON: {exc}") from None
    if not isinstance(payload, Mapping):
        raise _fail("the DCC payload is not a map")
    version = payload.get("ver")
    if not isinstance(version, str) or len(version) > 32:
        raise _fail("ver is not a version string")
    checked = _check_schema(payload, version, reference) if reference and reference.schemas else ""
    kind, entries = _group(payload)
    names = payload.get("nam")
    if not isinstance(names, Mapping):
        raise _fail("nam is missing")
    family = _text(names, "fn") or _text(names, "fnt")
    given = _text(names, "gn") or _text(names, "gnt")
    birth = _text(payload, "dob")
    last = entries[-1]
    certificate_id, country = _text(last, "ci", MAX_ID), _text(last, "co")
    return HealthCertificate(version=version, pass_type=kind, family_name=neutral_text(family, MAX_TEXT),
                             given_name=neutral_text(given, MAX_TEXT),
                             birth_date=neutral_text(birth.split("T")[0], 10), certificate_id=certificate_id,
                             country=country, entry=last, entries=entries, schema_version=checked)


def describe(cert: HealthCertificate, reference: DccReference | None) -> Description:
    """Apply the value sets: a test whose result the lab-result set calls "Detected" is status RED (a refusal
    by content, not a malformed pass); a coded field whose code is missing from its installed value set adds
    DCC_VALUE_NOT_IN_VALUE_SET (staff decide); without reference data, DCC_SCHEMA_UNCHECKED."""
    flags: list[str] = [] if cert.schema_version else [FLAG_SCHEMA_UNCHECKED]
    status = None
    words = [PASS_TYPE_NAMES[cert.pass_type]]
    if reference:
        sets = reference.value_sets
        unknown = any(name in entry and (codes := sets.get(value_set)) is not None and \
                      (not isinstance(entry[name], str) or entry[name] not in codes)
                      for entry in cert.entries for name, value_set in CODED_FIELDS[cert.pass_type].items())
        if unknown:
            flags.append(FLAG_VALUE_UNKNOWN)
        if cert.pass_type == "t":
            result = reference.display("covid-19-lab-result", cert.entry.get("tr"))
            if result == _POSITIVE_TEST_DISPLAY:
                status = Status.RED
            if result:
                words.append(result.lower())
        product = reference.display("vaccines-covid-19-names", cert.entry.get("mp"))
        if cert.pass_type == "v" and product:
            words.append(product)
    return Description(status, tuple(flags), neutral_text(" ".join(words), 120))


def _check_schema(payload: Mapping[str, Any], version: str, reference: DccReference) -> str:
    chosen = reference.schema_for(version)
    if chosen is None:
        raise _fail(f"no schema of version {version} installed", Reason.DCC_SCHEMA_UNKNOWN)
    schema_version, schema = chosen
    try:
        dcc_schema.validator_for(schema_version, schema).check(payload)
    except dcc_schema.SchemaViolation as exc:
        raise _fail(str(exc), Reason.DCC_SCHEMA_INVALID) from None
    return schema_version


def _group(payload: Mapping[str, Any]) -> tuple[str, tuple[Mapping[str, Any], ...]]:
    present = [k for k in PASS_TYPE_NAMES if payload.get(k) is not None]
    if len(present) != 1:
        raise _fail(f"a DCC holds exactly one of v/t/r, found {present or 'none'}")
    kind = present[0]
    entries = payload[kind]
    if not isinstance(entries, list) or not entries or len(entries) > 16 or \
            not all(isinstance(e, Mapping) for e in entries):
        raise _fail(f"{kind} must be a list of 1 to 16 entries")
    return kind, tuple(entries)


def _text(container: Mapping[str, Any], name: str, limit: int = MAX_TEXT) -> str:
    """A member the kiosk reads, as text: anything else (absent, null, a number the schema of this version
    allows) reads as "" — the schema decides validity, this only keeps the display and the lookups typed."""
    value = container.get(name)
    return value[:limit] if isinstance(value, str) else ""

