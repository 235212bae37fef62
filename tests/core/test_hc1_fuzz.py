"""No HC1 input crashes the verifier or is accepted when altered (modest Hypothesis runs; big ones in the bench)."""
from __future__ import annotations

import zlib
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.trust import dsc
from kiosk.core.passes import hc1
from kiosk.core.codec.base45 import ALPHABET, b45encode
from kiosk.core.trust.store import TrustStore
from kiosk.core.outcome.verdicts import Verdict
from kiosk.core.checks.verify import verify_text
from tests.core.passes_factory import T0, hc1_text, make_signer

NOW = T0 + timedelta(days=1)
SIGNER = make_signer()
TRUST = TrustStore(keys=(dsc.issuer_key(SIGNER.certificate),))
GOOD = hc1_text(SIGNER)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=ALPHABET + "=abc", max_size=400))
def test_random_base45_never_crashes(body):
    result = verify_text("HC1:" + body, TRUST, NOW)
    assert result.verdict is not Verdict.TECHNICAL_ERROR and not result.is_valid


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_random_compressed_cbor_never_crashes(blob):
    result = verify_text("HC1:" + b45encode(zlib.compress(blob)), TRUST, NOW)
    assert result.verdict is not Verdict.TECHNICAL_ERROR and not result.is_valid


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=4, max_value=10_000), st.sampled_from(ALPHABET))
def test_an_altered_pass_is_never_valid(position, char):
    index = 4 + position % (len(GOOD) - 4)
    mutated = GOOD[:index] + char + GOOD[index + 1:]
    result = verify_text(mutated, TRUST, NOW)
    assert result.verdict is not Verdict.TECHNICAL_ERROR
    if result.is_valid:  # only an alteration that leaves the signed COSE bytes untouched (zlib padding bits)
        assert _cose(mutated) == _cose(GOOD)


def _cose(text: str) -> bytes:
    return hc1.cose_bytes(hc1.compressed_bytes(hc1.unprefix(text)))
