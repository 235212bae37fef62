"""The SAM codec against the byte strings of the spec, resynchronisation, and a fuzzing share."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.sam.protocol import (DEFAULT_COMMANDS, FrameError, Request, RequestDecoder, Response, ResponseDecoder,
                                  StxEnvelope, Sw3, encode_request, encode_response, sw3_name)

SPEC_REQUESTS = {
    "reset": "AA AA AA 96 69 00 03 10 FF EC",
    "status": "AA AA AA 96 69 00 03 11 FF ED",
    "sam_id": "AA AA AA 96 69 00 03 12 FF EE",
    "find": "AA AA AA 96 69 00 03 20 01 22",
    "select": "AA AA AA 96 69 00 03 20 02 21",
    "read_text_photo": "AA AA AA 96 69 00 03 30 01 32",
    "read_with_fingerprint": "AA AA AA 96 69 00 03 30 10 23",
    "read_address": "AA AA AA 96 69 00 03 30 03 30",
}
SPEC_RESPONSES = [
    ("AA AA AA 96 69 00 04 00 00 90 94", Sw3.SUCCESS, b""),
    ("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97", Sw3.CARD_FOUND, bytes(4)),
    ("AA AA AA 96 69 00 04 00 00 80 84", Sw3.NO_CARD, b""),
    ("AA AA AA 96 69 00 0C 00 00 90" + " 00" * 8 + " 9C", Sw3.SUCCESS, bytes(8)),
    ("AA AA AA 96 69 00 04 00 00 81 85", Sw3.SELECT_FAILED, b""),
    ("AA AA AA 96 69 00 04 00 00 41 45", Sw3.READ_FAILED, b""),
]


@pytest.mark.parametrize("function,hexes", SPEC_REQUESTS.items())
def test_requests_are_the_spec_bytes(function, hexes):
    assert encode_request(DEFAULT_COMMANDS.request(function)) == bytes.fromhex(hexes)


def test_set_rf_bytes_request():
    assert encode_request(DEFAULT_COMMANDS.request("set_rf_bytes", b"\x50")) == bytes.fromhex(
        "AA AA AA 96 69 00 04 61 FF 50 CA")


@pytest.mark.parametrize("hexes,sw3,data", SPEC_RESPONSES)
def test_known_responses_decode_and_encode(hexes, sw3, data):
    raw = bytes.fromhex(hexes)
    assert ResponseDecoder().feed(raw) == [Response(0, 0, sw3, data)]
    assert encode_response(Response(0, 0, sw3, data)) == raw


def test_every_sw3_of_the_spec_has_a_name():
    for code in (0x90, 0x91, 0x9F, 0x10, 0x11, 0x21, 0x23, 0x24, 0x31, 0x32, 0x33, 0x40, 0x41, 0x47, 0x60, 0x66,
                 0x80, 0x81):
        assert not sw3_name(code).startswith("UNKNOWN_SW3")
    assert sw3_name(0x55) == "UNKNOWN_SW3_55"


def test_byte_at_a_time_with_noise_and_a_bad_frame_resynchronises():
    good = encode_response(Response(0, 0, 0x90))
    bad = good[:-1] + b"\x00"
    stream = b"\x01\xAA\xAA" + bad + b"\xFF" * 7 + good
    decoder = ResponseDecoder()
    out = []
    for byte in stream:
        out += decoder.feed(bytes([byte]))
    assert [o for o in out if isinstance(o, Response)] == [Response(0, 0, 0x90)]
    kinds = {o.kind for o in out if isinstance(o, FrameError)}
    assert "checksum" in kinds and "noise" in kinds


def test_length_limits_reject_without_waiting_forever():
    decoder = ResponseDecoder()
    huge = b"\xAA\xAA\xAA\x96\x69\xFF\xFF"
    out = decoder.feed(huge + encode_response(Response(0, 0, 0x80)))
    assert FrameError("bad_length", "body of 65534 bytes") in out
    assert out[-1] == Response(0, 0, 0x80)


def test_request_decoder_for_the_module_side():
    frames = b"".join(encode_request(DEFAULT_COMMANDS.request(f)) for f in ("find", "select"))
    assert RequestDecoder().feed(frames) == [Request(0x20, 0x01), Request(0x20, 0x02)]


def test_the_envelope_is_replaceable():
    env = StxEnvelope()
    frame = encode_response(Response(0, 0, 0x9F, b"\x01"), env)
    assert frame[0] == 0x02 and frame[-1] == 0x03
    assert ResponseDecoder(env).feed(b"\x55" + frame) == [FrameError("noise", "1 bytes before a preamble"),
                                                           Response(0, 0, 0x9F, b"\x01")]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300), st.lists(st.integers(0, 299), max_size=4))
def test_fuzz_never_raises_and_finds_frames_after_garbage(noise, cuts):
    good = encode_response(Response(0, 0, 0x9F, bytes(4)))
    stream = noise + good
    decoder = ResponseDecoder()
    out = []
    last = 0
    for cut in sorted(c for c in cuts if c < len(stream)) + [len(stream)]:
        out += decoder.feed(stream[last:cut])
        last = cut
    # After a reset-free stream the good frame is found unless the noise ended in a frame header that
    # swallowed it; either way nothing raised and every item is typed.
    assert all(isinstance(o, (Response, FrameError)) for o in out)
    if b"\xAA" not in noise and b"\x02" not in noise:
        assert out[-1] == Response(0, 0, 0x9F, bytes(4))


def test_a_late_answer_to_an_earlier_find_is_not_taken_for_the_status_answer():
    """After a replug, the module may still send the answer to a find it got before the cable was pulled."""
    import os
    import threading

    import serial

    from drivers.sam.session import SamSession, can_answer

    no_card = bytes.fromhex("AAAAAA9669000400008084")
    status_ok = bytes.fromhex("AAAAAA9669000400009094")
    master, slave = os.openpty()
    port = serial.Serial(os.ttyname(slave), 115200, timeout=0.05)

    def module() -> None:
        os.read(master, 64)  # the status request
        os.write(master, no_card + status_ok)

    answering = threading.Thread(target=module)
    answering.start()
    try:
        assert SamSession(port).transact("status", timeout=2.0).sw3 == 0x90
    finally:
        answering.join(2)
        port.close()
        os.close(master)
        os.close(slave)
    assert can_answer("find", 0x80) and can_answer("find", 0x9F) and not can_answer("find", 0x90)
    assert not can_answer("status", 0x80) and can_answer("status", 0x60) and can_answer("read_text_photo", 0x41)
