"""The conformance report's rules (bench/bench_conformance.py) hold: each probe gets the decision its row states."""
from __future__ import annotations

import pytest

from bench.bench_conformance import _rules
from tests.dcc_reference_data import official_reference

RULES = _rules()


@pytest.mark.parametrize("rule", RULES, ids=[r.ident for r in RULES])
def test_rule_holds(rule):
    if rule.needs_schemas and official_reference() is None:
        pytest.skip("EU DCC schemas not found at ../shared/testdata/dcc-schema (set KIOSK_SHARED)")
    result = rule.probe()
    assert rule.expect(result), f"{rule.ident} ({rule.source}): got {result.verdict} {result.reason} {result.flags}"
