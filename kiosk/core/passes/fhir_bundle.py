"""The SMART Health Card's verifiable credential and FHIR bundle, checked by the specification's rules.

Rules that make a card unusable are refusals (FHIR_BUNDLE_INVALID); the spec's SHOULD rules for minified
bundles (no `Resource.id`, `meta` only with `security`, no `text`, no `CodeableConcept.text` or
`Coding.display`) are not: cards in the wild break them and they change nothing the kiosk reads.
Refused (smarthealth.cards, "Health Cards are encoded as Compact Serialization JSON Web Signatures" and
"FHIR Bundle" sections; FHIR R4 Bundle):
- `vc.type` is a list of text containing `https://smarthealth.cards#health-card`;
- `vc.credentialSubject.fhirVersion` is text and `fhirBundle` a `Bundle` of `type` `collection`;
- `entry` a non-empty list (at most 64) of objects, each with a `resource` naming its `resourceType`;
- every `fullUrl` is unique text (FHIR bdl-7; `resource:N` is the spec's SHOULD); every `reference` of the
  form `resource:N` points at an entry's fullUrl;
- exactly one `Patient`: the card is about one person, whom the operator compares with an ID document.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from kiosk.core.outcome.verdicts import Reason, Verdict, VerificationError

HEALTH_CARD_TYPE = "https://smarthealth.cards#health-card"
MAX_ENTRIES = 64
MAX_NODES = 20000


def _fail(detail: str) -> VerificationError:
    return VerificationError(Verdict.INVALID, Reason.FHIR_BUNDLE_INVALID, detail)


def check_credential(vc: Mapping[str, Any], references: list[str] | None = None) -> Mapping[str, Any]:
    """The Patient resource of a well-formed card; raises FHIR_BUNDLE_INVALID naming the broken rule.
    `references`: every `reference` text of the payload when the JSON reader collected them (else walked)."""
    types = vc.get("type")
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types) or HEALTH_CARD_TYPE not in types:
        raise _fail(f"vc.type must list {HEALTH_CARD_TYPE}")
    subject = vc.get("credentialSubject")
    if not isinstance(subject, Mapping) or not isinstance(subject.get("fhirVersion"), str):
        raise _fail("vc.credentialSubject needs fhirVersion")
    bundle = subject.get("fhirBundle")
    if not isinstance(bundle, Mapping) or bundle.get("resourceType") != "Bundle" or bundle.get("type") != "collection":
        raise _fail("fhirBundle must be a Bundle of type collection")
    entries = bundle.get("entry")
    if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_ENTRIES:
        raise _fail(f"fhirBundle.entry must hold 1 to {MAX_ENTRIES} entries")
    urls: set[str] = set()
    patients = []
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, Mapping) else None
        if not isinstance(resource, Mapping) or not isinstance(resource.get("resourceType"), str):
            raise _fail(f"entry[{index}] has no resource with a resourceType")
        url = entry.get("fullUrl")
        if url is not None and (not isinstance(url, str) or len(url) > 256 or url in urls):
            raise _fail(f"entry[{index}].fullUrl must be unique text (FHIR bdl-7)")
        if url is not None:
            urls.add(url)
        if resource["resourceType"] == "Patient":
            patients.append(resource)
    if len(patients) != 1:
        raise _fail(f"a card names exactly one Patient, found {len(patients)}")
    for reference in references if references is not None else _references(bundle):
        if reference.startswith("resource:") and reference not in urls:
            raise _fail(f"reference {reference[:40]} points at no entry")
    return patients[0]


def _references(node: Any) -> Iterator[str]:
    """Every `reference` text in the bundle (iteratively, bounded: a hostile bundle cannot recurse us dry)."""
    stack, seen = [node], 0
    while stack:
        current = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            raise _fail("the bundle is too large")
        if isinstance(current, Mapping):
            value = current.get("reference")
            if isinstance(value, str):
                yield value
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
