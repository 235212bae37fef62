"""Base45 (RFC 9285): the RFC's examples, round trips, and typed errors for every malformed input."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.codec.base45 import ALPHABET, Base45Error, b45decode, b45encode


@pytest.mark.parametrize("raw,text", [(b"AB", "BB8"), (b"Hello!!", "%69 VD92EX0"), (b"base-45", "UJCLQE7W581"),
                                      (b"ietf!", "QED8WEX0"), (b"", "")])
def test_rfc_9285_examples(raw, text):
    assert b45encode(raw) == text
    assert b45decode(text) == raw


@settings(max_examples=200)
@given(st.binary(max_size=600))
def test_round_trip(data):
    assert b45decode(b45encode(data)) == data


@pytest.mark.parametrize("text", ["A", "GGW", "::", "abc", "ÄÄÄ", "AB\n", "ZZ"])
def test_malformed_text_raises_base45_error(text):
    with pytest.raises(Base45Error):
        b45decode(text)


@settings(max_examples=300)
@given(st.text(alphabet=ALPHABET + "abc~\u4e2d", max_size=60))
def test_any_text_decodes_or_raises_base45_error(text):
    try:
        b45decode(text)
    except Base45Error:
        pass
