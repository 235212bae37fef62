"""A kiosk process for the hostile SIGKILL runs: it opens its log the way the kiosk does (sync.logfile.open_log:
log epochs, a damaged file moved aside), signs every event with the device key, and logs or uploads.

`log FOLDER DEVICE COUNT`: append COUNT checks, printing each stored seq once `append` returned (the moment the
verdict would be shown). `upload FOLDER DEVICE URL BATCH`: one sync round, printing "batch N" after each
acknowledged batch and "done" at the end. The key is FOLDER/device-key.pem, the log FOLDER/events.sqlite. The
parent kills it at any point with SIGKILL.
"""
from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from kiosk.core.outcome.verdicts import Outcome
from sync.client import SyncClient
from sync.devicekey import load_or_create_device_key
from sync.logfile import open_log
from sync.transport import CentralLink
from tests.sync.sync_testkit import HASH_KEY, card_result

LOG_NAME, KEY_NAME = "events.sqlite", "device-key.pem"


def main(argv: list[str]) -> int:
    mode, folder, device_id = argv[0], Path(argv[1]), argv[2]
    key = load_or_create_device_key(folder / KEY_NAME)
    opened = open_log(folder / LOG_NAME, device_id, HASH_KEY, signer=key)
    log = opened.log
    if opened.moved_aside:
        print(f"moved {opened.moved_aside.name}", flush=True)
    if mode == "log":
        for i in range(int(argv[3])):
            event = log.append(card_result(i), Outcome.PASS, "card", datetime.now(timezone.utc))
            print(event["seq"], flush=True)
        return 0
    url, batch = argv[3], int(argv[4])
    marked = log.mark_synced

    def mark_and_say(through_seq, now, after_seq=0, **kwargs):
        n = marked(through_seq, now, after_seq, **kwargs)
        print(f"batch {through_seq}", flush=True)
        return n
    log.mark_synced = mark_and_say
    link = CentralLink(url, device_id, key, timeout=30)
    report = SyncClient(log, link, folder / "downloads", files=(), batch_size=batch).sync_once()
    print("done" if report.ok else f"error {report.error}", flush=True)
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
