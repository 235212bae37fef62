"""EU DCC reference data as trust data: the official JSON schemas (one per payload `ver`) and the value sets.

Neither is a constant in the code: an administrator imports the eHealth Network's published files
(`kiosk trust import DCC.combined-schema.json test-result.json ...`, detected from their content), and the
signed trust bundle (KTB1 field 12, kiosk.core.trust.bundle) carries them to every kiosk, so they are checked
with the root signature before use and swapped atomically with the keys. A schema is accepted only when it is
a valid JSON Schema (draft 2020-12 meta-schema, checked with `jsonschema`) whose `$id` names the DCC combined
schema and whose `$comment` states its version; a value set only when it has a `valueSetId` and codes.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_SCHEMAS = 64
MAX_VALUE_SETS = 64
MAX_CODES = 4096
MAX_SCHEMA_CHARS = 256 * 1024
_SCHEMA_ID = re.compile(r"^https://id\.uvci\.eu/D[GC]C\.combined-schema\.json$")
_VERSION_COMMENT = re.compile(r"^Schema version (\d+\.\d+\.\d+)$")
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


class ReferenceDataError(ValueError):
    """A schema or value set the kiosk will not take as reference data."""


@dataclass(frozen=True)
class DccReference:
    """Schemas by version ("1.3.3" -> schema document) and value sets by id (-> {code: display})."""

    schemas: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    value_sets: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.schemas or self.value_sets)

    def schema_for(self, version: str) -> tuple[str, Mapping[str, Any]] | None:
        """The schema a payload of `version` is checked against (docs/international.md, "schema version").

        The exact version when installed; else the newest installed schema of the same major.minor (patch
        releases only fix the schema); else, for a newer minor of the same major, the newest installed one
        (minor releases add optional fields, so the newest known schema is the closest rule). None: no schema
        of that major (or an older minor that is not installed) — the caller refuses the payload.
        """
        if version in self.schemas:
            return version, self.schemas[version]
        wanted = _parse_version(version)
        if wanted is None:
            return None
        known = sorted((v, k) for k in self.schemas if (v := _parse_version(k)) is not None)
        same_minor = [k for v, k in known if v[:2] == wanted[:2]]
        if same_minor:
            return same_minor[-1], self.schemas[same_minor[-1]]
        same_major = [(v, k) for v, k in known if v[0] == wanted[0]]
        if same_major and same_major[-1][0][:2] < wanted[:2]:
            newest = same_major[-1][1]
            return newest, self.schemas[newest]
        return None

    def display(self, value_set: str, code: Any) -> str | None:
        """The value set's display text for a code; None when the set is installed but lacks the code."""
        codes = self.value_sets.get(value_set)
        if codes is None or not isinstance(code, str):
            return None
        return codes.get(code)

    def merged(self, other: DccReference) -> DccReference:
        return DccReference({**self.schemas, **other.schemas}, {**self.value_sets, **other.value_sets})

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        return {"schemas": {v: dict(s) for v, s in sorted(self.schemas.items())},
                "value_sets": {k: dict(v) for k, v in sorted(self.value_sets.items())}}

    @classmethod
    def from_dict(cls, data: Any) -> DccReference:
        """Read the stored form (trust.json, or bundle field 12 whose root signature already held), re-checking
        the shape of every schema and value set. The meta-schema check (about 0.1 s a schema) ran when the
        administrator imported the file; a schema that still fails to compile fails its passes closed."""
        if not isinstance(data, Mapping):
            raise ReferenceDataError("DCC reference data is an object")
        schemas, value_sets = data.get("schemas") or {}, data.get("value_sets") or {}
        if not isinstance(schemas, Mapping) or not isinstance(value_sets, Mapping) or \
                len(schemas) > MAX_SCHEMAS or len(value_sets) > MAX_VALUE_SETS:
            raise ReferenceDataError("DCC reference data: schemas and value_sets are bounded objects")
        checked = {}
        for version, doc in schemas.items():
            found, schema = schema_document(doc, meta_check=False)
            if found != version:
                raise ReferenceDataError(f"schema stored as {version} states version {found}")
            checked[found] = schema
        sets = {}
        for name, codes in value_sets.items():
            sets[str(name)] = _codes(codes)
        return cls(checked, sets)


def schema_document(doc: Any, meta_check: bool = True) -> tuple[str, dict[str, Any]]:
    """(version, schema) of an official DCC combined schema; anything else is ReferenceDataError."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    if not isinstance(doc, Mapping) or not _SCHEMA_ID.match(str(doc.get("$id", ""))):
        raise ReferenceDataError("not an EU DCC combined schema ($id https://id.uvci.eu/D?C.combined-schema.json)")
    if len(json.dumps(doc)) > MAX_SCHEMA_CHARS:
        raise ReferenceDataError("schema too large")
    match = _VERSION_COMMENT.match(str(doc.get("$comment", "")))
    if not match:
        raise ReferenceDataError("the schema does not state its version ($comment 'Schema version X.Y.Z')")
    try:
        if meta_check:
            Draft202012Validator.check_schema(doc)
    except SchemaError as exc:
        raise ReferenceDataError(f"schema {match.group(1)} is not a valid JSON Schema: {exc.message}") from None
    return match.group(1), json.loads(json.dumps(doc))


def value_set_document(doc: Any) -> tuple[str, dict[str, str]]:
    """(valueSetId, {code: display}) of an eHN value set file."""
    if not isinstance(doc, Mapping) or not isinstance(doc.get("valueSetId"), str) or \
            not isinstance(doc.get("valueSetValues"), Mapping):
        raise ReferenceDataError("not an EU DCC value set (valueSetId, valueSetValues)")
    codes = {}
    for code, entry in doc["valueSetValues"].items():
        display = entry.get("display") if isinstance(entry, Mapping) else None
        codes[str(code)] = display if isinstance(display, str) else ""
    return doc["valueSetId"], _codes(codes)


def is_schema_document(doc: Any) -> bool:
    return isinstance(doc, Mapping) and "$schema" in doc and "uvci.eu" in str(doc.get("$id", ""))


def is_value_set_document(doc: Any) -> bool:
    return isinstance(doc, Mapping) and "valueSetId" in doc and "valueSetValues" in doc


def _codes(codes: Any) -> dict[str, str]:
    if not isinstance(codes, Mapping) or len(codes) > MAX_CODES:
        raise ReferenceDataError("a value set maps at most 4096 codes to display texts")
    out = {}
    for code, display in codes.items():
        if not isinstance(code, str) or not isinstance(display, str) or len(code) > 128 or len(display) > 512:
            raise ReferenceDataError("value set codes and displays are bounded strings")
        out[code] = display
    return out


def _parse_version(text: str) -> tuple[int, int, int] | None:
    match = _VERSION.match(text) if isinstance(text, str) and len(text) <= 32 else None
    return tuple(int(g) for g in match.groups()) if match else None  # type: ignore[return-value]
