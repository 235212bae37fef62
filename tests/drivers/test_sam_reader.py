"""Contract tests of the card-reader driver over a real pty (or a real reader with --port)."""
from __future__ import annotations


import pytest

from drivers.sam.errors import NoCard, PortUnavailable
from drivers.sam.events import CardPresented, CardRemoved, ReaderAvailable, ReaderFault, ReaderUnavailable
from drivers.sam.presets import PRESETS
from drivers.sam.reader import CardReader, read_one_card
from kiosk.core.identity.idnumber import is_valid_id_number


def check_card(bench, expected, card):
    if expected is None:  # a real card: we cannot know it, but it must be well formed
        assert is_valid_id_number(card.id_number)
    else:
        assert card == expected


@pytest.fixture
def start_reader(events):
    readers = []

    def start(url, **options):
        options.setdefault("poll_interval", 0.05)
        reader = CardReader(url, events, **options)
        reader.start()
        readers.append(reader)
        return reader

    yield start
    for reader in readers:
        reader.stop()
        assert not reader.running, "stop() must join the reader thread within 2 s"


def test_a_card_is_read_once_while_it_lies_and_removal_is_reported(bench, events, start_reader):
    start_reader(bench.url)
    assert events.wait_for(ReaderAvailable, bench.timeout).source == bench.url
    expected = bench.place("resident")
    check_card(bench, expected, events.wait_for(CardPresented, bench.timeout).card)
    assert not [e for e in events.quiet(0.5) if isinstance(e, CardPresented)]
    if not bench.real:
        assert bench.emulator.requests["read_text_photo"] == 1
    bench.lift()
    events.wait_for(CardRemoved, bench.timeout)


@pytest.mark.parametrize("preset", ["hmt", "foreign2017", "foreign2023"])
def test_every_card_type_is_delivered(emulated, events, start_reader, preset):
    bench = emulated()
    start_reader(bench.url)
    events.wait_for(ReaderAvailable)
    bench.place(preset)
    assert events.wait_for(CardPresented).card == PRESETS[preset]


def test_a_module_that_answers_80_after_a_read_reads_once(emulated, events, start_reader):
    bench = emulated(refind="80")
    start_reader(bench.url)
    events.wait_for(ReaderAvailable)
    bench.place("resident")
    events.wait_for(CardPresented)
    # The module stops finding the read card: that ends the presence, and no second read follows.
    events.wait_for(CardRemoved)
    assert not events.quiet(0.4)
    assert bench.emulator.requests["read_text_photo"] == 1
    bench.lift()
    bench.place("hmt")
    assert events.wait_for(CardPresented).card == PRESETS["hmt"]


def test_unplug_is_reported_and_replug_recovers(bench, events, start_reader):
    start_reader(bench.url)
    events.wait_for(ReaderAvailable, bench.timeout)
    bench.unplug()
    gone = events.wait_for(ReaderUnavailable, bench.timeout)
    assert gone.reason == "disconnected"
    bench.replug()
    events.wait_for(ReaderAvailable, bench.timeout)
    expected = bench.place("resident")
    check_card(bench, expected, events.wait_for(CardPresented, bench.timeout).card)


def test_unplug_with_a_card_on_the_reader_reports_its_removal(emulated, events, start_reader):
    bench = emulated()
    start_reader(bench.url)
    events.wait_for(ReaderAvailable)
    bench.place("resident")
    events.wait_for(CardPresented)
    bench.unplug()
    events.wait_for(CardRemoved)
    events.wait_for(ReaderUnavailable)


def test_a_missing_port_is_unavailable_then_recovers_when_it_appears(tmp_path, events, start_reader):
    from drivers.sam.emulator import ReaderEmulator

    link = str(tmp_path / "ttyLATE")
    start_reader(link)
    assert events.wait_for(ReaderUnavailable).reason == "port_unavailable"
    emulator = ReaderEmulator()
    try:
        emulator.open_pty(link)
        events.wait_for(ReaderAvailable)
    finally:
        emulator.close()


def test_read_one_card(bench):
    expected = bench.place("foreign2017")
    card = read_one_card(bench.url, timeout_s=bench.timeout, baudrate=getattr(bench, "baudrate", 115200))
    check_card(bench, expected, card)


def test_read_one_card_without_a_card_is_no_card(emulated):
    bench = emulated()
    with pytest.raises(NoCard):
        read_one_card(bench.url, timeout_s=0.3)


def test_read_one_card_on_a_missing_port(tmp_path):
    with pytest.raises(PortUnavailable):
        read_one_card(str(tmp_path / "no-such-tty"), timeout_s=0.2)


def test_a_listener_that_raises_does_not_stop_the_reader(emulated, events):
    bench = emulated()
    seen = []

    def flaky(event):
        seen.append(event)
        events(event)
        if isinstance(event, ReaderAvailable):
            raise RuntimeError("listener bug")

    reader = CardReader(bench.url, flaky, poll_interval=0.05)
    reader.start()
    try:
        events.wait_for(ReaderAvailable)
        bench.place("resident")
        events.wait_for(CardPresented, ignore=(ReaderFault,))
    finally:
        reader.stop()
    assert not reader.running


def test_a_port_with_no_sam_behind_it_is_unavailable_with_a_reason(events, start_reader):
    start_reader("loop://", handshake_timeout=0.05)  # our own requests come back: no SAM answers
    assert events.wait_for(ReaderUnavailable).reason == "timeout"
