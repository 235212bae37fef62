"""The passage sensor and the hardware-library backends, run against stand-ins for the libraries' own
interfaces (drivers/gate/fake_gpiod.py, fake_hid.py): no GPIO chip, gpio-sim or /dev/uhid exists where these
tests run, so the real `gpiod` and `hid` modules are exercised only for their settings classes and imports."""
from __future__ import annotations

import pytest

from drivers.gate.controller import GateController
from drivers.gate.events import (GateAvailable, GateClosed, GateOpened, PassageSeen, SensorAvailable,
                                 SensorUnavailable, Tailgating)
from drivers.gate.fake_gpiod import FakeGpiod, GpioChip
from drivers.gate.fake_hid import FakeHid, HidRelayBoard
from drivers.gate.relays import GpioRelay, HidRelay, RelayError, open_relay, parse_gpio
from drivers.gate.sensor import PassageSensor

SENSOR_LINE = 4


@pytest.fixture
def chip():
    return GpioChip("/dev/gpiochip0")


def test_each_edge_is_one_passage_and_a_removed_chip_is_reported_then_recovered(chip, events):
    sensor = PassageSensor(f"gpio:gpiochip0:{SENSOR_LINE}", events, gpiod_module=FakeGpiod([chip]),
                           retry_interval=0.05)
    sensor.start()
    try:
        events.wait_for(SensorAvailable)
        chip.edge(SENSOR_LINE)
        chip.edge(SENSOR_LINE)
        chip.edge(SENSOR_LINE + 1)  # another line: not ours
        assert [events.wait_for(PassageSeen), events.wait_for(PassageSeen)] == [PassageSeen(), PassageSeen()]
        chip.remove()
        assert "No such device" in events.wait_for(SensorUnavailable).reason
        chip.restore()
        events.wait_for(SensorAvailable)
        chip.edge(SENSOR_LINE)
        events.wait_for(PassageSeen)
    finally:
        sensor.stop()
    assert not sensor.running and SENSOR_LINE not in chip.requested  # the line was released


def test_the_sensor_closes_the_gate_after_the_person_and_flags_a_tailgater(chip, events):
    gate = GateController(lambda: GpioRelay("gpio:0:17", FakeGpiod([chip])), events, pulse_ms=10_000,
                          max_open_ms=10_000)
    sensor = PassageSensor(f"gpio:0:{SENSOR_LINE}", lambda e: gate.passage() if isinstance(e, PassageSeen)
                           else events(e), gpiod_module=FakeGpiod([chip]))
    gate.start()
    sensor.start()
    try:
        events.wait_for(GateAvailable, ignore=(SensorAvailable,))
        gate.open_for(check_id="one person")
        events.wait_for(GateOpened, ignore=(SensorAvailable,))
        chip.edge(SENSOR_LINE)  # they walk through: the gate closes long before its 10 s pulse
        assert events.wait_for(GateClosed, ignore=(SensorAvailable,)).reason == "passed"
        assert not chip.is_active(17)
        chip.edge(SENSOR_LINE)  # someone follows without a check
        assert events.wait_for(Tailgating, ignore=(SensorAvailable,)).count == 1
        assert gate.state.tailgating == 1
    finally:
        sensor.stop()
        gate.stop()


def test_a_gpio_relay_drives_its_line_and_releases_it_off(chip):
    relay = GpioRelay("gpio:gpiochip0:17:low", FakeGpiod([chip]))
    assert relay.active_low
    relay.open()
    assert not chip.is_active(17)
    relay.set(True)
    assert chip.is_active(17)
    relay.close()
    assert not chip.is_active(17) and 17 not in chip.requested


def test_a_busy_or_missing_gpio_line_is_a_relay_error(chip):
    gpiod = FakeGpiod([chip])
    first = GpioRelay("gpio:0:17", gpiod)
    first.open()
    with pytest.raises(RelayError, match="busy"):
        GpioRelay("gpio:0:17", gpiod).open()
    with pytest.raises(RelayError):
        GpioRelay("gpio:1:17", gpiod).open()
    first.close()


@pytest.mark.parametrize("spec, expected", [
    ("gpio:gpiochip0:17", ("/dev/gpiochip0", 17, False)),
    ("gpio:0:GATE_RELAY:low", ("/dev/gpiochip0", "GATE_RELAY", True)),
    ("gpio:/dev/gpiochip2:3:high", ("/dev/gpiochip2", 3, False)),
])
def test_gpio_specs(spec, expected):
    assert parse_gpio(spec) == expected


@pytest.mark.parametrize("spec", ["gpio:0", "gpio::3", "gpio:0:3:maybe", "/dev/ttyUSB0"])
def test_bad_gpio_specs(spec):
    with pytest.raises(ValueError):
        parse_gpio(spec)


def test_a_hid_relay_finds_its_board_by_name_and_verifies_each_switch():
    other, ours = HidRelayBoard("AAAAA", 2, b"/dev/hidraw0"), HidRelayBoard("BBBBB", 2, b"/dev/hidraw1")
    relay = HidRelay("hid:BBBBB", 2, FakeHid([other, ours]))
    relay.open()
    relay.set(True)
    assert ours.closed == {2} and other.closed == set()
    ours.stuck = True  # the board takes the report but the contact does not move
    with pytest.raises(RelayError, match="did not switch"):
        relay.set(False)
    ours.stuck = False
    relay.close()
    assert ours.closed == set()


def test_hid_boards_that_are_absent_too_small_or_unplugged_are_relay_errors():
    board = HidRelayBoard("QAAMZ", 1)
    with pytest.raises(RelayError, match="named NOPE"):
        HidRelay("hid:NOPE", 1, FakeHid([board])).open()
    with pytest.raises(RelayError, match="1 channel"):
        HidRelay("hid", 2, FakeHid([board])).open()
    relay = HidRelay("hid", 1, FakeHid([board]))
    relay.open()
    board.unplug()
    with pytest.raises(RelayError):
        relay.probe()


def test_the_real_libraries_are_importable_and_their_absence_would_be_a_relay_error():
    import gpiod
    import hid

    assert hasattr(hid, "enumerate") and hasattr(gpiod, "request_lines")
    assert isinstance(hid.enumerate(0x16C0, 0x05DF), list)  # no board here: an empty list, not an error
    with pytest.raises(RelayError):
        HidRelay("hid", 1).open()  # the real hidapi finds no board on this machine


def test_open_relay_refuses_unknown_kinds_and_channels():
    with pytest.raises(ValueError):
        open_relay("modbus", "/dev/ttyUSB0")
    with pytest.raises(ValueError):
        open_relay("lcus", "/dev/ttyUSB0", channel=9)
