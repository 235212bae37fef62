"""A kiosk process for the SIGKILL tests and benchmark: it logs checks or uploads its log, reporting each step.

`log LOG DEVICE COUNT`: append COUNT checks, printing each stored seq after `append` returned (the moment the
verdict would be shown). `upload LOG DEVICE KEY URL BATCH`: one sync round, printing "batch N" after each
acknowledged batch. The parent kills it at any point with SIGKILL.
"""
from __future__ import annotations

import sys
from datetime import datetime, timezone

from kiosk.core.outcome.verdicts import Outcome
from sync.client import SyncClient
from sync.devicekey import load_or_create_device_key
from sync.eventlog import EventLog
from sync.transport import CentralLink
from tests.sync.sync_testkit import HASH_KEY, card_result


class _PrintingLog(EventLog):
    def mark_synced(self, through_seq, now, after_seq=0, **kwargs):
        n = super().mark_synced(through_seq, now, after_seq, **kwargs)
        print(f"batch {through_seq}", flush=True)
        return n


def main(argv: list[str]) -> int:
    mode, log_path, device_id = argv[:3]
    if mode == "log":
        log = EventLog(log_path, device_id, HASH_KEY)
        for i in range(int(argv[3])):
            event = log.append(card_result(i), Outcome.PASS, "card", datetime.now(timezone.utc))
            print(event["seq"], flush=True)
        return 0
    key_path, url, batch = argv[3:6]
    log = _PrintingLog(log_path, device_id, HASH_KEY)
    link = CentralLink(url, device_id, load_or_create_device_key(key_path), timeout=10)
    report = SyncClient(log, link, log_path + ".downloads", files=(), batch_size=int(batch)).sync_once()
    print("done" if report.ok else f"error {report.error}", flush=True)
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
