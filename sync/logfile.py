"""Opening the kiosk's event log on a bad day: a damaged file is moved aside and a new log epoch begins.

Why: the central service knows an event by (device, seq). When the log was reset (moved aside, restored from an
old copy, or replaced after corruption) a new log starting again at seq 1 would reuse numbers the central
already holds; those checks would be refused as conflicts. So every new log of a device starts a new *epoch*:
its sequence numbers are `epoch * EPOCH_SPAN + 1, + 2, ...`, and the last epoch used is remembered in
`log-epoch` beside the log (a different name, so moving `events.sqlite*` aside keeps it). A damaged file is
renamed `events.sqlite.damaged-<UTC time>` with its WAL files, never deleted: nothing is lost, and
what is readable in it stays there for staff to recover. Called once at start-up (any thread).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.eventlog import EventLog, EventLogError, LogCorrupt

EPOCH_FILE = "log-epoch"


@dataclass
class OpenedLog:
    log: EventLog
    moved_aside: Path | None = None  # where a damaged log was put, when one was
    new_epoch: bool = False


def read_epoch(folder: Path) -> int | None:
    try:
        text = (folder / EPOCH_FILE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isascii() and text.isdigit() and len(text) < 8 else None


def write_epoch(folder: Path, epoch: int) -> None:
    path = folder / EPOCH_FILE
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="ascii") as fh:
        fh.write(str(epoch))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def move_aside(path: Path, now: datetime) -> Path:
    """Rename the log and its WAL/SHM files out of the way; returns the log's new name."""
    stamp = now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    for suffix in ("-wal", "-shm", ""):
        source = path.with_name(path.name + suffix)
        if source.exists():
            os.replace(source, target.with_name(target.name + suffix))
    return target


def open_log(path: str | os.PathLike, device_id: str, hash_key: bytes,
             now: datetime | None = None, signer: Ed25519PrivateKey | None = None) -> OpenedLog:
    """The device's log, ready to append. A damaged file is moved aside and a fresh log of a new epoch
    started; EventLogError (never a traceback) when the medium cannot be written at all (read-only, full)."""
    path = Path(path)
    known = read_epoch(path.parent)
    fresh = not path.exists() or path.stat().st_size == 0
    moved = None
    try:
        log = EventLog(path, device_id, hash_key, new_epoch=_next(known, fresh), signer=signer)
    except LogCorrupt:
        moved = move_aside(path, now or datetime.now(timezone.utc))
        fresh = True
        log = EventLog(path, device_id, hash_key, new_epoch=_next(known, fresh, after_damage=True), signer=signer)
    epoch = log.epoch
    if known is None or epoch > known:
        try:
            write_epoch(path.parent, epoch)
        except OSError as exc:
            log.close()
            raise EventLogError(f"cannot record the log epoch in {path.parent}: {exc}") from exc
    return OpenedLog(log, moved, fresh and epoch > 0)


def _next(known: int | None, fresh: bool, after_damage: bool = False) -> int:
    """The epoch a new log starts; an existing log keeps its own (the value is then ignored)."""
    if not fresh:
        return 0
    if known is not None:
        return known + 1
    return 1 if after_damage else 0
