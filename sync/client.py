"""The kiosk's sync client: uploads the log in signed batches and fetches trust data, in a background thread.

Why: a gate may be offline for weeks; the backlog then goes up in batches that the central service accepts exactly
once by (device, seq), each batch marked synced only after the service answered, so a kill at any point repeats at
most one batch. After an upload, synced events older than the retention period are purged (never unsynced
ones). Failures back off exponentially with jitter. Trust bundles, status-list deltas and settings are
fetched with If-None-Match and stored as opaque bytes (atomically) in a folder the caller names.

Threads: `start()` runs `sync_once` on its own daemon thread; `sync_now()` may be called from any thread (the admin
panel's) and wakes it. The verdict path never waits for this thread: it only shares the log's short-held lock.
"""
from __future__ import annotations

import os
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sync.eventlog import EventLog
from sync.heartbeat import Heartbeat, HeartbeatSource, KioskState, utc_text
from sync.transport import CentralLink, SyncError

DEFAULT_FILES = ("trust-bundle", "status-list-delta", "settings")


@dataclass
class SyncReport:
    uploaded: int = 0
    duplicates: int = 0
    batches: int = 0
    chain_breaks: list[int] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)  # conflicts or quarantined: never acknowledged, kept pending
    quarantined: list[int] = field(default_factory=list)  # the central found their hash or signature wrong
    tampered: list[int] = field(default_factory=list)  # the local check before upload found them broken
    updated_files: list[str] = field(default_factory=list)
    purged: int = 0  # synced events older than the retention period, removed after this round's upload
    error: str = ""
    timed_out: bool = False  # a transfer ran past its deadline: the round ended there, without a heartbeat
    heartbeat_sent: bool = False
    central_time: datetime | None = None  # the central service's clock when it took this round's heartbeat
    clock_offset_s: float | None = None  # our clock minus the central service's, as it measured it

    @property
    def ok(self) -> bool:
        return not self.error


class SyncClient:
    """Moves one device's log to the central service and trust data back."""

    def __init__(self, log: EventLog, link: CentralLink, download_dir: str | os.PathLike,
                 files: tuple[str, ...] = DEFAULT_FILES, batch_size: int = 2000, interval_s: float = 300.0,
                 backoff_base_s: float = 2.0, backoff_cap_s: float = 900.0, rng: random.Random | None = None,
                 heartbeat: HeartbeatSource | None = None,
                 keep_synced_for: timedelta | None = timedelta(days=90),
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
                 after_round: Callable[[SyncClient, SyncReport], None] | None = None) -> None:
        self.log = log
        self.link = link
        self.public_key = getattr(link, "public_key", None)  # to check the log's signatures before each upload
        self.download_dir = Path(download_dir)
        self.files = files
        self.batch_size = batch_size
        self.interval_s = interval_s
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
        self._rng = rng or random.Random()
        self.heartbeat_source = heartbeat  # () -> KioskState, from the composition root; called every round
        self._clock = clock
        self.keep_synced_for = keep_synced_for
        self.after_round = after_round  # the kiosk installs what was downloaded (kiosk/updates.py), same thread
        self.failures = 0
        self.last_report: SyncReport | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._done = threading.Condition()
        self._rounds = 0
        self._thread: threading.Thread | None = None
        self._run_lock = threading.Lock()

    # ------------------------------------------------------------------ one round
    def sync_once(self) -> SyncReport:
        """Upload every pending event, refresh the downloads, then send the heartbeat (also after a failed step,
        except a transfer that ran out its deadline), which carries the failed-rounds count including this round.
        Never raises: faults end up in `report.error`."""
        with self._run_lock:
            report = SyncReport()
            try:
                self._upload_all(report)
                if self.keep_synced_for is not None:
                    report.purged = self.log.purge(self._clock(), self.keep_synced_for)
                self._download_all(report)
            except SyncError as exc:
                report.error = str(exc)
                report.timed_out = exc.timed_out
            except Exception as exc:  # a full disk, a broken file, a malformed answer: report it, keep the thread
                report.error = f"{type(exc).__name__}: {exc}"
            self._after_round(report)
            self.failures = 0 if report.ok else self.failures + 1
            # the heartbeat last, so it reports what this round installed; none after a transfer ran out its
            # deadline: that central would hold this one too (a trickling server: two deadlines for one round)
            if not report.timed_out:
                self._send_heartbeat(report)
            self.last_report = report
            return report

    def heartbeat(self, error: str = "") -> Heartbeat:
        """This round's heartbeat: the kiosk's state from the source, our clock, the backlog, the last error."""
        state = KioskState()
        if self.heartbeat_source is not None:
            try:
                state = self.heartbeat_source()
            except Exception as exc:  # the source must never stop the sync thread: report its failure instead
                error = error or f"heartbeat source: {type(exc).__name__}: {exc}"
        try:
            backlog = self.log.pending_count()
        except Exception:
            backlog = -1
        last = self.last_report
        return Heartbeat(kiosk_utc=utc_text(self._clock()), state=state, backlog=backlog,
                         last_error=error or (last.error if last else ""), sync_failures=self.failures)

    def _send_heartbeat(self, report: SyncReport) -> None:
        try:
            answer = self.link.heartbeat(self.heartbeat(report.error).to_json())
        except SyncError as exc:
            if report.ok:  # the round failed after all: back off like any failed round
                self.failures += 1
            report.error = report.error or str(exc)
            return
        report.heartbeat_sent = True
        try:
            report.central_time = datetime.fromisoformat(str(answer["central_utc"]).replace("Z", "+00:00"))
            report.clock_offset_s = float(answer["clock_offset_s"])
        except (KeyError, TypeError, ValueError):
            report.error = report.error or "the heartbeat answer carries no central time"

    def _upload_all(self, report: SyncReport) -> None:
        if self.public_key is not None:  # the keyed chain, checked before anything leaves the kiosk
            report.tampered = self.log.verify_chain(self.public_key, unsynced_only=True)
        pending = self.log.events(unsynced_only=True, limit=1)
        after = pending[0]["seq"] - 1 if pending else None
        while after is not None:
            batch = self.log.events(after_seq=after, limit=self.batch_size, unsynced_only=True)
            if not batch:
                break
            answer = self.link.upload(batch)
            if answer.get("through_seq") != batch[-1]["seq"] or not isinstance(answer.get("stored"), int):
                raise SyncError(f"service acknowledged through {answer.get('through_seq')}, sent {batch[-1]['seq']}")
            sent = {e["seq"] for e in batch}
            named = list(answer.get("conflicts") or []) + list(answer.get("quarantined") or [])
            refused = sorted({s for s in named if s in sent})
            if len(refused) != len(set(named)):
                raise SyncError("the service refused events it was not sent", retryable=False)
            report.quarantined += [s for s in answer.get("quarantined") or [] if s in sent]
            self.log.mark_synced(batch[-1]["seq"], self._clock(), after_seq=after, refused=tuple(refused))
            report.uploaded += int(answer.get("stored", 0))
            report.duplicates += int(answer.get("duplicates", 0))
            report.chain_breaks += list(answer.get("chain_breaks", []))
            report.refused += refused
            report.batches += 1
            after = batch[-1]["seq"]
        if report.refused or report.tampered:  # never acknowledged: they stay pending; staff must see this round
            raise SyncError(_refusal_text(report), retryable=False)

    def _download_all(self, report: SyncReport) -> None:
        self.download_dir.mkdir(parents=True, exist_ok=True)
        for name in self.files:
            etag_path = self.download_dir / f".{name}.etag"
            etag = etag_path.read_text().strip() if etag_path.exists() and (self.download_dir / name).exists() else ""
            got = self.link.download(name, etag)
            if got.status == 200:
                _write_atomically(self.download_dir / name, got.body)
                _write_atomically(etag_path, got.etag.encode())
                report.updated_files.append(name)

    def fetch(self, name: str) -> bytes | None:
        """Download `name` now, unconditionally (a status-list delta whose base the kiosk lacks needs the full
        list); stores it like the round's downloads. None when nothing is published or the service is away."""
        try:
            got = self.link.download(name)
        except SyncError:
            return None
        if got.status != 200:
            return None
        self.download_dir.mkdir(parents=True, exist_ok=True)
        _write_atomically(self.download_dir / name, got.body)
        _write_atomically(self.download_dir / f".{name}.etag", got.etag.encode())
        return got.body

    def _after_round(self, report: SyncReport) -> None:
        if self.after_round is None:
            return
        try:
            self.after_round(self, report)
        except Exception as exc:  # installing is the kiosk's business; it must never stop the sync thread
            report.error = report.error or f"installing downloads: {type(exc).__name__}: {exc}"

    # ------------------------------------------------------------------ background thread
    def next_delay(self) -> float:
        """Seconds until the next round: the interval after success, else exponential backoff with jitter."""
        if self.failures == 0:
            return self.interval_s
        ceiling = min(self.backoff_cap_s, self.backoff_base_s * 2 ** min(self.failures - 1, 30))
        return self._rng.uniform(ceiling / 2, ceiling)

    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="kiosk-sync", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sync_once()
            with self._done:
                self._rounds += 1
                self._done.notify_all()
            self._wake.wait(self.next_delay())
            self._wake.clear()

    def sync_now(self, wait_s: float | None = None) -> SyncReport | None:
        """Ask for a round now (admin panel). With `wait_s`, wait that long for it and return its report."""
        with self._done:
            target = self._rounds + (2 if self._run_lock.locked() else 1)
        if not (self._thread and self._thread.is_alive()):
            return self.sync_once()  # not started: the caller asked for a round, run it here
        self._wake.set()
        if wait_s is None:
            return None
        with self._done:
            if not self._done.wait_for(lambda: self._rounds >= target, timeout=wait_s):
                return None
        return self.last_report

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout_s)


def _refusal_text(report: SyncReport) -> str:
    def seqs(values: list[int]) -> str:
        return ", ".join(map(str, values[:5])) + (", ..." if len(values) > 5 else "")
    parts = []
    conflicts = [s for s in report.refused if s not in report.quarantined]
    if conflicts:
        parts.append(f"the central service refused {len(conflicts)} event(s) as conflicts with events it already "
                     f"holds (seq {seqs(conflicts)})")
    if report.quarantined:
        parts.append(f"the central service quarantined {len(report.quarantined)} tampered event(s) "
                     f"(seq {seqs(report.quarantined)})")
    if report.tampered:
        parts.append(f"the local log fails its keyed chain check at {len(report.tampered)} event(s) "
                     f"(seq {seqs(report.tampered)})")
    return "; ".join(parts) + "; refused events stay pending"


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
