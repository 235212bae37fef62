"""The scanner line codec and the GM65 command bytes: terminators, caps, suppression, replies, fuzzing."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.scanner import gm65
from drivers.scanner.codec import Line, LineDecoder, LineFault, Reply


def test_cr_crlf_and_lf_end_a_code_and_blank_lines_are_ignored():
    d = LineDecoder(same_code_delay_s=0)
    assert d.feed(b"KP1:A\rKP1:B\r\nKP1:C\n\r\n\r", 0.0) == [Line("KP1:A"), Line("KP1:B"), Line("KP1:C")]


def test_a_code_split_across_reads():
    d = LineDecoder()
    assert d.feed(b"HC1:6BF", 0.0) == []
    assert d.feed(b"OXN\r", 0.01) == [Line("HC1:6BFOXN")]


def test_the_same_code_is_suppressed_while_it_stays_in_view():
    d = LineDecoder(same_code_delay_s=1.0)
    assert d.feed(b"X\r", 0.0) == [Line("X")]
    assert d.feed(b"X\r", 0.5) == []
    assert d.feed(b"X\r", 1.4) == []  # the window slides while the code is still seen
    assert d.feed(b"Y\r", 1.5) == [Line("Y")]
    assert d.feed(b"X\r", 1.6) == [Line("X")]
    assert d.feed(b"X\r", 3.0) == [Line("X")]


def test_an_over_long_line_is_dropped_with_a_fault_and_the_next_one_read():
    d = LineDecoder(max_line=10)
    assert d.feed(b"A" * 50 + b"\rOK\r", 0.0) == [LineFault("line_too_long", "a line longer than 10 bytes was dropped"),
                                                   Line("OK")]


def test_noise_is_a_typed_fault():
    d = LineDecoder()
    out = d.feed(b"\xff\xfe\x00\r\x01\x02abc\r", 0.0)
    assert [o.reason for o in out] == ["not_text", "garbage"]


def test_idle_flush_for_scanners_without_a_suffix():
    d = LineDecoder(idle_flush_s=0.2)
    assert d.feed(b"NOSUFFIX", 0.0) == []
    assert d.flush_idle(0.1) == []
    assert d.flush_idle(0.25) == [Line("NOSUFFIX")]


def test_gm65_replies_are_taken_out_of_the_stream():
    d = LineDecoder()
    assert d.feed(gm65.WRITE_OK + b"CODE\r", 0.0) == [Reply(gm65.WRITE_OK), Line("CODE")]


def test_gm65_command_bytes():
    assert gm65.trigger() == bytes.fromhex("7E 00 08 01 00 02 01 AB CD")
    assert gm65.baud_divisor(115200) == b"\x1A\x00"
    assert gm65.set_baud(115200) == bytes.fromhex("7E 00 08 02 00 2A 1A 00 AB CD")
    cmd = gm65.parse_command(gm65.set_baud(9600))
    assert cmd == gm65.Gm65Command(gm65.WRITE, 0x2A, (313).to_bytes(2, "little"))
    assert gm65.parse_command(b"\x7E\x00\x08") is None
    assert gm65.newland("SCNTRG1") == b"\x7E\x010000#SCNTRG1;\x03"
    assert gm65.command(gm65.WRITE, 2, b"\x01", crc=True)[-2:] == gm65.crc16_xmodem(b"\x08\x01\x00\x02\x01").to_bytes(2, "big")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=64), max_size=8))
def test_fuzz_any_bytes_give_typed_items(chunks):
    d = LineDecoder(max_line=32)
    for i, chunk in enumerate(chunks):
        for item in d.feed(chunk, float(i)) + d.flush_idle(float(i)):
            assert isinstance(item, (Line, LineFault, Reply))
            if isinstance(item, Line):
                assert "\r" not in item.text and "\n" not in item.text and len(item.text.encode()) <= 32
