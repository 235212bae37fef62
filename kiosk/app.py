"""The composition root: reads the config, opens the devices, wires their events through the core to the screen.

The only module that knows every part. Device threads call `EventBridge.post`; the bridge's signal delivers
each event in the GUI thread, where `Kiosk.handle_event` verifies it (sub-millisecond, pure core), logs it
durably (a verdict is logged before it is shown) and shows it.
"""
from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from PySide6.QtCore import QObject, Signal

from drivers.camera.events import CameraAvailable, CameraUnavailable, CodeSeen
from drivers.sam.events import CardPresented, CardRemoved, ReaderAvailable, ReaderFault, ReaderUnavailable
from drivers.scanner.events import CodeScanned, ScannerAvailable, ScannerFault, ScannerUnavailable
from kiosk.config import KioskConfig
from kiosk.core import status_list as status_list_mod
from kiosk.core.card import CardIdentity, CardType
from kiosk.core.card_check import verify_card
from kiosk.core.idnumber import normalise
from kiosk.core.result import VerificationResult
from kiosk.core.shc_chunks import ChunkAssembler
from kiosk.core.verdicts import Outcome, VerificationError
from kiosk.core.verify import verify_text
from kiosk.datadir import DataDir
from kiosk.ui.bridge import EventBridge
from kiosk.ui.window import KioskWindow
from sync.eventlog import EventLog


PARTS_TIMEOUT_S = 60.0
MULTIPART_SHC = re.compile(r"^shc:/\d{1,2}/\d{1,2}/\d", re.IGNORECASE)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Check:
    """One completed check, as shown: what the demo and the tests observe."""

    result: VerificationResult
    outcome: Outcome
    input_kind: str  # card | code | manual
    event: dict[str, Any]
    latency_ms: float


class Kiosk(QObject):
    """Lives in the GUI thread; every method here runs there."""

    check_shown = Signal(object)  # Check
    card_lifted = Signal()  # the reader saw the card taken away

    def __init__(self, config: KioskConfig, data: DataDir, window: KioskWindow,
                 clock: Callable[[], datetime] = utc_now) -> None:
        super().__init__()
        self.config = config
        self.data = data
        self.window = window
        self.clock = clock
        self.bridge = EventBridge()
        self.bridge.received.connect(self.handle_event)
        self.trust = data.trust()
        self.status_list = self._load_status_list()
        device = data.device()
        self.log = EventLog(data.event_log_path, device.device_id, device.log_hash_key)
        self.devices: list[Any] = []
        self._parts = ChunkAssembler()
        self._parts_started = 0.0

    def _load_status_list(self) -> status_list_mod.StatusList | None:
        path = self.data.status_list_path
        if not path.exists():
            return None
        try:
            return status_list_mod.load(path.read_bytes(), self.trust)
        except VerificationError as exc:
            self.window.show_device_status("trust", False, f"status list rejected: {exc.reason}")
            return None

    # -- devices -----------------------------------------------------------------------------------------
    def start_devices(self) -> None:
        """Open every configured device; each runs its own thread and reports through the bridge."""
        cfg = self.config.devices
        if cfg.reader:
            from drivers.sam.reader import CardReader
            self.devices.append(CardReader(cfg.reader, self.bridge.post, baudrate=cfg.reader_baud))
        if cfg.scanner:
            from drivers.scanner.scanner import QrScanner
            self.devices.append(QrScanner(cfg.scanner, self.bridge.post, baudrate=cfg.scanner_baud))
        if cfg.camera:
            from drivers.camera.capture import CameraCapture
            self.devices.append(CameraCapture(cfg.camera, self.bridge.post, accept=self.accepts_code))
        for device in self.devices:
            device.start()

    def stop(self) -> None:
        for device in self.devices:
            device.stop()
        self.devices.clear()
        self.log.close()

    def accepts_code(self, text: str) -> bool:
        """Called by the camera thread: only codes that verify as some known format count as reads."""
        return verify_text(text, self.trust, self.clock()).format != "UNKNOWN"

    # -- events ------------------------------------------------------------------------------------------
    def handle_event(self, event: object) -> None:
        started = time.perf_counter()
        if isinstance(event, CardPresented):
            result = verify_card(event.card, self.status_list, self.clock())
            self.show_check(with_subject(result, normalise(event.card.id_number)), "card", started)
        elif isinstance(event, (CodeScanned, CodeSeen)):
            text = self.assemble_parts(event.text)
            if text is not None:
                result = verify_text(text, self.trust, self.clock())
                self.show_check(with_subject(result, result.pass_id), "code", started)
        elif isinstance(event, CardRemoved):
            self.window.card_lifted()
            self.card_lifted.emit()
        elif isinstance(event, (ReaderAvailable, ReaderUnavailable, ReaderFault)):
            self.window.show_device_status("reader", isinstance(event, ReaderAvailable), _detail(event))
        elif isinstance(event, (ScannerAvailable, ScannerUnavailable, ScannerFault)):
            self.window.show_device_status("scanner", isinstance(event, ScannerAvailable), _detail(event))
        elif isinstance(event, (CameraAvailable, CameraUnavailable)):
            self.window.show_device_status("camera", isinstance(event, CameraAvailable), _detail(event))

    def assemble_parts(self, text: str) -> str | None:
        """Collect the parts of a multi-part SMART Health Card (`shc:/C/N/...`); None while parts are missing.

        A part that does not fit, or a card left unfinished for PARTS_TIMEOUT_S, starts over; a part that cannot
        be read at all goes on to the verifier, which gives it its typed verdict.
        """
        if not MULTIPART_SHC.match(text.strip()):
            return text
        now = time.monotonic()
        if now - self._parts_started > PARTS_TIMEOUT_S:
            self._parts.reset()
        if not self._parts.parts:
            self._parts_started = now
        try:
            whole = self._parts.add(text)
        except VerificationError:
            self._parts.reset()
            return text
        if whole is None:
            self.window.show_reading("code")
        return whole

    def lookup_id(self, id_number: str) -> VerificationResult:
        """Staff lookup by typed ID number: the same status-list check as a tapped card, logged as manual."""
        card = CardIdentity(CardType.RESIDENT, name="", id_number=id_number)
        result = with_subject(verify_card(card, self.status_list, self.clock()), normalise(id_number))
        self.show_check(result, "manual", time.perf_counter())
        return result

    def show_check(self, result: VerificationResult, input_kind: str, started: float) -> Check:
        outcome = self.config.policy.outcome(result)
        event = self.log.append(result, outcome, input_kind, self.clock(), time.monotonic_ns())
        self.window.show_result(result, outcome)
        check = Check(result, outcome, input_kind, event, (time.perf_counter() - started) * 1000)
        self.check_shown.emit(check)
        return check


def with_subject(result: VerificationResult, subject: str) -> VerificationResult:
    """Attach the in-memory subject digest the log turns into a keyed hash (never stored as is)."""
    if result.subject_digest or not subject:
        return result
    return result.with_changes(subject_digest=hashlib.sha256(subject.encode()).digest())


def _detail(event: object) -> str:
    return str(getattr(event, "reason", "") or getattr(event, "detail", "") or "")


def run_kiosk(config: KioskConfig, data_root: str | None) -> int:
    """Start the kiosk on the configured devices and run until the window closes."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    window = KioskWindow()
    kiosk = Kiosk(config, DataDir(data_root), window)
    if config.fullscreen:
        window.showFullScreen()
    else:
        window.resize(1280, 800)
        window.show()
    kiosk.start_devices()
    try:
        return app.exec()
    finally:
        kiosk.stop()
