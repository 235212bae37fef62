"""The composition root: reads the config, opens the devices, wires their events through the checkpoint to the screen.

The only module that knows every part. Device threads call `EventBridge.post`; the bridge's signal delivers each
event in the GUI thread, where the Checkpoint (kiosk/checkpoint.py, Qt-free) verifies it, logs it durably and
returns the check, which is then shown: a verdict is logged before it is shown. The sync client runs on its own
thread when the kiosk is enrolled with a central service.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from drivers.camera.events import CodeSeen
from drivers.device_status import DeviceStatus
from drivers.sam.events import CardPresented, CardRemoved
from drivers.scanner.events import CodeScanned
from kiosk.checkpoint import Check, Checkpoint, utc_now
from kiosk.config import ConfigError, KioskConfig
from kiosk.core.checks.health import DataAge, DeviceHealth, KioskHealth, SyncHealth
from kiosk.core.checks.safeguards import trust_freshness
from kiosk.core.outcome.verdicts import VerificationError
from kiosk.core.outcome.view import VerdictView, verdict_view
from kiosk.core.checks.verify import detect_format
from kiosk.datadir import DataDir
from kiosk.updates import NAMES, Updater, UpdateResult
from kiosk.gate_wiring import attach_gate
from kiosk.ui.shared.bridge import EventBridge
from kiosk.ui.shared.services import UiServices
from kiosk.ui.shared.settings import UiSettings
from kiosk.ui.window import KioskWindow
from sync.client import SyncClient
from sync.devicekey import load_or_create_device_key
from sync.enrollment import load_enrollment
from sync.transport import CentralLink

__all__ = ["Check", "Kiosk", "make_window", "run_kiosk"]
log = logging.getLogger("kiosk.app")
STATUS_LIST_MAX_AGE = timedelta(days=2)
SCREEN_SETTINGS = ("languages", "voice_enabled", "volume", "pixel_pitch_mm")  # what the admin panel changes
LOG_DISK_BUDGET = 512 * 1024 * 1024
HOUSEKEEPING_MS = 60_000  # clock record, trust freshness, disk budget
_CITIZEN_INPUT = (CardPresented, CodeScanned, CodeSeen)


@dataclass(frozen=True)
class Downloaded:
    """Trust data installed by the sync thread (or from a USB stick), for the GUI thread to adopt."""

    update: UpdateResult
    central_time: datetime | None = None  # the central service's clock during the round, when known
    local_time: datetime | None = None  # ours at that moment


class Kiosk(QObject):
    """Lives in the GUI thread; every method here runs there."""

    check_shown = Signal(object)  # Check
    card_lifted = Signal()  # the reader saw the card taken away

    def __init__(self, config: KioskConfig, data: DataDir, window: KioskWindow,
                 clock: Callable[[], datetime] = utc_now, gate_modules: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.config, self.data, self.window, self.clock = config, data, window, clock
        self.bridge = EventBridge()
        self.bridge.received.connect(self.handle_event)
        self.checkpoint = Checkpoint(config, data, clock)
        self.device_id = self.checkpoint.device_id
        self.paused = False
        self.help_requested = False
        self.ignored_while_paused = 0
        self.devices: list[Any] = []
        self.sync_client: SyncClient | None = None
        self.gate = attach_gate(self, **(gate_modules or {}))  # kiosk/gate_wiring.py: None without a [gate] relay
        self._housekeeping = QTimer(self)
        self._housekeeping.timeout.connect(self.housekeeping)
        if data.kiosk_state().get("paused") is True:  # staff paused the gate before the restart
            self.paused = True
            window.set_paused(True)
        self.housekeeping()

    @property
    def trust(self):
        return self.checkpoint.trust

    @trust.setter
    def trust(self, value) -> None:
        self.checkpoint.trust = value

    @property
    def log(self):
        return self.checkpoint.log

    # -- devices and background work ---------------------------------------------------------------------
    def start_devices(self) -> None:
        """Open every configured device (each on its own thread), start sync if enrolled, start housekeeping."""
        cfg = self.config.devices
        if cfg.reader:
            from drivers.sam.reader import CardReader
            self.devices.append(CardReader(cfg.reader, self.bridge.post, baudrate=cfg.reader_baud,
                                           poll_interval=cfg.reader_poll_s))
        if cfg.scanner:
            from drivers.scanner.scanner import QrScanner
            self.devices.append(QrScanner(cfg.scanner, self.bridge.post, baudrate=cfg.scanner_baud))
        if cfg.camera:
            from drivers.camera.capture import CameraCapture
            from drivers.camera.sources import CameraSettings
            settings = CameraSettings(**self.config.camera.model_dump())
            self.devices.append(CameraCapture(cfg.camera, self.bridge.post, accept=self.accepts_code,
                                              settings=settings))
        for device in self.devices:
            device.start()
        if self.gate is not None:
            self.gate.start()
        self._start_sync()
        self._housekeeping.start(HOUSEKEEPING_MS)

    def _start_sync(self) -> None:
        downloads = self.data.root / "central"
        if downloads.is_dir():  # downloaded before a stop or crash and not installed yet
            self.adopt(Downloaded(Updater(self.data, downloads).apply()))
        enrolled = load_enrollment(self.data.root / "central.json")
        if not enrolled:
            return
        key = load_or_create_device_key(self.data.root / "device-key.pem")
        link = CentralLink(enrolled.url, self.device_id, key, ca_file=enrolled.ca_file or None,
                           central_key=enrolled.central_key)
        updater = Updater(self.data, downloads)
        self.sync_client = SyncClient(self.checkpoint.log, link, downloads, heartbeat=self.heartbeat_state,
                                      after_round=lambda client, report: self._after_sync(updater, client, report))
        self.sync_client.start()

    def _after_sync(self, updater: Updater, client: SyncClient, report) -> None:
        """The sync thread, after each round: install what was downloaded (verified, atomically, on disk), then
        hand it to the GUI thread, which adopts it between two checks."""
        update = updater.apply(fetch=client.fetch)
        central = getattr(report, "central_time", None) or (client.link.last_server_time if report.ok else None)
        client.link.last_server_time = None  # a later failed round must not replay this reading
        offset = getattr(report, "clock_offset_s", None)
        local = central + timedelta(seconds=offset) if central and offset is not None else self.clock()
        self.bridge.post(Downloaded(update, central, local))

    def adopt(self, downloaded: Downloaded) -> None:
        """GUI thread: new trust data into the running checkpoint; refusals to the log and to staff."""
        if downloaded.central_time is not None:
            self.checkpoint.record_central_time(downloaded.central_time, downloaded.local_time or self.clock())
        self.checkpoint.adopt(downloaded.update)
        for line in downloaded.update.installed:
            log.info("installed %s", line)
        for problem in downloaded.update.problems.values():
            log.warning("%s", problem)
        self.housekeeping()

    def stop(self) -> None:
        self._housekeeping.stop()
        for device in self.devices:
            device.stop()
        self.devices.clear()
        if self.gate is not None:
            self.gate.stop()  # drives the relay off
        if self.sync_client is not None:
            self.sync_client.stop()
        self.checkpoint.close()

    def housekeeping(self) -> None:
        """Every minute: record the clock, and tell staff about stale trust data, a suspect clock or problems."""
        clock = self.checkpoint.observe_clock()
        self.window.show_device_status("clock", not clock.suspect, clock.detail)
        self._log_health()
        freshness = trust_freshness(self.checkpoint.trust, self.clock(), self.checkpoint.policy.grace)
        problems = [problem for name, problem in self.checkpoint.problems.items() if name not in ("log", "log moved", "log tampered")]
        self.window.show_device_status("trust", freshness.usable and not problems,
                                       "; ".join([freshness.describe(), *problems]))

    def _log_health(self) -> None:
        """Out of service while the log cannot be written (retried each minute); the sync thread follows it."""
        ok = self.checkpoint.reopen_log()
        if ok and self.sync_client is not None and self.sync_client.log is not self.checkpoint.log:
            self.sync_client.log = self.checkpoint.log
        problems = self.checkpoint.problems
        detail = problems.get("log") or problems.get("log tampered") or problems.get("log moved", "")
        self.window.show_device_status("log", ok, detail)

    def accepts_code(self, text: str) -> bool:
        """Called by the camera thread: only codes of a format this kiosk knows count as reads. Detection only:
        the GUI thread verifies the code once, when the camera announces it."""
        return detect_format(text.strip()) != "UNKNOWN"

    # -- events ------------------------------------------------------------------------------------------
    def handle_event(self, event: object) -> None:
        if isinstance(event, Downloaded):
            self.adopt(event)
        elif isinstance(event, _CITIZEN_INPUT) and self.paused:
            self.ignored_while_paused += 1
        elif isinstance(event, CardPresented):
            self.show_check(self.checkpoint.check_card(event.card))
        elif isinstance(event, (CodeScanned, CodeSeen)):
            check = self.checkpoint.check_text(event.text)
            if check is None:
                self.window.show_reading("code")  # a multi-part card waits for its other parts
            else:
                self.show_check(check)
        elif isinstance(event, CardRemoved):
            self.checkpoint.card_removed()
            self.window.card_lifted()
            self.card_lifted.emit()
        elif isinstance(event, DeviceStatus):
            self.window.show_device_status(event.device, event.ok, event.describe())

    def show_check(self, check: Check) -> Check:
        self.window.show_result(verdict_view(check.result, check.outcome))
        if "log" in self.checkpoint.problems:
            self.window.show_device_status("log", False, self.checkpoint.problems["log"])
        self.check_shown.emit(check)
        return check

    # -- staff and admin ---------------------------------------------------------------------------------
    def services(self, quit_app: Callable[[], None]) -> UiServices:
        """The callbacks the staff and admin screens use."""
        return UiServices(lookup=self.lookup_id, counts=self.today_counts, set_paused=self.set_paused,
                          health=self.health, sync_now=self.sync_now, export_to=self.export_to,
                          import_from=self.import_from, settings_changed=self.save_settings,
                          help_changed=self.set_help_requested, exit_requested=quit_app,
                          gate=self.gate.control if self.gate is not None else None)

    def lookup_id(self, id_number: str) -> VerdictView:
        """Staff lookup by typed ID number: the same status-list check as a tapped card, logged as manual, and
        decided by the checkpoint's policy, so the staff screen shows the badge the gate would."""
        check = self.show_check(self.checkpoint.lookup(id_number))
        return verdict_view(check.result, check.outcome)

    def set_help_requested(self, on: bool) -> None:
        """A citizen pressed "call staff" (or staff answered): carried by KioskHealth, hence the heartbeat."""
        self.help_requested = bool(on)

    def set_paused(self, paused: bool) -> None:
        """While staff pause the gate, taps and scans are not checked (nothing is shown or logged). Kept in the
        data directory: a gate paused by staff stays paused after a restart or a power cut."""
        self.paused = bool(paused)
        try:
            self.data.save_kiosk_state(paused=self.paused)
        except OSError as exc:
            log.warning("the pause could not be saved: %s", exc)

    def save_settings(self, settings: UiSettings) -> None:
        """The admin panel changed the screen settings: keep them across a restart."""
        values = {k: getattr(settings, k) for k in SCREEN_SETTINGS}
        values["languages"] = list(values["languages"])
        try:
            self.data.save_kiosk_state(ui=values)
        except OSError as exc:
            log.warning("the settings could not be saved: %s", exc)

    def import_from(self, folder: Path) -> str:
        """Admin panel, air-gapped site: install signed trust data from a folder (a USB stick), checked exactly
        as a download is, into the running checkpoint."""
        folder = Path(folder)
        if not folder.is_dir():
            return f"no folder {folder}"
        update = Updater(self.data, folder, memo=self.data.root / "usb-import.json").apply()
        self.adopt(Downloaded(update))
        refused = "; ".join(update.problems.get(n, "") for n in NAMES if n in update.problems)
        if update.installed:
            return "installed " + ", ".join(update.installed) + (f"; {refused}" if refused else "")
        return refused or f"nothing new in {folder} (trust-bundle[.ktb], status-list[.ksl], status-list-delta[.ksl])"

    def today_counts(self) -> dict[str, int]:
        midnight = self.clock().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
        return self.checkpoint.log.count_by_outcome(midnight.astimezone(timezone.utc))

    def sync_now(self) -> str:
        if self.sync_client is None:
            return "not enrolled with a central service (kiosk enroll URL TOKEN)"
        self.sync_client.sync_now()
        return "sync started"

    def export_to(self, folder: Path) -> str:
        from sync.bundle import export_bundles

        key = load_or_create_device_key(self.data.root / "device-key.pem")
        try:
            written = export_bundles(self.checkpoint.log, key, Path(folder), self.clock())
        except OSError as exc:
            return f"cannot write to {folder}: {exc.strerror or exc}"
        return f"{len(written)} file(s) written to {folder}" if written else "nothing new to export"

    def heartbeat_state(self):
        """Called on the sync thread every round: the admin panel's health as the central service's heartbeat.
        Only reads (the device-status dict, the checkpoint's current trust data, the log under its own lock)."""
        from kiosk.heartbeat import running_state
        now = self.clock()
        usable = trust_freshness(self.checkpoint.trust, now, self.checkpoint.policy.grace).usable
        return running_state(self.health(), self.data, self.checkpoint.log, self.paused, usable, LOG_DISK_BUDGET)

    def health(self) -> KioskHealth:
        now, cp = self.clock(), self.checkpoint
        devices = tuple(DeviceHealth(name, ok, detail) for name, (ok, detail) in self.window.device_status().items())
        bundle = DataAge("trust bundle", cp.trust.issued_at, None, str(cp.trust.version))
        status = DataAge("status list", cp.status_list.issued_at if cp.status_list else None, STATUS_LIST_MAX_AGE,
                         str(cp.status_list.version) if cp.status_list else "")
        disk = cp.log.disk_status(LOG_DISK_BUDGET)
        last = self.sync_client.last_report if self.sync_client is not None else None
        sync = SyncHealth(log_entries=cp.log.last_seq(), log_bytes=disk.log_bytes, pending=cp.log.pending_count(),
                          last_sync_ok=None if last is None else last.ok,
                          last_sync_message="" if last is None else (last.error or f"{last.uploaded} uploaded"))
        clock = cp.clock_check(now)
        return KioskHealth(now=now, kiosk_id=self.device_id, devices=devices, data=(bundle, status), sync=sync,
                           clock_ok=not clock.suspect, clock_detail=clock.detail,
                           problems=tuple(cp.problems.values()), paused=self.paused,
                           help_requested=self.help_requested,
                           gate=self.gate.keeper.health() if self.gate is not None else None)


def make_window(config: KioskConfig, data: DataDir, screen: tuple[int, int] | None = None) -> KioskWindow:
    """The window with the site's settings: languages, kiosk mode, identity, and any [ui] keys of kiosk.toml;
    `screen` (W, H) puts it on a panel of that size (and that panel's typical pitch unless [ui] sets one); over
    them what an admin last changed on screen (kept in the data directory, so it survives a restart)."""
    try:
        settings = UiSettings(languages=config.languages, kiosk_mode=config.fullscreen,
                              kiosk_id=data.device().device_id, site_name=config.site, **config.ui)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"[ui]: {exc}") from None
    if screen is not None:
        settings = settings.for_panel(*screen, pitch_mm=config.ui.get("pixel_pitch_mm"))
    if not settings.lockout_state_path:  # PIN lockouts survive a restart: kept beside the kiosk's other state
        settings = settings.replace(lockout_state_path=str(data.root / "pin-lockouts.json"))
    saved = data.kiosk_state().get("ui", {})
    if isinstance(saved, dict):
        kept = {k: v for k, v in saved.items() if k in SCREEN_SETTINGS}
        try:
            settings = settings.replace(**{**kept, **({"languages": tuple(kept["languages"])}
                                                      if isinstance(kept.get("languages"), list) else {})})
        except (TypeError, ValueError) as exc:  # a damaged record: the site's settings stand
            log.warning("saved screen settings ignored: %s", exc)
    return KioskWindow(settings)


def run_kiosk(config: KioskConfig, data_root: str | None) -> int:
    """Start the kiosk on the configured devices and run until the window closes (kiosk mode: admin exit only)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    data = DataDir(data_root)
    window = make_window(config, data)
    try:
        kiosk = Kiosk(config, data, window)
    except VerificationError as exc:
        raise ConfigError(f"the data directory's trust data is unusable: {exc}") from None
    window.set_services(kiosk.services(app.quit))
    window.show_kiosk() if config.fullscreen else window.show()
    kiosk.start_devices()
    try:
        return app.exec()
    finally:
        kiosk.stop()
