"""The composition root with real parts: scanner and reader emulators on ptys, the real drivers, real SQLite,
an offscreen window. Waits on Qt signals, never sleeps."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from drivers.sam.emulator import ReaderEmulator
from drivers.scanner.emulator import ScannerEmulator
from drivers.scanner.events import CodeScanned
from kiosk.app import Kiosk
from kiosk.config import DeviceConfig, KioskConfig
from kiosk.core.passes import offline_pass
from kiosk.core.outcome.verdicts import Outcome, Status, Verdict
from kiosk.datadir import DataDir
from kiosk.provisioning import provision_demo
from kiosk.demo_data import GREEN_CARD, UNKNOWN_CARD, provision
from kiosk.ui.window import KioskWindow

NOW = datetime.now(timezone.utc)


@pytest.fixture
def setup(tmp_path, qtbot):
    data = DataDir(tmp_path / "data")
    provision(data, NOW, tmp_path)
    reader, scanner = ReaderEmulator(), ScannerEmulator()
    config = KioskConfig(devices=DeviceConfig(reader=reader.open_pty(), scanner=scanner.open_pty()))
    window = KioskWindow()
    qtbot.addWidget(window)
    kiosk = Kiosk(config, data, window)
    kiosk.start_devices()

    def devices_up() -> bool:
        status = window.device_status()
        return all(status.get(device, (False, ""))[0] for device in ("reader", "scanner"))

    qtbot.waitUntil(devices_up, timeout=30_000)  # what a scanner sends before the port is open is lost
    yield kiosk, data, reader, scanner
    kiosk.stop()
    reader.close()
    scanner.close()


def logged_rows(data: DataDir) -> list[tuple]:
    with sqlite3.connect(data.event_log_path) as db:
        return db.execute("select * from events").fetchall()


def test_a_scanned_code_is_verified_logged_and_shown(setup, qtbot):
    kiosk, data, _, scanner = setup
    issuer = provision_demo(data)
    claims = offline_pass.new_claims(GREEN_CARD.id_number, GREEN_CARD.name, Status.GREEN, NOW)
    with qtbot.waitSignal(kiosk.check_shown, timeout=30_000) as shown:
        scanner.scan(offline_pass.seal(claims, issuer.private_key, issuer.kid))
    check = shown.args[0]
    assert (check.result.verdict, check.outcome, check.input_kind) == (Verdict.VALID, Outcome.PASS, "code")
    assert kiosk.window.current_state() == "verdict"
    rows = logged_rows(data)
    assert len(rows) == 1 and "张三" not in repr(rows)


def test_a_card_tap_then_lift(setup, qtbot):
    kiosk, data, reader, _ = setup
    with qtbot.waitSignal(kiosk.check_shown, timeout=30_000) as shown:
        reader.place(UNKNOWN_CARD)
    assert (shown.args[0].result.verdict, shown.args[0].outcome) == (Verdict.NOT_FOUND, Outcome.SEE_STAFF)
    with qtbot.waitSignal(kiosk.card_lifted, timeout=30_000):
        reader.lift()
    assert UNKNOWN_CARD.id_number not in repr(logged_rows(data))


def test_an_unplugged_reader_is_shown_and_nothing_crashes(setup, qtbot):
    kiosk, _, reader, _ = setup

    def reader_down() -> bool:
        ok, _ = kiosk.window.device_status().get("reader", (True, ""))
        return not ok

    reader.unplug()
    qtbot.waitUntil(reader_down, timeout=30_000)


def test_staff_lookup_by_typed_number_is_logged_as_manual(setup, qtbot):
    kiosk, data, _, _ = setup
    with qtbot.waitSignal(kiosk.check_shown, timeout=30_000) as shown:
        kiosk.lookup_id(GREEN_CARD.id_number)
    assert (shown.args[0].input_kind, shown.args[0].outcome) == ("manual", Outcome.PASS)
    assert len(logged_rows(data)) == 1


def test_a_code_that_is_no_pass_gets_see_staff(setup, qtbot):
    kiosk, _, _, scanner = setup
    with qtbot.waitSignal(kiosk.check_shown, timeout=30_000) as shown:
        scanner.scan("https://example.com/menu?table=4")
    assert (shown.args[0].result.verdict, shown.args[0].outcome) == (Verdict.UNSUPPORTED_FORMAT, Outcome.SEE_STAFF)


def test_a_pass_from_last_month_is_expired(setup, qtbot):
    kiosk, data, _, scanner = setup
    issuer = provision_demo(data)
    claims = offline_pass.new_claims(GREEN_CARD.id_number, GREEN_CARD.name, Status.GREEN, NOW - timedelta(days=30))
    with qtbot.waitSignal(kiosk.check_shown, timeout=30_000) as shown:
        scanner.scan(offline_pass.seal(claims, issuer.private_key, issuer.kid))
    assert (shown.args[0].result.verdict, shown.args[0].outcome) == (Verdict.EXPIRED, Outcome.STOP)


def test_a_two_part_smart_health_card_is_assembled_then_verified(setup, qtbot):
    from kiosk.core.passes.shc_chunks import jws_to_qr_text
    from tests.core.passes_factory import shc_jws, shc_key, shc_payload
    from tests.core.test_shc import trust_for

    kiosk, _, _, scanner = setup
    private_key, public = shc_key()
    digits = jws_to_qr_text(shc_jws(private_key, public, shc_payload()))[len("shc:/"):]
    half = len(digits) // 4 * 2
    kiosk.trust = trust_for(public)
    with qtbot.waitSignal(kiosk.window.state_changed, timeout=30_000,
                          check_params_cb=lambda state: state == "reading"):
        scanner.scan(f"shc:/2/2/{digits[half:]}")
    with qtbot.waitSignal(kiosk.check_shown, timeout=30_000) as shown:
        scanner.scan(f"shc:/1/2/{digits[:half]}")
    assert (shown.args[0].result.format, shown.args[0].result.verdict) == ("SHC", Verdict.VALID)


def test_staff_services_count_pause_and_report_health(setup, qtbot):
    kiosk, _, reader, scanner = setup
    kiosk.lookup_id(GREEN_CARD.id_number)
    assert kiosk.today_counts()["PASS"] == 1
    health = kiosk.health()
    assert health.sync.pending == 1 and health.kiosk_id == kiosk.device_id
    assert {d.name for d in health.devices} >= {"reader", "scanner"}
    assert health.data[1].version == "1"  # the provisioned status list
    kiosk.set_paused(True)
    reader.place(GREEN_CARD)  # ignored while paused: nothing shown, nothing logged
    qtbot.waitUntil(lambda: kiosk.ignored_while_paused == 1, timeout=30_000)
    kiosk.set_paused(False)
    with qtbot.waitSignal(kiosk.check_shown, timeout=30_000):
        scanner.scan("https://example.com/x")
    assert kiosk.today_counts()["SEE_STAFF"] == 1


def test_the_camera_path_reads_a_printed_pass_from_an_image_folder(tmp_path, qtbot):
    """The capture loop on an image folder (the camera's test source), through the real cascade, to a verdict."""
    data = DataDir(tmp_path / "data")
    steps = provision(data, NOW, tmp_path)
    folder = tmp_path / "camera"
    folder.mkdir()
    valid = next(step for step in steps if step.name == "valid printed code")
    (folder / "frame-0001.png").write_bytes(valid.code_image.read_bytes())
    window = KioskWindow()
    qtbot.addWidget(window)
    config = KioskConfig(devices=DeviceConfig(camera=str(folder)), camera={"width": 1280, "height": 720})
    kiosk = Kiosk(config, data, window)
    try:
        with qtbot.waitSignal(kiosk.check_shown, timeout=30_000) as shown:
            kiosk.start_devices()
        assert (shown.args[0].result.verdict, shown.args[0].outcome) == (Verdict.VALID, Outcome.PASS)
    finally:
        kiosk.stop()


def test_the_staff_pause_and_the_admin_settings_survive_a_restart(tmp_path, qtbot):
    from kiosk.app import make_window

    data = DataDir(tmp_path / "data")
    provision(data, NOW, tmp_path)
    config = KioskConfig()
    window = make_window(config, data)
    qtbot.addWidget(window)
    kiosk = Kiosk(config, data, window)
    services = kiosk.services(lambda: None)
    window.set_services(services)
    window.set_paused(True)  # what the staff page's pause button does
    services.settings_changed(window.settings.replace(volume=0.3, languages=("en", "zh-Hans", "zh-Hant-HK")))
    kiosk.stop()

    restarted_window = make_window(config, data)
    qtbot.addWidget(restarted_window)
    restarted = Kiosk(config, data, restarted_window)
    try:
        assert restarted.paused and restarted_window.is_paused() and restarted_window.current_state() == "paused"
        assert restarted_window.settings.volume == 0.3 and restarted_window.settings.primary_language == "en"
        restarted.handle_event(CodeScanned("KP1:ANYTHING"))
        assert restarted.ignored_while_paused == 1 and logged_rows(data) == []
    finally:
        restarted.stop()


def test_an_air_gapped_site_imports_trust_data_from_a_usb_folder_in_the_admin_panel(tmp_path, qtbot):
    """Own root, no central: the admin types the stick's folder and presses "Import trust data"; the bundle is
    checked like a download (a foreign root's bundle is refused and the old one stays) and the running kiosk
    uses it at once."""
    import dataclasses

    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from kiosk.core.trust import bundle as ktb
    from kiosk.core.trust.keys import IssuerKey, kid_for_public_key, new_signing_key, public_key_pem
    from kiosk.core.trust.store import TrustStore
    from kiosk.provisioning import provision_root

    root, issuer = new_signing_key(), new_signing_key()
    key = IssuerKey(kid_for_public_key(issuer.public_key()), issuer.public_key(), "CN-GATE", frozenset({"KP1"}))

    def bundle(version, signer=root, revoked=frozenset()):
        content = ktb.BundleContent.from_trust(TrustStore((key,)), version, NOW)
        return ktb.sign_bundle(dataclasses.replace(content, revoked_pass_ids=revoked), signer)

    data = DataDir(tmp_path / "data")
    provision_root(data, public_key_pem(root.public_key()).encode())
    data.install_bundle(bundle(1))
    claims = offline_pass.new_claims(GREEN_CARD.id_number, GREEN_CARD.name, Status.GREEN, NOW, issuer="CN-GATE")
    text = offline_pass.seal(claims, issuer, key.kid)
    window = KioskWindow()
    qtbot.addWidget(window)
    kiosk = Kiosk(KioskConfig(), data, window)
    window.set_services(kiosk.services(lambda: None))
    try:
        assert kiosk.checkpoint.check_text(text).result.verdict is Verdict.VALID
        foreign, stick = tmp_path / "foreign", tmp_path / "usb"
        foreign.mkdir()
        stick.mkdir()
        (foreign / "trust-bundle.ktb").write_bytes(bundle(5, signer=new_signing_key()))
        (stick / "trust-bundle.ktb").write_bytes(bundle(2, revoked=frozenset({claims.pass_id})))
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
        window.staff.ask_pin("admin")
        QTest.keyClicks(QApplication.focusWidget(), "135790")
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        assert window.current_state() == "admin"
        panel = window.staff.page
        panel.export_dir.setText(str(foreign))
        panel.findChild(type(panel.voice), "button.import_trust").click()
        assert "refused" in panel.message.text() and kiosk.checkpoint.trust.version == 1
        assert "TRUST_BUNDLE_ROOT_UNKNOWN" in panel.health.text()  # and it stays in the health view for staff
        panel.export_dir.setText(str(stick))
        panel.findChild(type(panel.voice), "button.import_trust").click()
        assert "installed trust bundle v2" in panel.message.text()
        window.grab().save(str(tmp_path / "admin-import.png"))
        assert kiosk.checkpoint.trust.version == 2 and data.trust().version == 2
        assert kiosk.checkpoint.check_text(text).result.verdict is Verdict.REVOKED
    finally:
        kiosk.stop()


def test_every_device_reports_its_health_in_one_shape(demo_kiosk):
    """Reader, scanner and camera status events share DeviceStatus; the app shows each by its device name."""
    from drivers.camera.events import CameraAvailable, CameraUnavailable
    from drivers.device_status import DeviceStatus
    from drivers.sam.events import ReaderAvailable, ReaderFault, ReaderUnavailable
    from drivers.scanner.events import ScannerAvailable, ScannerFault, ScannerUnavailable

    kiosk, _, window = demo_kiosk
    events = [ReaderAvailable("/dev/ttyUSB0"), ReaderUnavailable("/dev/ttyUSB0", "disconnected", "unplugged"),
              ReaderFault("/dev/ttyUSB0", "checksum", "bad frame"), ScannerAvailable("loop://"),
              ScannerFault("loop://", "line_too_long", "4097 bytes"), ScannerUnavailable("loop://", "timeout"),
              CameraUnavailable("0", "not plugged in"), CameraAvailable("0")]
    for event in events:
        assert isinstance(event, DeviceStatus)
        kiosk.handle_event(event)
        assert window.device_status()[event.device] == (event.ok, event.describe())
    assert {e.device for e in events} == {"reader", "scanner", "camera"}
    assert ReaderFault("p", "checksum", "bad frame").describe() == "checksum: bad frame"


def test_staff_lookup_is_decided_by_the_sites_policy_and_shown_as_the_gate_would(tmp_path, qtbot):
    from kiosk.demo_data import RED_CARD
    data = DataDir(tmp_path / "data")
    provision(data, NOW, tmp_path)
    window = KioskWindow()
    qtbot.addWidget(window)
    kiosk = Kiosk(KioskConfig(policy={"statuses": {"red": "SEE_STAFF"}}), data, window)
    window.set_services(kiosk.services(lambda: None))
    try:
        view = kiosk.lookup_id(RED_CARD.id_number)
        assert (view.outcome, view.status) == (Outcome.SEE_STAFF, Status.RED)  # the site's rule, not the default
        window.staff.ask_pin("staff")
        window.staff.page.submit("2468")
        window.staff.page.lookup(RED_CARD.id_number)
        assert window.staff.page.badge.text() == "请找工作人员" and "健康码红码" in window.staff.page.result.text()
        window.call_staff()
        assert kiosk.health().help_requested  # the heartbeat carries the call
        window.answer_help()
        assert not kiosk.health().help_requested
    finally:
        kiosk.stop()


def test_a_damaged_log_is_moved_aside_at_start_and_the_kiosk_runs(tmp_path, qtbot):
    """No traceback at start-up: the damaged file is kept aside, a new epoch begins, checks are logged."""
    data = DataDir(tmp_path / "data")
    provision(data, NOW, tmp_path)
    data.event_log_path.write_bytes(b"\x00garbage, not SQLite" * 64)
    window = KioskWindow()
    qtbot.addWidget(window)
    kiosk = Kiosk(KioskConfig(), data, window)
    try:
        assert [p.name for p in data.root.glob("events.sqlite.damaged-*")]
        assert kiosk.checkpoint.log_ok and kiosk.log.epoch == 1
        assert window.current_state() == "idle" and "damaged" in window.device_status()["log"][1]
        check = kiosk.checkpoint.check_card(GREEN_CARD)
        assert check.event is not None and check.event["seq"] > 1
    finally:
        kiosk.stop()


def test_pin_lockouts_are_kept_in_the_data_directory_across_a_restart(tmp_path, qtbot):
    from kiosk.app import make_window
    data = DataDir(tmp_path / "data")
    first = make_window(KioskConfig(), data)
    qtbot.addWidget(first)
    first.staff.ask_pin("staff")
    for _ in range(3):
        first.staff.page.submit("0000")
    second = make_window(KioskConfig(), data)  # the kiosk restarted
    qtbot.addWidget(second)
    assert second.staff.guards["staff"].is_locked(second.staff.clock())
    assert not second.staff.guards["admin"].is_locked(second.staff.clock())


def test_an_unwritable_log_keeps_the_kiosk_out_of_service_until_it_is_writable(tmp_path, qtbot):
    data = DataDir(tmp_path / "data")
    provision(data, NOW, tmp_path)
    for p in data.root.glob("events.sqlite*"):
        p.unlink()
    data.event_log_path.mkdir()  # the log cannot be opened (as on a read-only medium; root ignores file modes)
    window = KioskWindow()
    qtbot.addWidget(window)
    kiosk = Kiosk(KioskConfig(), data, window)
    try:
        assert not kiosk.checkpoint.log_ok
        assert window.current_state() == "unavailable"  # the out-of-service screen, no traceback
        check = kiosk.checkpoint.check_card(GREEN_CARD)
        assert check.event is None and check.outcome is Outcome.SEE_STAFF
        assert kiosk.health().sync.pending == 0  # every staff screen still works
        data.event_log_path.rmdir()  # staff fixed the medium; the minute's housekeeping notices
        kiosk.housekeeping()
        assert kiosk.checkpoint.log_ok and window.current_state() == "idle"
        assert kiosk.checkpoint.check_card(GREEN_CARD).event is not None
    finally:
        kiosk.stop()
