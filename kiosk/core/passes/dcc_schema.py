"""The DCC payload against the official JSON schema of its `ver`: compiled once per schema, checked per pass.

Two validators, one rule set. `jsonschema` (Draft 2020-12, the schemas' own `$schema`) is the authority: it
checks each schema when it is imported (kiosk.core.trust.dcc_reference) and words every refusal. Its
validation costs about 1 ms per payload, four times a whole HC1 verification, so the hot path is the same
schema compiled to Python by `fastjsonschema` (about 50 us) and cached by the schema's digest; a payload the
fast validator refuses is re-checked by `jsonschema`, whose answer decides and names the failing rule. Both
validators agree payload by payload (tests/core/test_dcc_schema.py checks them against each other).

Schema semantics used (JSON Schema 2020-12): `format` is an annotation, not an assertion (§7.2 of the
validation vocabulary; the DCC schemas do not enable format assertion); `pattern` is an ECMA-262 regular
expression, so `\\d` means ASCII digits only (a payload with Arabic-Indic digits in `dob` is refused).
"""
from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable

import cbor2
import fastjsonschema

MAX_DEPTH = 16
MAX_NODES = 4096
_TEXT_TAGS = frozenset({0, 1004, 100})  # RFC 8949 date-time text, RFC 8943 full-date (text and days)
_cache: dict[str, Validator] = {}
_by_object: dict[int, tuple[Mapping[str, Any], Validator]] = {}


class SchemaViolation(ValueError):
    """The payload breaks a rule of its schema; the message names the rule (from `jsonschema`)."""


class NotJson(ValueError):
    """The CBOR payload holds values JSON cannot (byte strings, undefined, NaN, non-text keys, deep nesting)."""


@dataclass(frozen=True)
class Validator:
    version: str
    fast: Callable[[Any], Any]
    precise: Any  # jsonschema.Draft202012Validator

    def check(self, payload: Any) -> None:
        try:
            self.fast(payload)
            return
        except fastjsonschema.JsonSchemaException:
            pass
        from jsonschema.exceptions import best_match

        error = best_match(self.precise.iter_errors(payload))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "payload"
            raise SchemaViolation(f"schema {self.version}: {where}: {error.message[:160]}")


def validator_for(version: str, schema: Mapping[str, Any]) -> Validator:
    """The compiled validators of one schema document: cached by the document object (a dictionary lookup
    per pass), and behind that by its content digest (a reloaded trust store compiles nothing again)."""
    by_object = _by_object.get(id(schema))
    if by_object is not None and by_object[0] is schema and by_object[1].version == version:
        return by_object[1]
    key = version + ":" + hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()
    cached = _cache.get(key)
    if cached is None:
        cached = _compile(version, schema)
        if len(_cache) > 64:
            _cache.clear()
            _by_object.clear()
        _cache[key] = cached
    _by_object[id(schema)] = (schema, cached)  # holding the document keeps its id from being reused
    return cached


def _compile(version: str, schema: Mapping[str, Any]) -> Validator:
    from jsonschema import Draft202012Validator

    ecma = _ecma_patterns(schema)
    draft7 = {k: v for k, v in ecma.items() if k != "$schema"}  # same keywords; fastjsonschema knows draft 7
    groups = _required_alternatives(draft7.get("oneOf"))
    if groups is not None:  # the 1.3.x root `oneOf` of `required` sets, checked as sets (half the cost)
        draft7.pop("oneOf")
    compiled = fastjsonschema.compile(draft7, use_default=False, use_formats=False, detailed_exceptions=False)
    return Validator(version, _with_alternatives(compiled, groups), Draft202012Validator(ecma))


def _required_alternatives(one_of: Any) -> tuple[frozenset[str], ...] | None:
    """The member sets of a `oneOf` whose every branch is only `{"required": [...]}`; else None."""
    if not isinstance(one_of, list) or not one_of:
        return None
    groups = []
    for branch in one_of:
        if not isinstance(branch, dict) or set(branch) != {"required"} or \
                not all(isinstance(n, str) for n in branch["required"]):
            return None
        groups.append(frozenset(branch["required"]))
    return tuple(groups)


def _with_alternatives(compiled: Callable[[Any], Any], groups: tuple[frozenset[str], ...] | None) -> Callable:
    """The compiled validator, preceded by the exact `oneOf` rule it was compiled without: an object must
    satisfy exactly one branch (a non-object satisfies every `required` branch, so only one branch may exist)."""
    if groups is None:
        return compiled

    def validate(instance: Any) -> Any:
        if isinstance(instance, dict):
            keys = instance.keys()
            matched = sum(1 for group in groups if group <= keys)
        else:
            matched = len(groups)
        if matched != 1:
            raise fastjsonschema.JsonSchemaValueException("data must be valid exactly by one definition")
        return compiled(instance)

    return validate


def _ecma_patterns(node: Any) -> Any:
    r"""The schema with every `pattern` in ECMA-262 meaning for Python's `re`: `\d` is [0-9], not any digit."""
    if isinstance(node, Mapping):
        out = {}
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                out[key] = value.replace("\\d", "[0-9]")
            else:
                out[key] = _ecma_patterns(value)
        return out
    if isinstance(node, list):
        return [_ecma_patterns(v) for v in node]
    return node


def json_value(value: Any) -> Any:
    """The JSON value a CBOR-decoded DCC payload stands for (the payload is JSON encoded as CBOR).

    Date tags (0, 100, 1004) give their content (a text date stays a text date; a numeric one then fails the
    schema's `type: string`); other tags give their content too. Byte strings, undefined, NaN/infinity,
    non-text map keys and nesting beyond 16 levels or 4096 values have no JSON form and raise NotJson.
    A payload that is JSON already (the usual case) is returned as it is, without copying.
    """
    budget = [MAX_NODES]
    converted = _convert(value, 0, budget)
    return value if converted is _SAME else converted


_SAME = object()
_PLAIN = frozenset({str, int, bool, type(None)})


def _convert(value: Any, depth: int, budget: list[int]) -> Any:
    """_SAME when `value` is JSON as it is; else its JSON form. Exact type checks: this runs per pass."""
    kind = type(value)
    if kind in _PLAIN:
        return _SAME
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        raise NotJson("the payload is nested too deep or holds too many values")
    if kind is dict or isinstance(value, Mapping):
        changed = {}
        for key, item in value.items():
            if type(key) is not str:
                raise NotJson("a map key that is not text")
            if type(item) in _PLAIN:  # most members are text or numbers: no call for them
                continue
            new = _convert(item, depth + 1, budget)
            if new is not _SAME:
                changed[key] = new
        if not changed and kind is dict:
            return _SAME
        return {k: changed.get(k, v) if k in changed else v for k, v in value.items()}
    if kind is list or kind is tuple:
        items = [_convert(item, depth + 1, budget) for item in value]
        if kind is list and all(i is _SAME for i in items):
            return _SAME
        return [v if i is _SAME else i for v, i in zip(value, items)]
    if kind is float:
        if not math.isfinite(value):
            raise NotJson("NaN or infinity")
        return _SAME
    if kind is cbor2.CBORTag:
        inner = _convert(value.value, depth + 1, budget)
        return value.value if inner is _SAME else inner
    if isinstance(value, (datetime, date)):  # a decoder that resolved a date tag: its RFC 3339 text
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, (str, int)) and not isinstance(value, bool):  # str/int subclasses: plain JSON values
        return str(value) if isinstance(value, str) else int(value)
    raise NotJson(f"a CBOR {kind.__name__} has no JSON form")


def keep_tag(tag: int) -> Callable[..., cbor2.CBORTag]:
    """A cbor2 semantic decoder that keeps the tag (cbor2 would turn tag 0/1 into a datetime)."""
    return lambda value, *_: cbor2.CBORTag(tag, value)


SEMANTIC_DECODERS = {tag: keep_tag(tag) for tag in (0, 1, 100, 1004)}
