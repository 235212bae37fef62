"""Done-when for the gate: a running Kiosk with an emulated scanner and an emulated LCUS relay (both on ptys, read
and driven by the real drivers) pulses the relay exactly once for a valid pass and never for a revoked, expired
or unknown one, ends with the relay off, recovers a re-plugged relay, shows a lost relay to staff and in
KioskHealth, and turns a PASS it cannot honour into SEE STAFF. Waits on signals and emulator conditions."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from drivers.gate.emulator import RelayEmulator
from drivers.gate.events import GateAvailable, GateClosed, GateOpened, GateRefused, GateUnavailable
from drivers.scanner.emulator import ScannerEmulator
from kiosk.app import Kiosk
from kiosk.config import DeviceConfig, GateConfig, KioskConfig
from kiosk.core.outcome.verdicts import Outcome, Reason, Status
from kiosk.core.passes import offline_pass
from kiosk.datadir import DataDir
from kiosk.provisioning import provision_demo
from kiosk.demo_data import GREEN_CARD, provision
from kiosk.ui.window import KioskWindow

NOW = datetime.now(timezone.utc)


@pytest.fixture
def gate_kiosk(tmp_path, qtbot):
    data = DataDir(tmp_path / "data")
    provision(data, NOW, tmp_path)
    scanner, relay = ScannerEmulator(), RelayEmulator()
    gate = GateConfig(relay=relay.open_pty(str(tmp_path / "ttyRELAY")), pulse_ms=300, max_open_ms=600)
    config = KioskConfig(devices=DeviceConfig(scanner=scanner.open_pty()), gate=gate)
    window = KioskWindow()
    qtbot.addWidget(window)
    kiosk = Kiosk(config, data, window)
    kiosk.start_devices()
    qtbot.waitUntil(lambda: all(window.device_status().get(d, (False, ""))[0] for d in ("scanner", "gate")),
                    timeout=10_000)
    yield kiosk, data, scanner, relay
    kiosk.stop()
    scanner.close()
    relay.close()


def seal(data: DataDir, status: Status = Status.GREEN, now: datetime = NOW, pass_id: str | None = None) -> str:
    issuer = provision_demo(data)
    claims = offline_pass.new_claims(GREEN_CARD.id_number, GREEN_CARD.name, status, now, pass_id=pass_id)
    return offline_pass.seal(claims, issuer.private_key, issuer.kid)


def scan(kiosk, scanner, qtbot, text: str):
    with qtbot.waitSignal(kiosk.check_shown, timeout=10_000) as shown:
        scanner.scan(text)
    return shown.args[0]


def test_one_pulse_for_a_valid_pass_none_for_revoked_expired_unknown_and_off_at_the_end(gate_kiosk, qtbot):
    kiosk, data, scanner, relay = gate_kiosk
    kiosk.trust = kiosk.trust.with_changes(revoked_pass_ids=frozenset({"0badc0de0badc0de"}))
    refused = [scan(kiosk, scanner, qtbot, text) for text in (
        seal(data, pass_id="0badc0de0badc0de"),
        seal(data, now=NOW - timedelta(days=400)),
        "HELLO-NOT-A-PASS",
        seal(data, Status.RED),
    )]
    assert [c.outcome for c in refused] == [Outcome.STOP, Outcome.STOP, Outcome.SEE_STAFF, Outcome.STOP]
    assert [c.result.reason for c in refused][:2] == [Reason.PASS_REVOKED, Reason.PASS_EXPIRED]
    with qtbot.waitSignal(kiosk.gate.event_seen, timeout=10_000,
                          check_params_cb=lambda e: isinstance(e, GateClosed)):
        check = scan(kiosk, scanner, qtbot, seal(data))
        assert check.outcome is Outcome.PASS
    assert relay.wait_pulses(1) and relay.ons() == 1


def test_the_kiosk_stopping_while_the_gate_is_held_open_leaves_the_relay_off(gate_kiosk, qtbot):
    kiosk, data, scanner, relay = gate_kiosk
    kiosk.services(lambda: None).gate("hold_open", "staff")
    assert relay.wait_state(True)
    kiosk.stop()
    assert relay.wait_state(False)  # driven off on the way out (held open would otherwise stay on)
    assert relay.switches[-1].on is False


def test_the_same_check_shown_again_never_opens_twice(gate_kiosk, qtbot):
    kiosk, data, scanner, relay = gate_kiosk
    first = scan(kiosk, scanner, qtbot, seal(data))
    with qtbot.waitSignal(kiosk.gate.event_seen, timeout=10_000,
                          check_params_cb=lambda e: isinstance(e, GateRefused) and e.reason == "repeated"):
        kiosk.gate.on_check(first)  # the same logged check shown again (a repaint, a second listener)
    assert relay.wait_pulses(1, timeout=10)
    assert relay.ons() == 1


def test_a_lost_relay_is_a_fault_for_staff_and_health_the_citizen_sees_see_staff_and_a_replug_recovers(
        gate_kiosk, qtbot):
    kiosk, data, scanner, relay = gate_kiosk
    with qtbot.waitSignal(kiosk.gate.event_seen, timeout=10_000,
                          check_params_cb=lambda e: isinstance(e, GateUnavailable)):
        relay.unplug()
    assert kiosk.window.device_status()["gate"][0] is False
    health = kiosk.health()
    assert health.gate is not None and not health.gate.relay_ok and not health.gate.ok
    assert any(d.name == "gate" and not d.ok for d in health.devices)
    check = scan(kiosk, scanner, qtbot, seal(data))
    assert (check.outcome, check.result.reason) == (Outcome.SEE_STAFF, Reason.GATE_UNAVAILABLE)
    assert check.event["outcome"] == "SEE_STAFF"  # logged as shown
    with qtbot.waitSignal(kiosk.gate.event_seen, timeout=10_000,
                          check_params_cb=lambda e: isinstance(e, GateAvailable)):
        relay.replug()
    assert kiosk.health().gate.relay_ok and kiosk.window.device_status()["gate"][0]
    with qtbot.waitSignal(kiosk.gate.event_seen, timeout=10_000,
                          check_params_cb=lambda e: isinstance(e, GateOpened)):
        assert scan(kiosk, scanner, qtbot, seal(data)).outcome is Outcome.PASS
    assert relay.wait_pulses(1) and relay.ons() == 1


def test_staff_open_once_hold_and_lock_are_journaled_with_the_role(gate_kiosk, qtbot):
    kiosk, data, scanner, relay = gate_kiosk
    services = kiosk.services(lambda: None)
    with qtbot.waitSignal(kiosk.gate.event_seen, timeout=10_000,
                          check_params_cb=lambda e: isinstance(e, GateClosed)):
        assert services.gate("open_once", "staff") == "gate.done.open_once"
    assert relay.wait_pulses(1) and relay.ons() == 1
    services.gate("lock", "staff")
    qtbot.waitUntil(lambda: kiosk.health().gate.mode == "locked", timeout=10_000)
    check = scan(kiosk, scanner, qtbot, seal(data))
    assert (check.outcome, check.result.reason) == (Outcome.SEE_STAFF, Reason.GATE_UNAVAILABLE)
    assert services.gate("open_once", "staff") == "gate.refused.locked"
    services.gate("hold_open", "staff")
    assert relay.wait_state(True, timeout=10)
    qtbot.waitUntil(lambda: "HELD OPEN" in kiosk.window.device_status()["gate"][1], timeout=10_000)
    services.gate("normal", "staff")
    assert relay.wait_state(False, timeout=10)
    kinds = [(e["kind"], e.get("role")) for e in kiosk.gate.keeper.journal.entries()]
    for action in ("open_once", "lock", "hold_open", "normal"):
        assert (f"staff_{action}", "staff") in kinds
    assert ("mode", None) in kinds and ("relay_ok", None) in kinds
    text = (data.root / "gate-journal.jsonl").read_text(encoding="utf-8")
    assert GREEN_CARD.name not in text and GREEN_CARD.id_number not in text


def test_a_passage_sensor_closes_early_and_tailgating_is_shown_to_staff_and_journaled(tmp_path, qtbot):
    from drivers.gate.events import SensorAvailable, Tailgating
    from drivers.gate.fake_gpiod import FakeGpiod, GpioChip

    data = DataDir(tmp_path / "data")
    provision(data, NOW, tmp_path)
    relay, chip = RelayEmulator(), GpioChip("/dev/gpiochip0")
    gate = GateConfig(relay=relay.open_pty(), pulse_ms=60_000, max_open_ms=60_000, sensor="gpio:gpiochip0:4")
    window = KioskWindow()
    qtbot.addWidget(window)
    kiosk = Kiosk(KioskConfig(gate=gate), data, window, gate_modules={"gpiod_module": FakeGpiod([chip])})
    try:
        with qtbot.waitSignal(kiosk.gate.event_seen, timeout=10_000,
                              check_params_cb=lambda e: isinstance(e, SensorAvailable)):
            kiosk.start_devices()
        assert kiosk.gate.keeper.controller.wait_available(10)
        with qtbot.waitSignal(kiosk.gate.event_seen, timeout=10_000,
                              check_params_cb=lambda e: isinstance(e, GateClosed) and e.reason == "passed"):
            kiosk.services(lambda: None).gate("open_once", "staff")  # a one-minute pulse...
            assert relay.wait_state(True)
            chip.edge(4)  # ...ends as soon as the person has passed
        assert relay.wait_state(False)
        with qtbot.waitSignal(kiosk.gate.event_seen, timeout=10_000,
                              check_params_cb=lambda e: isinstance(e, Tailgating)):
            chip.edge(4)  # a second person with no check
        assert "tailgating" in kiosk.window.device_status()["gate"][1]
        assert kiosk.health().gate.tailgating == 1 and kiosk.health().gate.sensor_ok is True
        assert [e["count"] for e in kiosk.gate.keeper.journal.entries() if e["kind"] == "tailgating"] == [1]
    finally:
        kiosk.stop()
        relay.close()
    assert relay.ons() == 1


def test_a_pass_whose_pulse_cannot_reach_the_relay_turns_to_see_staff(tmp_path, qtbot):
    from drivers.gate.fake_hid import FakeHid, HidRelayBoard

    data = DataDir(tmp_path / "data")
    provision(data, NOW, tmp_path)
    board, scanner = HidRelayBoard("QAAMZ", 1), ScannerEmulator()
    config = KioskConfig(devices=DeviceConfig(scanner=scanner.open_pty()),
                         gate=GateConfig(relay="hid:QAAMZ", kind="hid", pulse_ms=300, max_open_ms=600))
    window = KioskWindow()
    qtbot.addWidget(window)
    kiosk = Kiosk(config, data, window, gate_modules={"hid_module": FakeHid([board])})
    try:
        kiosk.start_devices()
        qtbot.waitUntil(lambda: all(window.device_status().get(d, (False, ""))[0] for d in ("scanner", "gate")),
                        timeout=10_000)
        board.stuck = True  # the board takes the report, the contact does not move
        with qtbot.waitSignal(kiosk.gate.event_seen, timeout=10_000,
                              check_params_cb=lambda e: isinstance(e, GateRefused)):
            assert scan(kiosk, scanner, qtbot, seal(data)).outcome is Outcome.PASS
        assert window.verdict_page.outcome == "SEE_STAFF"
        assert any(e["kind"] == "pass_not_opened" for e in kiosk.gate.keeper.journal.entries())
    finally:
        kiosk.stop()
        scanner.close()
    assert board.closed == set()
