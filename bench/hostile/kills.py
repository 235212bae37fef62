"""Exactly-once over N SIGKILLs of a kiosk, including log resets and damaged-log restarts.

One signed kiosk (bench/hostile/child.py, which opens its log as the kiosk does: epochs, a damaged file moved
aside) against `kiosk-central serve` over SQLite on loopback. Runs alternate: a child logging checks is killed after
1-150 shown verdicts, a child uploading (batches of 50) after 0-4 acknowledged batches. After every fifth run
(counting from the second) the log is *reset* (its files moved aside, as staff would, the `log-epoch` record
kept); after every fifth from the fifth it is *damaged* before the restart (alternately truncated to 10-90 % of its
size, or its header overwritten). At the end an unkilled child uploads the current log, and each reset log is
uploaded from where it was moved (a staff recovery: the files are intact).

Counted at the central: every verdict shown (seq printed after the durable append) must be stored exactly once.
`lost` = shown, not at the central, and not destroyed on purpose: the events still pending in a log this benchmark
damaged are counted apart (`destroyed_by_damage`): nothing can bring back what the disk lost. `duplicated` = rows
minus distinct event ids; `conflicts` = events the central refused under a number it already held (what a reset
did before log epochs).
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bench.hostile.child import KEY_NAME, LOG_NAME
from sync.central.storage.registry import create_enrollment_token, enroll
from sync.central.storage.store import Store
from sync.client import SyncClient
from sync.devicekey import load_or_create_device_key, public_key_b64
from sync.eventlog import EventLog
from sync.logfile import read_epoch
from sync.transport import CentralLink
from tests.sync.sync_testkit import HASH_KEY, NOW, CentralProcess

REPO = Path(__file__).resolve().parents[2]
DEVICE = "bench-hostile"


def _child(*argv: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "bench.hostile.child", *argv], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def _kill_after(proc: subprocess.Popen, lines: int, shown: set[int]) -> None:
    """Read `lines` progress lines (seqs go into `shown`), then SIGKILL the child."""
    read = 0
    while read < lines:
        line = proc.stdout.readline()
        if not line:
            break  # the child ended by itself
        if line.strip().isdigit():
            shown.add(int(line))
        if not line.startswith("moved"):
            read += 1
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    proc.stdout.close()


def _pending(path: Path) -> set[int]:
    """The events the killed kiosk's log still holds unacknowledged (read before the benchmark damages it)."""
    if not path.exists():
        return set()
    try:
        db = sqlite3.connect(path)
        try:
            return {r[0] for r in db.execute("SELECT seq FROM events WHERE synced_at IS NULL")}
        finally:
            db.close()
    except sqlite3.DatabaseError:
        return set()  # already damaged (e.g. a kill while it was being moved aside)


def _damage(path: Path, rng: random.Random, truncate: bool) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    with open(path, "r+b") as fh:
        if truncate:
            fh.truncate(int(path.stat().st_size * rng.uniform(0.1, 0.9)))
        else:
            fh.write(rng.randbytes(100))
    return True


def _reset(folder: Path, n: int) -> Path:
    aside = folder / "aside" / f"reset-{n}"
    aside.mkdir(parents=True)
    for p in folder.glob(LOG_NAME + "*"):
        if ".damaged-" not in p.name:
            shutil.move(str(p), aside / p.name)
    return aside


def _recover(aside: list[Path], url: str, key) -> int:
    """Upload what each reset log still holds pending, from where it was moved; returns events uploaded."""
    uploaded = 0
    link = CentralLink(url, DEVICE, key, timeout=30)
    try:
        for folder in aside:
            if not (folder / LOG_NAME).exists():
                continue
            with EventLog(folder / LOG_NAME, DEVICE, HASH_KEY) as log:
                report = SyncClient(log, link, folder / "downloads", files=()).sync_once()
                uploaded += report.uploaded
    finally:
        link.close()
    return uploaded


def run(tmp: Path, kills: int, seed: int = 2026) -> dict:
    rng = random.Random(seed)
    folder = tmp / "kiosk"
    folder.mkdir(parents=True)
    key = load_or_create_device_key(folder / KEY_NAME)
    db_url = f"sqlite:///{tmp / 'central.db'}"
    store = Store(db_url)
    with store.tx() as tx:
        enroll(tx, create_enrollment_token(tx, "bench", NOW), DEVICE, public_key_b64(key), NOW)
    central = CentralProcess(db_url).start()
    shown: set[int] = set()
    destroyed: set[int] = set()
    aside: list[Path] = []
    damaged = 0
    t0 = time.perf_counter()
    try:
        for i in range(kills):
            if i % 2 == 0:
                _kill_after(_child("log", str(folder), DEVICE, "1000000"), rng.randint(1, 150), shown)
            else:
                _kill_after(_child("upload", str(folder), DEVICE, central.url, "50"), rng.randint(0, 4), shown)
            if i % 5 == 1:
                aside.append(_reset(folder, i))
            elif i % 5 == 4:
                pending = _pending(folder / LOG_NAME)
                if _damage(folder / LOG_NAME, rng, truncate=(i // 5) % 2 == 0):
                    destroyed |= pending
                    damaged += 1
        final = _child("upload", str(folder), DEVICE, central.url, "500")
        last = final.communicate(timeout=900)[0].strip().splitlines()
        recovered = _recover(aside, central.url, key)
    finally:
        central.stop()
    with store.tx() as tx:
        rows, distinct = tx.execute("SELECT COUNT(*), COUNT(DISTINCT event_id) FROM events WHERE device_id = ?",
                                    (DEVICE,)).fetchone()
        at_central = {r[0] for r in tx.execute("SELECT seq FROM events WHERE device_id = ?", (DEVICE,)).fetchall()}
        flags = dict(tx.execute("SELECT kind, COUNT(*) FROM chain_flags WHERE device_id = ? GROUP BY kind",
                                (DEVICE,)).fetchall())
    store.close()
    lost = shown - at_central - destroyed
    return {"kills": kills, "resets": len(aside), "damaged_restarts": damaged,
            "damaged_files_moved_aside": len(list(folder.glob(LOG_NAME + ".damaged-*"))),
            "kiosk_epoch": read_epoch(folder), "epochs_at_central": len({s >> 40 for s in at_central}), "shown_verdicts": len(shown), "central_rows": rows,
            "lost": len(lost), "duplicated": rows - distinct, "conflicts": flags.get("conflict", 0),
            "chain_flags": flags, "destroyed_by_damage": len(destroyed - at_central),
            "recovered_from_reset_logs": recovered, "final_round": last[-1] if last else "(no answer)",
            "seconds": round(time.perf_counter() - t0, 1)}


def report(out: dict) -> None:
    print(f"SIGKILL runs: {out['kills']} kills ({out['resets']} followed by a log reset, {out['damaged_restarts']} by "
          f"a damaged log, {out['damaged_files_moved_aside']} damaged files moved aside by the kiosk), the kiosk now in "
          f"log epoch {out['kiosk_epoch']}, {out['epochs_at_central']} epochs with events at the central, "
          f"{out['seconds']} s")
    print(f"  shown verdicts {out['shown_verdicts']}: lost {out['lost']}, duplicated {out['duplicated']}, "
          f"conflicts {out['conflicts']}  (target 0, 0, 0)")
    print(f"  destroyed with a damaged log before upload (not counted as lost) {out['destroyed_by_damage']}; "
          f"uploaded from reset logs at the end {out['recovered_from_reset_logs']}; chain flags {out['chain_flags']}; "
          f"final round: {out['final_round']}")
