"""The gate's rules without threads or a clock: `now` is an argument (drivers/gate/logic.py)."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from drivers.gate.events import GateClosed, GateModeChanged, GateOpened, GateRefused, Tailgating
from drivers.gate.logic import HELD_OPEN, LOCKED, NORMAL, GateLogic


@pytest.fixture
def gate() -> GateLogic:
    logic = GateLogic(pulse_s=3.0, max_open_s=8.0)
    logic.connected()
    return logic


def test_a_pass_opens_for_the_pulse_then_closes(gate):
    assert gate.open_for(100.0, check_id="a") == [GateOpened("pass", 3000)]
    assert gate.relay_on and gate.next_deadline() == 103.0
    assert gate.tick(102.9) == [] and gate.relay_on
    assert gate.tick(103.0) == [GateClosed("timeout")] and not gate.relay_on


def test_a_check_opens_once(gate):
    gate.open_for(0.0, check_id="a")
    assert gate.open_for(1.0, check_id="a") == [GateRefused("pass", "repeated")]
    assert gate.open_until == 3.0


def test_a_second_pass_extends_but_never_past_max_open(gate):
    gate.open_for(0.0, check_id="a")
    gate.open_for(2.0, check_id="b")
    assert gate.open_until == 5.0
    gate.open_for(4.0, check_id="c")
    gate.open_for(6.0, check_id="d")
    assert gate.open_until == 8.0  # opened at 0, max 8 s
    assert gate.tick(8.0) == [GateClosed("timeout")]


def test_a_longer_request_is_capped_at_max_open(gate):
    assert gate.open_for(0.0, source="staff", seconds=60.0) == [GateOpened("staff", 8000)]


def test_the_sensor_closes_after_the_allowed_people_and_flags_a_tailgater(gate):
    gate.open_for(0.0, check_id="a")
    gate.open_for(0.5, check_id="b")
    assert gate.passage(1.0) == [] and gate.relay_on  # one of two allowed people through
    assert gate.passage(1.5) == [GateClosed("passed")] and not gate.relay_on
    assert gate.passage(1.8) == [Tailgating(1)]
    assert gate.tailgating == 1


def test_a_late_walker_within_the_grace_is_no_tailgater_but_after_it_is(gate):
    gate.open_for(0.0, check_id="a")
    gate.tick(3.0)
    assert gate.passage(5.0) == []  # pulse ended at 3, grace 3 s
    gate.open_for(10.0, check_id="b")
    gate.tick(13.0)
    assert gate.passage(16.5) == [Tailgating(1)]


def test_locked_refuses_everything_held_open_stays_on_and_normal_closes(gate):
    assert gate.set_mode(LOCKED, 0.0) == [GateModeChanged(LOCKED)]
    assert gate.open_for(1.0, check_id="a") == [GateRefused("pass", "locked")]
    assert not gate.relay_on
    assert gate.set_mode(HELD_OPEN, 2.0) == [GateModeChanged(HELD_OPEN), GateOpened("hold", 0)]
    assert gate.tick(1000.0) == [] and gate.relay_on
    assert gate.passage(1001.0) == []  # free passage while held open
    assert gate.set_mode(NORMAL, 1002.0) == [GateModeChanged(NORMAL), GateClosed("staff")]
    assert not gate.relay_on


def test_a_fault_closes_and_forgets_allowances_and_nothing_opens_until_connected(gate):
    gate.open_for(0.0, check_id="a")
    assert gate.fault() == [GateClosed("fault")]
    assert not gate.relay_on
    assert gate.open_for(0.5, check_id="b") == [GateRefused("pass", "unavailable")]
    assert gate.passage(1.0) == [Tailgating(1)]
    gate.connected()
    assert not gate.relay_on
    assert gate.open_for(2.0, check_id="c") == [GateOpened("pass", 3000)]


def test_a_hold_survives_a_replug_but_never_a_fault(gate):
    gate.set_mode(HELD_OPEN, 0.0)
    gate.fault()
    assert not gate.relay_on
    gate.connected()
    assert gate.relay_on


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        GateLogic(pulse_s=5.0, max_open_s=3.0)
    with pytest.raises(ValueError):
        GateLogic(pulse_s=3.0, max_open_s=8.0).set_mode("open", 0.0)


_OPS = st.lists(st.tuples(st.sampled_from(["open", "open_same", "staff", "passage", "tick", "fault", "connect",
                                           "normal", "hold", "lock"]),
                          st.floats(min_value=0.0, max_value=4.0, allow_nan=False)), max_size=60)


@given(_OPS)
def test_fail_closed_invariants_hold_for_any_sequence(ops):
    """Whatever happens, the relay is never on while locked or unavailable, never on in normal mode past
    max_open from the pulse's start, and a check id opens at most once."""
    gate, now, opened_checks = GateLogic(pulse_s=1.0, max_open_s=2.5), 0.0, 0
    for n, (op, dt) in enumerate(ops):
        now += dt
        if op == "open":
            events = gate.open_for(now, check_id=f"c{n}")
        elif op == "open_same":
            events = gate.open_for(now, check_id="same")
        elif op == "staff":
            events = gate.open_for(now, source="staff", seconds=dt * 10)
        elif op == "passage":
            events = gate.passage(now)
        elif op == "tick":
            events = gate.tick(now)
        elif op == "fault":
            events = gate.fault()
        elif op == "connect":
            events = [] if gate.available else (gate.connected() or [])
        else:
            events = gate.set_mode({"normal": NORMAL, "hold": HELD_OPEN, "lock": LOCKED}[op], now)
        opened_checks += sum(1 for e in events if isinstance(e, GateOpened) and op == "open_same")
        if gate.relay_on:
            assert gate.available and gate.mode != LOCKED
            if gate.mode == NORMAL:
                assert gate.open_until <= gate.opened_at + 2.5 + 1e-9
        gate.tick(now)
        if gate.mode == NORMAL and gate.relay_on:
            assert now < gate.open_until
    assert opened_checks <= 1
