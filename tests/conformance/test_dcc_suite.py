"""Conformance: every EXPECTED* flag of every EU DCC test case (shared/testdata/dcc), at the case's own clock.

Absent flags are not part of a case and are not checked. Besides the flags, the kiosk's whole pipeline
(verify_text on PREFIX) must refuse every case with a failing decoding/verification flag, and must accept
every case whose present flags are all true and include both VERIFY and EXPIRATIONCHECK. The QR pictures
of each country's png/ folder go through the decoder too and must give that case's PREFIX.
Run with -s or look at the terminal summary for the per-flag tally.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.core.outcome.verdicts import Verdict
from kiosk.core.checks.verify import verify_text
from tests.conformance import dcc_cases
from tests.conformance.qr_images import DECODER_NAME, decode_png_file
from tests.conformance.tally import record
from tests.conftest import shared_dir

DCC_ROOT = shared_dir() / "testdata" / "dcc"
CASES = dcc_cases.find_cases(DCC_ROOT)
PNGS = sorted(p for p in DCC_ROOT.glob("*/**/png/*.png"))


@pytest.fixture
def dcc_root(shared: Path) -> Path:
    root = shared / "testdata" / "dcc"
    if not root.is_dir():
        pytest.skip(f"EU DCC test data not found at {root}")
    return root


@pytest.mark.parametrize("path", CASES or [None], ids=lambda p: p and str(p.relative_to(DCC_ROOT)) or "no-data")
def test_dcc_case_flags(dcc_root: Path, path: Path | None) -> None:
    if path is None:
        pytest.skip("no DCC cases found")
    case = dcc_cases.load_case(path, dcc_root)
    assert case.expected, f"{case.name} has no EXPECTED* flag"
    wrong = []
    for flag, expected in case.expected.items():
        if flag not in dcc_cases.CHECKS:
            wrong.append(f"{flag}: flag unknown to the runner")
            continue
        outcome, why = dcc_cases.run_check(flag, case)
        record("DCC", flag, expected, outcome == expected, case.name, why)
        if outcome != expected:
            wrong.append(f"{flag}: expected {expected}, got {outcome} {why}")
    _check_pipeline(case, wrong)
    assert not wrong, f"{case.name}: " + "; ".join(wrong)


def _check_pipeline(case: dcc_cases.DccCase, wrong: list[str]) -> None:
    flags = case.expected
    failing = [f for f in dcc_cases.PIPELINE_FLAGS if flags.get(f) is False]
    must_pass = all(flags.values()) and flags.get("EXPECTEDVERIFY") and flags.get("EXPECTEDEXPIRATIONCHECK")
    if not (failing or must_pass) or case.field("PREFIX") is None:
        return
    result = verify_text(case.field("PREFIX"), case.trust, case.clock)
    ok = (result.verdict is not Verdict.VALID) if failing else (result.verdict is Verdict.VALID)
    record("DCC", "PIPELINE verify_text", not failing, ok, case.name, f"{result.verdict} {result.reason}")
    if not ok:
        wrong.append(f"pipeline said {result.verdict} ({result.reason} {result.detail})")


@pytest.mark.parametrize("png", PNGS or [None], ids=lambda p: p and str(p.relative_to(DCC_ROOT)) or "no-data")
def test_dcc_png_folder_decodes_to_the_case_prefix(dcc_root: Path, png: Path | None) -> None:
    if png is None:
        pytest.skip("no DCC png images found")
    text = decode_png_file(png)
    country = png.relative_to(dcc_root).parts[0]
    raw = dcc_root / country / "2DCode" / "raw" / f"{re.sub(r'[^0-9]', '', png.stem)}.json"
    expected = dcc_cases.load_case(raw, dcc_root).field("PREFIX") if raw.exists() else None
    matched = text is not None and text.startswith("HC1:") and (expected is None or text == expected)
    record("DCC", f"png/ folder ({DECODER_NAME})", True, matched, str(png.relative_to(dcc_root)),
           "no case file; decoded to HC1" if expected is None else "")
    assert matched, f"{png} decoded to {text and text[:40]!r}"
