"""Conformance: the SMART Health Cards specification's example cards (shared/testdata/shc).

The issuer's JWKS (published at EXAMPLE_ISSUER/.well-known/jwks.json) and its CRL are imported the way
`kiosk trust import` does. Every example is verified from its numeric QR text, from its SVG QR picture
through the decoder, from its JWS and from its .smart-health-card file; the decoded payload must equal the
spec's minified payload. Examples 00 and 01 verify; example 03 is revoked, and once past its exp (2024-06-21)
also reported expired.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from kiosk.core.codec import jws
from kiosk.core.passes import shc, shc_chunks
from kiosk.core.trust.store import TrustStore
from kiosk.core.trust.trust_import import merge, parse_material
from kiosk.core.outcome.verdicts import Reason, Verdict
from kiosk.core.checks.verify import verify_text
from tests.conformance.qr_images import DECODER_NAME, decode_image, rasterise_qr_svg
from tests.conformance.tally import record

EXAMPLE_ISSUER = "https://spec.smarthealth.cards/examples/issuer"
EXAMPLES = ("00", "01", "03")
AFTER_ISSUE = datetime(2023, 7, 1, tzinfo=timezone.utc)  # examples are issued 2023-06-22
LATER = datetime(2026, 11, 23, tzinfo=timezone.utc)  # past example 03's exp
EXPECTED = {  # (example, clock) -> (verdict, flags)
    ("00", AFTER_ISSUE): (Verdict.VALID, ()), ("00", LATER): (Verdict.VALID, ()),
    ("01", AFTER_ISSUE): (Verdict.VALID, ()), ("01", LATER): (Verdict.VALID, ()),
    ("03", AFTER_ISSUE): (Verdict.REVOKED, ()), ("03", LATER): (Verdict.REVOKED, ("PASS_EXPIRED",)),
}


@pytest.fixture
def shc_dir(shared: Path) -> Path:
    root = shared / "testdata" / "shc"
    if not root.is_dir():
        pytest.skip(f"SMART Health Card examples not found at {root}")
    return root


@pytest.fixture
def trust(shc_dir: Path) -> TrustStore:
    store = TrustStore()
    well_known = shc_dir / "issuer" / ".well-known"
    for path in [well_known / "jwks.json", *sorted((well_known / "crl").glob("*.json"))]:
        store, _ = merge(store, parse_material(path.read_bytes(), store, AFTER_ISSUE, issuer=EXAMPLE_ISSUER))
    return store


def _texts(shc_dir: Path, example: str) -> dict[str, str]:
    """The same card from every artefact the spec publishes, as QR text."""
    qr = (shc_dir / f"example-{example}-f-qr-code-numeric-value-0.txt").read_text().strip()
    svg = decode_image(rasterise_qr_svg((shc_dir / f"example-{example}-g-qr-code-0.svg").read_text()))
    token = (shc_dir / f"example-{example}-d-jws.txt").read_text().strip()
    card_file = json.loads((shc_dir / f"example-{example}-e-file.smart-health-card").read_text())
    [from_file] = card_file["verifiableCredential"]
    return {"qr numeric text": qr, f"svg picture ({DECODER_NAME})": svg or "",
            "jws": shc_chunks.jws_to_qr_text(token), ".smart-health-card file": shc_chunks.jws_to_qr_text(from_file)}


@pytest.mark.parametrize("clock", [AFTER_ISSUE, LATER], ids=["2023-07-01", "2026-11-23"])
@pytest.mark.parametrize("example", EXAMPLES)
def test_shc_example_verdicts(shc_dir: Path, trust: TrustStore, example: str, clock: datetime) -> None:
    verdict, flags = EXPECTED[(example, clock)]
    for source, text in _texts(shc_dir, example).items():
        result = verify_text(text, trust, clock)
        matched = result.verdict is verdict and result.flags == flags and result.format == "SHC"
        record("SHC", f"verdict from {source}", verdict is Verdict.VALID, matched, f"example-{example}@{clock:%Y}",
               f"{result.verdict} {result.reason} {result.flags}")
        assert matched, f"example {example} from {source}: {result.verdict} {result.reason} {result.detail}"
        assert result.holder and result.holder.name and result.holder.birth_date
    if verdict is Verdict.REVOKED:
        assert result.reason is Reason.PASS_REVOKED


@pytest.mark.parametrize("example", EXAMPLES)
def test_shc_decoded_payload_is_the_spec_payload(shc_dir: Path, trust: TrustStore, example: str) -> None:
    token = jws.parse_compact((shc_dir / f"example-{example}-d-jws.txt").read_text().strip())
    shc.check_signature(token, trust)
    expected = json.loads((shc_dir / f"example-{example}-c-jws-payload-minified.json").read_text())
    matched = dict(shc.decode_payload(token)) == expected
    record("SHC", "payload equals minified example", True, matched, f"example-{example}")
    assert matched


def test_shc_example_03_needs_the_crl_to_be_revoked(shc_dir: Path, trust: TrustStore) -> None:
    """Without the CRL the card is merely expired: the revocation verdict comes from the imported CRL."""
    text = (shc_dir / "example-03-f-qr-code-numeric-value-0.txt").read_text().strip()
    without_crl = TrustStore(keys=trust.keys)
    assert verify_text(text, without_crl, LATER).reason is Reason.PASS_EXPIRED
    assert verify_text(text, without_crl, AFTER_ISSUE).verdict is Verdict.VALID
