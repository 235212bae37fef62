"""The LCUS frame codec and the USB HID relay reports: the documented bytes, resynchronisation, and fuzzing."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from drivers.gate import hid_protocol as hp
from drivers.gate.lcus import LcusDecoder, LcusError, LcusFault, RelayCommand, encode


def test_the_documented_frames():
    assert encode(1, True) == bytes.fromhex("A0 01 01 A2")
    assert encode(1, False) == bytes.fromhex("A0 01 00 A1")
    assert encode(8, True) == bytes.fromhex("A0 08 01 A9")


@pytest.mark.parametrize("channel", [0, 9, -1, "1", None])
def test_channels_the_boards_do_not_have_are_refused(channel):
    with pytest.raises(LcusError):
        encode(channel, True)


def test_the_decoder_skips_noise_and_reports_bad_frames():
    decoder = LcusDecoder()
    items = decoder.feed(b"\x00\xff" + encode(2, True) + b"\xa0\x01\x01\x00" + bytes.fromhex("A0 01 05 A6"))
    assert items[0] == RelayCommand(2, True)
    assert LcusFault("bad_checksum", bytes.fromhex("A0 01 01 00")) in items
    assert items[-1] == LcusFault("bad_state", bytes.fromhex("A0 01 05 A6"))


def test_a_frame_split_across_reads_is_decoded_once():
    decoder = LcusDecoder()
    frame = encode(3, False)
    assert decoder.feed(frame[:1]) == [] and decoder.feed(frame[1:3]) == []
    assert decoder.feed(frame[3:]) == [RelayCommand(3, False)]


@given(st.lists(st.tuples(st.integers(1, 8), st.booleans()), max_size=20), st.binary(max_size=8))
def test_every_encoded_command_comes_back_in_order(commands, noise):
    decoder = LcusDecoder()
    wire = noise.replace(b"\xa0", b"") + b"".join(encode(ch, on) for ch, on in commands)
    decoded = [item for item in decoder.feed(wire) if isinstance(item, RelayCommand)]
    assert decoded == [RelayCommand(ch, on) for ch, on in commands]


@given(st.binary(max_size=200))
def test_any_bytes_decode_without_crashing(data):
    for item in LcusDecoder().feed(data):
        assert isinstance(item, (RelayCommand, LcusFault))


def test_hid_switch_reports_and_state_parsing():
    assert hp.switch_report(1, True) == [0, 0xFF, 1, 0, 0, 0, 0, 0, 0]
    assert hp.switch_report(2, False) == [0, 0xFD, 2, 0, 0, 0, 0, 0, 0]
    with_id = [0, *b"QAAMZ", 0, 0, 0b10]
    assert hp.parse_state(with_id) == hp.BoardState("QAAMZ", frozenset({2}))
    assert hp.parse_state(with_id[1:]).is_on(2) and not hp.parse_state(with_id[1:]).is_on(1)
    assert hp.channel_count("USBRelay4") == 4 and hp.channel_count("Keyboard") == 0
    with pytest.raises(hp.HidRelayProtocolError):
        hp.parse_state([0, 1, 2])
    with pytest.raises(hp.HidRelayProtocolError):
        hp.switch_report(9, True)
