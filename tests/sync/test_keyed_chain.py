"""The keyed chain: every event signed with the device key over its hash; checked at start-up, before each
upload and on arrival; a rewritten event is flagged and quarantined and sync fails loudly."""
from __future__ import annotations

import sqlite3

import pytest

from kiosk.core.outcome.verdicts import Outcome, Verdict
from sync import chain
from sync.central.storage import registry
from sync.central.storage.store import Store
from sync.client import SyncClient
from tests.sync.sync_testkit import NOW, card_result


@pytest.fixture
def db_url(sqlite_url):
    return sqlite_url


def _rewrite_as_pass(log, seq: int) -> None:
    """The attacker without the key: STOP -> PASS in the file, hashes recomputed down the chain."""
    db = sqlite3.connect(log.path)
    rows = log.events(limit=10**6)
    prev = None
    for event in rows:
        if event["seq"] == seq:
            event.update(verdict="VALID", reason="OK", outcome="PASS")
        if prev is not None:
            event["prev_hash"] = prev
        event["hash"] = chain.event_hash(event)
        db.execute("UPDATE events SET verdict = ?, reason = ?, outcome = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                   (event["verdict"], event["reason"], event["outcome"], event["prev_hash"], event["hash"],
                    event["seq"]))
        prev = event["hash"]
    db.commit()
    db.close()


def test_a_rewritten_unsynced_stop_is_caught_locally_and_quarantined_centrally(kiosk, central, db_url, tmp_path):
    for i in range(4):
        kiosk.log.append(card_result(i, Verdict.REVOKED if i == 2 else Verdict.VALID),
                         Outcome.STOP if i == 2 else Outcome.PASS, "card", NOW)
    assert kiosk.log.verify_chain(kiosk.key.public_key()) == []
    _rewrite_as_pass(kiosk.log, 3)
    assert kiosk.log.verify_chain() == []  # the unkeyed chain alone is fooled
    assert 3 in kiosk.log.verify_chain(kiosk.key.public_key())
    report = SyncClient(kiosk.log, kiosk.link, tmp_path / "dl", files=()).sync_once()
    assert not report.ok and 3 in report.tampered and 3 in report.quarantined
    assert "quarantined" in report.error and "keyed chain" in report.error
    assert kiosk.log.pending_count() >= 1  # never acknowledged
    store = Store(db_url)
    with store.tx() as tx:
        stored = [r[0] for r in tx.execute("SELECT seq FROM events ORDER BY seq").fetchall()]
        kinds = {(f["seq"], f["kind"]) for f in registry.chain_flags(tx)}
    store.close()
    assert 3 not in stored and (3, "signature") in kinds


def test_a_deleted_last_row_is_a_gap_never_a_reused_number(kiosk):
    for i in range(3):
        kiosk.log.append(card_result(i), Outcome.PASS, "card", NOW)
    db = sqlite3.connect(kiosk.log.path)
    db.execute("DELETE FROM events WHERE seq = 3")
    db.commit()
    db.close()
    assert kiosk.log.verify_chain(kiosk.key.public_key()) == [3]
    event = kiosk.log.append(card_result(9), Outcome.PASS, "card", NOW)
    assert event["seq"] == 4


def test_stripped_signatures_are_flagged(kiosk):
    for i in range(3):
        kiosk.log.append(card_result(i), Outcome.PASS, "card", NOW)
    db = sqlite3.connect(kiosk.log.path)
    db.execute("UPDATE events SET sig = NULL WHERE seq >= 2")
    db.commit()
    db.close()
    assert kiosk.log.verify_chain(kiosk.key.public_key()) == [2, 3]


def test_the_checkpoint_checks_the_chain_at_start_up(tmp_path):
    from kiosk.checkpoint import Checkpoint
    from kiosk.config import KioskConfig
    from kiosk.datadir import DataDir
    from kiosk.demo_data import GREEN_CARD, provision
    data = DataDir(tmp_path / "data")
    provision(data, NOW, tmp_path)
    checkpoint = Checkpoint(KioskConfig(), data)
    for _ in range(3):
        assert checkpoint.check_card(GREEN_CARD).event["sig"]
    _rewrite_as_pass(checkpoint.log, 2)
    checkpoint.close()
    again = Checkpoint(KioskConfig(), data)
    try:
        assert "keyed chain" in again.problems["log tampered"]
    finally:
        again.close()


def test_out_of_order_batches_do_not_hide_a_chain_break(central, db_url, tmp_path):
    """A stored event whose predecessor arrives later (in a batch that repeats it) is checked against it."""
    from sync.eventlog import EventLog
    from tests.sync.sync_testkit import HASH_KEY, Kiosk
    kiosk = Kiosk(tmp_path / "k", central.url, db_url, "gate-1")
    legacy = EventLog(tmp_path / "legacy.db", "gate-1", HASH_KEY)  # unsigned: the link check alone must catch it
    for i in range(6):
        legacy.append(card_result(i), Outcome.PASS, "card", NOW)
    events = legacy.events()
    kiosk.link.upload([events[2]])  # seq 3 first
    events[1] = {**events[1], "outcome": "STOP"}
    events[1]["hash"] = chain.event_hash(events[1])  # seq 2 rewritten, its own hash made consistent
    answer = kiosk.link.upload(events)  # 1..6, seq 3 repeated as a duplicate
    assert 3 in answer["chain_breaks"]
    store = Store(db_url)
    with store.tx() as tx:
        assert (3, "link") in {(f["seq"], f["kind"]) for f in registry.chain_flags(tx)}
    store.close()
    legacy.close()
    kiosk.close()
