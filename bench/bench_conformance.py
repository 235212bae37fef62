"""Conformance report per rule: each decision the kiosk takes on an international pass, the specification
paragraph or schema behind it, and a probe pass run through `verify_text` that shows the kiosk does it.

`python -m bench conformance` (make bench BENCH_ARGS=conformance). Probes are signed here with the test
factory's keys; the EU DCC schemas and value sets come from ../shared/testdata/dcc-schema (KIOSK_SHARED) as
an administrator imports them; without them the schema rows are reported as skipped, never as passed.
The last lines repeat the differential count (payloads compared with the official schema files).
"""
from __future__ import annotations

import copy
import json
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Rule:
    ident: str
    source: str  # the specification paragraph or schema version behind the decision
    decision: str  # what the kiosk does
    probe: Callable[[], Any]  # returns the VerificationResult of a pass that exercises the rule
    expect: Callable[[Any], bool]
    needs_schemas: bool = False


class _Kit:
    """What the rules share: a DCC signer and trust stores, an SHC key, and builders of altered passes."""

    def __init__(self) -> None:
        from kiosk.core.outcome.verdicts import Verdict
        from kiosk.core.trust import dsc, jwk
        from kiosk.core.trust.store import TrustStore
        from tests.core.passes_factory import T0, make_signer, shc_key, shc_payload
        from tests.dcc_reference_data import official_reference

        self.t0, self.now = T0, T0 + timedelta(days=1)
        self.signer = make_signer()
        self.trust = TrustStore(keys=(dsc.issuer_key(self.signer.certificate),), dcc_reference=official_reference())
        self.bare = TrustStore(keys=(dsc.issuer_key(self.signer.certificate),))
        self.private_key, self.public = shc_key()
        self.shc_trust = TrustStore(keys=tuple(jwk.keys_from_jwks({"keys": [self.public]}, shc_payload()["iss"])))
        self.exp = int((T0 + timedelta(days=90)).timestamp())
        self.valid = self.is_(Verdict.VALID)
        self.two_doses = self.dcc(ver="1.0.0")
        self.two_doses["v"].insert(0, copy.deepcopy(self.two_doses["v"][0]) | {"dn": 1})
        self.positive = self.dcc("t", t__0__tr="260373001")
        self.bad_fhir = shc_payload()
        self.bad_fhir["vc"]["credentialSubject"]["fhirBundle"]["type"] = "document"

    def hc1(self, payload=None, claims=None, store=None):
        from kiosk.core.checks.verify import verify_text
        from tests.core.passes_factory import hc1_text
        return verify_text(hc1_text(self.signer, payload, claims=claims), store or self.trust, self.now)

    def cwt(self, **changes):
        from tests.core.passes_factory import dcc_payload
        base = {1: "AT", 6: int(self.t0.timestamp()), 4: self.exp, -260: {1: dcc_payload()}}
        base.update({int(k[1:]): v for k, v in changes.items()})
        return {k: v for k, v in base.items() if v is not None}

    @staticmethod
    def dcc(kind="v", **changes):
        from tests.core.passes_factory import dcc_payload
        payload = dcc_payload(kind)
        for path, value in changes.items():
            node = payload
            parts = path.split("__")
            for part in parts[:-1]:
                node = node[int(part)] if part.isdigit() else node[part]
            node[parts[-1]] = value
        return payload

    def shc(self, payload=None, header=None):
        from kiosk.core.checks.verify import verify_text
        from tests.core.passes_factory import shc_payload, shc_text
        return verify_text(shc_text(self.private_key, self.public, payload or shc_payload(), header), self.shc_trust,
                           self.now)

    @staticmethod
    def is_(verdict, reason=None, flag=None, status=None):
        return lambda r: r.verdict is verdict and (reason is None or r.reason is reason) and \
            (flag is None or flag in r.flags) and (status is None or r.status is status)


def _rules() -> list[Rule]:
    kit = _Kit()
    return _cwt_rules(kit) + _dcc_rules(kit) + _value_set_and_shc_rules(kit)


def _cwt_rules(k: _Kit) -> list[Rule]:
    import cbor2

    from kiosk.core.outcome.verdicts import Reason, Verdict
    from tests.core.passes_factory import T0

    return [
        Rule("CWT-1", "RFC 8392 §2 NumericDate (integer or floating point)", "float iat/exp accepted",
             lambda: k.hc1(claims=k.cwt(c6=T0.timestamp() + 0.5, c4=k.exp + 0.25)), k.valid),
        Rule("CWT-2", "RFC 8392 §3.1 (every claim optional); eHN: exp <= DSC notAfter",
             "no iat: no future check; no exp: the signer's notAfter ends the pass", lambda: k.hc1(claims=k.cwt(c6=None, c4=None)),
             k.valid),
        Rule("CWT-3", "RFC 8392 §3.1.1 iss is a StringOrURI (I-CO1 is an issuer-quality check, not a verifier's)",
             "any text iss accepted", lambda: k.hc1(claims=k.cwt(c1="Ministry of Health")), k.valid),
        Rule("CWT-4", "RFC 8392 §2 (NumericDate untagged); datetime range", "overflow / tagged / text: CLAIMS_INVALID",
             lambda: k.hc1(claims=k.cwt(c4=cbor2.CBORTag(1, k.exp))), k.is_(Verdict.INVALID, Reason.CLAIMS_INVALID)),
        Rule("CWT-5", "RFC 8392 §2 NumericDate; 1e300 is past year 9999", "typed refusal, never a crash",
             lambda: k.hc1(claims=k.cwt(c4=1e300)), k.is_(Verdict.INVALID, Reason.CLAIMS_INVALID)),
    ]


def _dcc_rules(k: _Kit) -> list[Rule]:
    from kiosk.core.outcome.verdicts import Reason, Verdict
    from tests.core.passes_factory import dcc_payload

    return [
        Rule("DCC-1", "DCC schema of the payload's ver (1.0.0 ... 1.3.3)", "schema-valid payload accepted",
             lambda: k.hc1(k.dcc("t", t__0__tc="", t__0__nm="")), k.valid, True),
        Rule("DCC-2", "DCC schema 1.3.0 dob pattern ^((19|20)\\d\\d(-\\d\\d){0,2}){0,1}$", "DCC_SCHEMA_INVALID",
             lambda: k.hc1(k.dcc(dob="1998-2-26")), k.is_(Verdict.INVALID, Reason.DCC_SCHEMA_INVALID), True),
        Rule("DCC-3", "DCC schema 1.3.3 person_name anyOf(fnt | gnt)", "a name with gnt only is valid",
             lambda: k.hc1(k.dcc(ver="1.3.3", nam={"gnt": "GABRIELE"})), k.valid, True),
        Rule("DCC-4", "DCC schema 1.0.0 v: minItems 1, no maxItems", "several vaccination entries accepted",
             lambda: k.hc1(k.two_doses), k.valid, True),
        Rule("DCC-5", "DCC schema 1.3.0 v: maxItems 1", "two entries refused under 1.3.0",
             lambda: k.hc1(k.two_doses | {"ver": "1.3.0"}), k.is_(Verdict.INVALID, Reason.DCC_SCHEMA_INVALID), True),
        Rule("DCC-6", "eHN spec: one certificate type per DCC (test suite DGC2; schema oneOf only from 1.3.0)",
             "two groups refused under 1.2.1", lambda: k.hc1(k.dcc(ver="1.2.1") | {"t": dcc_payload("t")["t"]}),
             k.is_(Verdict.INVALID, Reason.PAYLOAD_INVALID), True),
        Rule("DCC-7", "JSON Schema 2020-12 type; null is not a string", "null member: DCC_SCHEMA_INVALID",
             lambda: k.hc1(k.dcc(nam__gn=None)), k.is_(Verdict.INVALID, Reason.DCC_SCHEMA_INVALID), True),
        Rule("DCC-8", "semantic versioning of the schemas: same major, newest known minor", "ver 1.4.0 -> schema 1.3.3",
             lambda: k.hc1(k.dcc(ver="1.4.0")), k.valid, True),
        Rule("DCC-9", "no schema of that major", "ver 2.0.0: DCC_SCHEMA_UNKNOWN",
             lambda: k.hc1(k.dcc(ver="2.0.0")), k.is_(Verdict.INVALID, Reason.DCC_SCHEMA_UNKNOWN), True),
        Rule("DCC-10", "JSON Schema 2020-12 Core §6.4: patterns are ECMA-262 (\\d = [0-9])",
             "Arabic-Indic digits in dob refused", lambda: k.hc1(k.dcc(dob="١٩٩٨-٠٢-٢٦")),
             k.is_(Verdict.INVALID, Reason.DCC_SCHEMA_INVALID), True),
        Rule("DCC-11", "fail closed: no schema installed", "VALID with DCC_SCHEMA_UNCHECKED (policy: SEE STAFF)",
             lambda: k.hc1(store=k.bare), k.is_(Verdict.VALID, flag="DCC_SCHEMA_UNCHECKED")),
    ]


def _value_set_and_shc_rules(k: _Kit) -> list[Rule]:
    from kiosk.core.outcome.verdicts import Reason, Status, Verdict
    from tests.core.passes_factory import shc_payload

    return [
        Rule("VS-1", "value set covid-19-lab-result: 260373001 'Detected'",
             "genuine pass, status RED (a refusal by content, policy STOP)", lambda: k.hc1(k.positive),
             k.is_(Verdict.VALID, status=Status.RED), True),
        Rule("VS-2", "value sets as installed trust data", "code outside its value set: flag, staff decide",
             lambda: k.hc1(k.dcc("t", t__0__tr="")), k.is_(Verdict.VALID, flag="DCC_VALUE_NOT_IN_VALUE_SET"), True),
        Rule("SHC-1", "RFC 7515 §4 (duplicate header names: reject or last wins; we reject)",
             "duplicate JSON keys refused", lambda: _duplicate_iss(k.private_key, k.public, k.shc_trust, k.now),
             k.is_(Verdict.INVALID, Reason.PAYLOAD_INVALID)),
        Rule("SHC-2", "Unicode TR #9 / TR #36 (bidi spoofing)", "controls and bidi removed from names",
             lambda: k.shc(shc_payload(family="Any\u202eperson")),
             lambda r: r.verdict is Verdict.VALID and r.holder.name == "John B. Anyperson"),
        Rule("SHC-3", "SMART Health Cards: nbf/exp are NumericDates", "overflow: CLAIMS_INVALID",
             lambda: k.shc(shc_payload() | {"nbf": 1e300}), k.is_(Verdict.INVALID, Reason.CLAIMS_INVALID)),
        Rule("SHC-4", "SMART Health Cards: fhirBundle is a Bundle of type collection", "FHIR_BUNDLE_INVALID",
             lambda: k.shc(k.bad_fhir), k.is_(Verdict.INVALID, Reason.FHIR_BUNDLE_INVALID)),
        Rule("SIG-1", "RFC 7515 / 9052: algorithm allow-list (shared signature step)", "alg none refused",
             lambda: k.shc(header={"zip": "DEF", "alg": "none", "kid": k.public["kid"]}),
             k.is_(Verdict.INVALID, Reason.ALGORITHM_NOT_ALLOWED)),
    ]


def _duplicate_iss(private_key: Any, public: dict, trust: Any, now: Any) -> Any:
    from kiosk.core.checks.verify import verify_text
    from tests.core.test_shc_rules import raw_text
    from tests.core.passes_factory import shc_payload

    body = json.dumps(shc_payload(), separators=(",", ":"))[:-1] + ',"iss":"https://other.example"}'
    return verify_text(raw_text(private_key, public, body), trust, now)


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(REPO))
    from tests.dcc_reference_data import official_reference

    have_schemas = official_reference() is not None
    print(f"{'rule':<7} {'result':<7} {'decision':<58} source")
    failed = 0
    for rule in _rules():
        if rule.needs_schemas and not have_schemas:
            print(f"{rule.ident:<7} {'skip':<7} {rule.decision[:58]:<58} {rule.source} (no schemas)")
            continue
        result = rule.probe()
        ok = rule.expect(result)
        failed += not ok
        print(f"{rule.ident:<7} {'ok' if ok else 'FAIL':<7} {rule.decision[:58]:<58} {rule.source}")
        if not ok:
            print(f"        got {result.verdict} {result.reason} {result.flags} {result.detail[:80]}")
    if have_schemas:
        _differential()
    print(f"{failed} rule(s) not met")
    return 1 if failed else 0


def _differential() -> None:
    from tests.core import test_dcc_schema_differential as diff

    official = diff._official()
    from jsonschema import Draft202012Validator

    reference = diff.official_reference()
    bases = diff._suite_payloads() + [diff.dcc_payload(k) for k in ("v", "t", "r")]
    compared = agree = 0
    for version, schema in official.items():
        oracle = Draft202012Validator(schema)
        for base in bases[-3:]:
            for payload in [base, *diff._mutations(base)]:
                payload = dict(payload, ver=version)
                official_ok = oracle.is_valid(payload)
                decision = diff._kiosk_decision(payload, reference)
                compared += 1
                agree += (decision == "ok") == official_ok or (official_ok and "exactly one" in decision)
    print(f"differential: {compared} payloads judged by the official schema files and the kiosk, {agree} agree")
