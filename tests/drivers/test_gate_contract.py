"""Gate relay contract: every relay kind behaves the same behind GateController. Runs on the three emulated
kinds (LCUS on a pty, hidapi and gpiod stand-ins); `pytest tests/drivers --gate-port URL [--gate-kind hid]`
runs the same tests against a real relay, and the emulator-only fault tests are skipped with a message."""
from __future__ import annotations

import pytest

from drivers.gate.controller import GateController
from drivers.gate.events import GateAvailable, GateClosed, GateOpened, GateRefused, GateUnavailable
from tests.drivers.gate_benches import EMULATED_KINDS, HardwareGateBench, make_bench


@pytest.fixture(params=EMULATED_KINDS)
def gate_bench(request, tmp_path):
    if request.config.getoption("--gate-port"):
        if request.param != request.config.getoption("--gate-kind"):
            pytest.skip("running against the real relay named with --gate-port")
        yield HardwareGateBench(request.config)
        return
    bench = make_bench(request.param, tmp_path)
    yield bench
    bench.close()


@pytest.fixture
def emulated_bench(gate_bench):
    if gate_bench.real:
        pytest.skip("fault injection needs the emulator (running against a real relay)")
    return gate_bench


@pytest.fixture
def run_gate(events):
    made = []

    def start(bench, pulse_ms: int = 150, max_open_ms: int = 300) -> GateController:
        gate = GateController(bench.make_relay, events, pulse_ms=pulse_ms, max_open_ms=max_open_ms,
                              retry_interval=0.05)
        made.append(gate)
        gate.start()
        events.wait_for(GateAvailable, bench.timeout)
        return gate

    yield start
    for gate in made:
        gate.stop()


def ok(observed) -> bool:
    """An emulated bench must have seen it; a real bench (None) cannot tell."""
    return observed is None or observed is True


def test_the_relay_starts_off_and_one_pulse_switches_it_on_then_off(gate_bench, run_gate, events):
    gate = run_gate(gate_bench)
    assert gate_bench.is_on() in (False, None)
    assert gate.state.available and not gate.state.relay_on and gate.fault == ""
    gate.open_for(check_id="check-1")
    assert events.wait_for(GateOpened, gate_bench.timeout).source == "pass"
    assert events.wait_for(GateClosed, gate_bench.timeout).reason == "timeout"
    assert ok(gate_bench.wait_pulses(1))
    assert not gate.state.relay_on


def test_a_check_opens_once(gate_bench, run_gate, events):
    gate = run_gate(gate_bench, pulse_ms=2000, max_open_ms=4000)
    gate.open_for(check_id="same")
    gate.open_for(check_id="same")
    events.wait_for(GateOpened, gate_bench.timeout)
    assert events.wait_for(GateRefused, gate_bench.timeout).reason == "repeated"
    gate.set_mode("locked")  # closes at once (staff) without waiting for the pulse
    events.wait_for(GateClosed, gate_bench.timeout, ignore=(object,))
    assert ok(gate_bench.wait_pulses(1))


def test_stopping_during_a_hold_leaves_the_relay_off(gate_bench, run_gate, events):
    gate = run_gate(gate_bench)
    gate.set_mode("held_open")
    events.wait_for(GateOpened, gate_bench.timeout, ignore=(object,))
    assert ok(gate_bench.wait_on())
    gate.stop()
    assert ok(gate_bench.wait_off())
    assert not gate.state.relay_on and not gate.running


def test_a_lost_relay_is_reported_refuses_to_open_and_recovers_off(gate_bench, run_gate, events):
    gate = run_gate(gate_bench)
    gate_bench.unplug()
    unavailable = events.wait_for(GateUnavailable, gate_bench.timeout)
    assert unavailable.reason and not gate.state.available and gate.fault
    gate.open_for(check_id="while-gone")
    assert events.wait_for(GateRefused, gate_bench.timeout).reason == "unavailable"
    gate_bench.replug()
    events.wait_for(GateAvailable, gate_bench.timeout)
    assert gate.state.available and not gate.state.relay_on
    assert gate_bench.is_on() in (False, None)
    gate.open_for(check_id="after-replug")
    events.wait_for(GateOpened, gate_bench.timeout)
    events.wait_for(GateClosed, gate_bench.timeout)
    assert ok(gate_bench.wait_pulses(1))


def test_a_relay_pulled_during_a_pulse_is_closed_as_a_fault(emulated_bench, run_gate, events):
    gate = run_gate(emulated_bench, pulse_ms=5000, max_open_ms=5000)
    gate.open_for(check_id="pulled")
    events.wait_for(GateOpened, emulated_bench.timeout)
    emulated_bench.unplug()
    assert events.wait_for(GateClosed, emulated_bench.timeout).reason == "fault"
    events.wait_for(GateUnavailable, emulated_bench.timeout)
    emulated_bench.replug()
    events.wait_for(GateAvailable, emulated_bench.timeout)
    assert not gate.state.relay_on and emulated_bench.is_on() is False


def test_an_opening_that_cannot_reach_the_contact_is_refused(request, tmp_path, run_gate, events):
    if request.config.getoption("--gate-port"):
        pytest.skip("fault injection needs the emulator (running against a real relay)")
    emulated_bench = make_bench("hid", tmp_path)  # a board that takes a report but whose contact stays put
    gate = run_gate(emulated_bench, pulse_ms=5000, max_open_ms=5000)
    emulated_bench.board.stuck = True  # the report is taken, the contact does not move
    gate.open_for(check_id="stuck")
    assert events.wait_for(GateRefused, emulated_bench.timeout).reason == "unavailable"
    assert "did not switch" in events.wait_for(GateUnavailable, emulated_bench.timeout, ignore=(GateClosed,)).reason
    emulated_bench.board.stuck = False
    events.wait_for(GateAvailable, emulated_bench.timeout)
    assert not emulated_bench.is_on() and not gate.state.relay_on
