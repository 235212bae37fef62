"""The composition root hands its health to the sync client: a running kiosk's sync round tells the central
service its versions, devices, pause and demo trust, and the fleet view raises the matching alerts. Real parts:
the Kiosk with an offscreen window, the central service under uvicorn on 127.0.0.1 over SQLite, `kiosk sync`."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from kiosk.cli import main as kiosk_main
from kiosk.datadir import DataDir
from kiosk.demo_data import provision
from sync.central.storage.store import Store
from sync.devicekey import load_or_create_device_key
from sync.enrollment import enroll
from tests.sync.sync_testkit import ThreadedCentral, make_token

NOW = datetime.now(timezone.utc)


def test_the_running_kiosk_reports_its_health_every_round(tmp_path, demo_kiosk):
    kiosk, data, window = demo_kiosk
    db = f"sqlite:///{tmp_path / 'central.db'}"
    central = ThreadedCentral(db).start()
    try:
        key = load_or_create_device_key(data.root / "device-key.pem")
        enroll(central.url, make_token(db, "east"), kiosk.device_id, key, data.root / "central.json")
        window.show_device_status("camera", False, "unplugged")
        kiosk.set_paused(True)
        state = kiosk.heartbeat_state()
        assert state.trust_version == kiosk.trust.version and state.paused and state.demo_trust
        assert state.status_list_version is not None and state.software_version
        kiosk._start_sync()
        report = kiosk.sync_client.sync_now(wait_s=60)
        assert report is not None and report.ok and report.heartbeat_sent
        store = Store(db)
        view = store.fleet(datetime.now(timezone.utc))[0]
        store.close()
        assert (view["device_id"], view["site"], view["trust_version"]) == (kiosk.device_id, "east",
                                                                           kiosk.trust.version)
        assert view["alerts"] == ["device_fault", "paused", "demo_trust"]
        assert {"name": "camera", "ok": False, "detail": "unplugged"} in view["devices"]
    finally:
        central.stop()


def test_kiosk_sync_on_the_command_line_sends_a_heartbeat(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'central.db'}"
    central = ThreadedCentral(db).start()
    data = DataDir(tmp_path / "data")
    provision(data, NOW, tmp_path)
    try:
        assert kiosk_main(["--data-dir", str(data.root), "enroll", central.url, make_token(db)]) == 0
        capsys.readouterr()
        assert kiosk_main(["--data-dir", str(data.root), "sync", "--json"]) == 0
        result = json.loads(capsys.readouterr().out)
        assert result["heartbeat_sent"] and abs(result["clock_offset_s"]) < 60
        store = Store(db)
        view = store.fleet(datetime.now(timezone.utc))[0]
        store.close()
        assert view["trust_version"] == data.trust_bundle().version and view["status_list_version"] is not None
    finally:
        central.stop()
