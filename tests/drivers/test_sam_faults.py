"""Every fault of the issue, injected into the emulator on a real pty (or socket): a typed event, then recovery."""
from __future__ import annotations

import time

import pytest

from drivers.sam.events import CardPresented, CardRemoved, ReaderAvailable, ReaderFault, ReaderUnavailable
from drivers.sam.presets import PRESETS
from drivers.sam.protocol import Sw3, sw3_name
from drivers.sam.reader import CardReader, read_one_card

FAST = {"timeouts": {"find": 0.15, "select": 0.15, "read_text_photo": 0.3}, "handshake_timeout": 0.1}
READ_ERRORS = [Sw3.NO_CONTENT, Sw3.HOST_CHECKSUM_ERROR, Sw3.HOST_LENGTH_ERROR, Sw3.BAD_COMMAND, Sw3.NOT_PERMITTED,
               Sw3.UNKNOWN_ERROR, Sw3.CARD_AUTH_SAM_FAILED, Sw3.SAM_AUTH_CARD_FAILED, Sw3.INFO_CHECK_FAILED,
               Sw3.UNKNOWN_CARD_TYPE, Sw3.READ_FAILED, Sw3.NO_RANDOM, Sw3.SELF_TEST_FAILED, Sw3.SAM_NOT_AUTHORISED,
               0x55]


@pytest.fixture
def reader_on(events):
    readers = []

    def start(bench, **options):
        reader = CardReader(bench.url, events, poll_interval=0.03, **{**FAST, **options})
        reader.start()
        readers.append(reader)
        events.wait_for(ReaderAvailable, ignore=(ReaderFault,))
        return reader

    yield start
    for reader in readers:
        reader.stop()
        assert not reader.running


@pytest.mark.parametrize("sw3", READ_ERRORS, ids=[sw3_name(s) for s in READ_ERRORS])
def test_each_sam_error_on_read_is_a_typed_fault_then_the_card_is_read(emulated, events, reader_on, sw3):
    bench = emulated()
    reader_on(bench)
    bench.emulator.fail_next("read_text_photo", sw3)
    bench.place("resident")
    fault = events.wait_for(ReaderFault)
    assert fault.reason == "sam_" + sw3_name(sw3).lower()
    assert events.wait_for(CardPresented).card == PRESETS["resident"]


def test_select_failure(emulated, events, reader_on):
    bench = emulated()
    reader_on(bench)
    bench.emulator.fail_next("select", Sw3.SELECT_FAILED)
    bench.place("hmt")
    assert events.wait_for(ReaderFault).reason == "sam_select_failed"
    assert events.wait_for(CardPresented).card == PRESETS["hmt"]


def test_an_unexpected_find_status_is_a_fault(emulated, events, reader_on):
    bench = emulated()
    reader_on(bench)
    bench.emulator.fail_next("find", Sw3.SAM_NOT_AUTHORISED)
    assert events.wait_for(ReaderFault).reason == "sam_sam_not_authorised"
    bench.place("resident")
    events.wait_for(CardPresented)


def test_a_card_that_always_fails_is_tried_three_times_per_placement(emulated, events, reader_on):
    bench = emulated()
    reader_on(bench)
    bench.emulator.fail_next("read_text_photo", Sw3.INFO_CHECK_FAILED, times=10)
    bench.place("resident")
    faults = [events.wait_for(ReaderFault) for _ in range(3)]
    assert {f.reason for f in faults} == {"sam_info_check_failed"}
    assert not events.quiet(0.3), "no fourth attempt while the same card lies"
    assert bench.emulator.requests["read_text_photo"] == 3
    bench.lift()
    bench.emulator.clear_faults()
    assert bench.emulator.wait_answered("find", bench.emulator.requests["find"] + 2)  # the reader saw no card
    bench.place("resident")
    events.wait_for(CardPresented)


def test_a_bad_checksum_is_a_fault_and_the_next_read_succeeds(emulated, events, reader_on):
    bench = emulated()
    reader_on(bench)
    bench.emulator.corrupt_next_checksums(function="read_text_photo")
    bench.place("foreign2017")
    assert events.wait_for(ReaderFault).reason == "checksum"
    assert events.wait_for(CardPresented).card == PRESETS["foreign2017"]


def test_a_half_frame_times_out_then_the_card_is_read(emulated, events, reader_on):
    bench = emulated()
    reader_on(bench)
    bench.emulator.truncate_next_responses(function="read_text_photo")
    bench.place("foreign2023")
    assert events.wait_for(ReaderFault).reason == "timeout"
    assert events.wait_for(CardPresented).card == PRESETS["foreign2023"]


def test_noise_before_answers_and_between_polls_is_dropped(emulated, events, reader_on):
    bench = emulated()
    reader_on(bench)
    for _ in range(4):
        bench.emulator.inject_noise(b"\xAA\xAA\x00\x96\x69\x13\x37" * 9)
    bench.emulator.send_noise_now(n=200)
    bench.place("resident")
    assert events.wait_for(CardPresented, ignore=(ReaderFault,)).card == PRESETS["resident"]


def test_fragmented_answers_are_reassembled(emulated, events, reader_on):
    bench = emulated()
    bench.emulator.set_fragmentation(chunk=5, gap_s=0.0005)
    reader_on(bench)
    bench.place("hmt")
    assert events.wait_for(CardPresented).card == PRESETS["hmt"]


def test_a_stuck_sam_makes_the_reader_unavailable_until_it_answers_again(emulated, events, reader_on):
    bench = emulated()
    reader_on(bench)  # with autobaud: a silent SAM is also looked for at the other speeds, now and then
    bench.emulator.set_stuck(True)
    assert events.wait_for(ReaderFault).reason == "timeout"
    assert events.wait_for(ReaderUnavailable, ignore=(ReaderFault,)).reason == "sam_not_responding"
    bench.emulator.set_stuck(False)
    events.wait_for(ReaderAvailable, ignore=(ReaderFault,))
    bench.place("resident")
    events.wait_for(CardPresented)


def test_the_self_test_failing_at_connect_is_reported_and_retried(emulated, events):
    bench = emulated()
    bench.emulator.fail_next("status", Sw3.SELF_TEST_FAILED)
    reader = CardReader(bench.url, events, poll_interval=0.03, **FAST)
    reader.start()
    try:
        assert events.wait_for(ReaderFault).reason == "sam_self_test_failed"
        assert events.wait_for(ReaderUnavailable).reason == "sam_self_test_failed"
        events.wait_for(ReaderAvailable)
    finally:
        reader.stop()


def test_the_wrong_baud_rate_is_found_and_reported(emulated, events):
    bench = emulated(baudrate=57600)
    reader = CardReader(bench.url, events, poll_interval=0.03, **FAST)
    reader.start()
    try:
        fault = events.wait_for(ReaderFault)
        assert fault.reason == "wrong_baud" and "57600" in fault.detail
        events.wait_for(ReaderAvailable)
        bench.place("resident")
        assert events.wait_for(CardPresented).card == PRESETS["resident"]
    finally:
        reader.stop()


def test_the_wrong_baud_rate_without_autobaud_is_unavailable(emulated, events):
    bench = emulated(baudrate=9600)
    reader = CardReader(bench.url, events, poll_interval=0.03, autobaud=False, **FAST)
    reader.start()
    try:
        assert events.wait_for(ReaderUnavailable).reason == "timeout"
    finally:
        reader.stop()


def test_a_9600_baud_module_reads_with_its_wire_time(emulated):
    bench = emulated(baudrate=9600)
    bench.place("resident")
    t0 = time.monotonic()
    assert read_one_card(bench.url, baudrate=9600, timeout_s=30) == PRESETS["resident"]
    assert time.monotonic() - t0 >= 1.35  # 1295 bytes at 9600 baud cannot arrive sooner


def test_socket_link_unplug_and_replug(events):
    from drivers.sam.emulator import ReaderEmulator

    emulator = ReaderEmulator()
    url = emulator.serve_socket()
    reader = CardReader(url, events, poll_interval=0.03, **FAST)
    reader.start()
    try:
        events.wait_for(ReaderAvailable)
        emulator.place(PRESETS["resident"])
        events.wait_for(CardPresented)
        emulator.unplug()
        events.wait_for(CardRemoved)
        assert events.wait_for(ReaderUnavailable).reason == "disconnected"
        emulator.set_wrong_baud(True)  # a socket has no speed: the emulator garbles instead
        emulator.replug()
        emulator.set_wrong_baud(False)
        events.wait_for(ReaderAvailable, ignore=(ReaderFault,))
        events.wait_for(CardPresented, ignore=(ReaderFault,))
    finally:
        reader.stop()
        emulator.close()


def test_a_card_with_a_corrupt_id_number_is_a_card_data_fault(emulated, events, reader_on):
    import dataclasses

    bench = emulated()
    reader_on(bench, max_read_attempts=1)
    bench.emulator.place(dataclasses.replace(PRESETS["resident"], id_number="110101199003071234"))
    assert events.wait_for(ReaderFault).reason == "card_data_id_number_invalid"
    assert not events.quiet(0.2)


@pytest.mark.parametrize("with_fp", [True, False])
def test_the_fingerprint_read_skips_photo_and_fingerprint(emulated, events, reader_on, with_fp):
    bench = emulated(fingerprint=with_fp)
    reader_on(bench, fingerprint=True)
    bench.place("foreign2023")
    assert events.wait_for(CardPresented).card == PRESETS["foreign2023"]
    assert bench.emulator.requests["read_with_fingerprint"] == 1


def test_an_oem_module_with_another_envelope_and_command_table(emulated, events, reader_on):
    from drivers.sam.protocol import CommandSet, StxEnvelope

    oem = CommandSet(find=(0x21, 0x01), select=(0x21, 0x02), read_text_photo=(0x31, 0x01))
    bench = emulated(commands=oem, envelope=StxEnvelope())
    reader_on(bench, commands=oem, envelope=StxEnvelope())
    bench.place("hmt")
    assert events.wait_for(CardPresented).card == PRESETS["hmt"]
    assert bench.emulator.requests["unknown"] == 0


@pytest.mark.parametrize("function", ["status", "find", "read_text_photo"])
def test_read_one_card_drops_a_frame_with_a_bad_checksum_and_asks_again(emulated, function):
    """`kiosk read-card`: the protocol says a frame failing its XOR check is dropped and the request repeated."""
    bench = emulated()
    bench.place("resident")
    bench.emulator.corrupt_next_checksums(times=2, function=function)
    assert read_one_card(bench.url, timeout_s=30) == PRESETS["resident"]


def test_read_one_card_gives_up_when_every_answer_is_spoilt(emulated):
    from drivers.sam.errors import ChecksumError
    bench = emulated()
    bench.place("resident")
    bench.emulator.corrupt_next_checksums(times=50, function="read_text_photo")
    with pytest.raises(ChecksumError):
        read_one_card(bench.url, timeout_s=30)
