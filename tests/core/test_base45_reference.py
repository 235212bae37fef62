"""Base45 (RFC 9285): the fast (big-integer lane) decoder agrees with the per-character definition."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.codec.base45 import ALPHABET, Base45Error, b45decode, b45encode


def reference_decode(text: str) -> bytes:
    """RFC 9285 section 4.2, character by character."""
    values = [ALPHABET.index(c) for c in text]
    if len(values) % 3 == 1:
        raise Base45Error("dangling")
    out = bytearray()
    for i in range(0, len(values), 3):
        chunk = values[i:i + 3]
        n = sum(v * 45 ** j for j, v in enumerate(chunk))
        if n > (0xFFFF if len(chunk) == 3 else 0xFF):
            raise Base45Error("range")
        out += n.to_bytes(len(chunk) - 1, "big")
    return bytes(out)


def test_rfc_examples():
    assert b45decode("QED8WEX0") == b"ietf!"
    assert b45decode("BB8") == b"AB"
    assert b45encode(b"Hello!!") == "%69 VD92EX0"
    assert b45decode("FGW") == b"\xff\xff"  # the largest triplet
    for bad in ("GGW", ":::", "a", "AB C", "A", "ÿÿÿ"):
        with pytest.raises(Base45Error):
            b45decode(bad)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_round_trip(data):
    assert b45decode(b45encode(data)) == data


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET + "ab~é", max_size=40))
def test_agrees_with_the_definition(text):
    try:
        expected = reference_decode(text)
    except (Base45Error, ValueError):
        with pytest.raises(Base45Error):
            b45decode(text)
        return
    assert b45decode(text) == expected
