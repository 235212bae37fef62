"""The central remembers that a device signs its events (`devices.signs_since`): from the first correctly signed
event it holds of a device on, an unsigned event of that device is a stripped signature, quarantined (flagged, never
stored, never acknowledged) like a bad one, on SQLite and PostgreSQL, over uploads and bundle imports."""
from __future__ import annotations

import sqlite3

from kiosk.core.outcome.verdicts import Outcome
from sync.central.storage import registry
from sync.central.storage.store import Store
from sync.client import SyncClient
from sync.eventlog import EventLog
from tests.sync.sync_testkit import HASH_KEY, NOW, card_result


def _fill(log, n, start=0):
    for i in range(n):
        log.append(card_result(start + i), Outcome.PASS, "card", NOW)


def _strip(log, from_seq: int) -> None:
    """The attacker without the key: signatures removed from the file (hashes untouched, still consistent)."""
    db = sqlite3.connect(log.path)
    db.execute("UPDATE events SET sig = NULL WHERE seq >= ?", (from_seq,))
    db.commit()
    db.close()


def _central(db_url, device_id):
    store = Store(db_url)
    try:
        with store.tx() as tx:
            stored = [r[0] for r in tx.execute("SELECT seq FROM events WHERE device_id = ? ORDER BY seq",
                                               (device_id,)).fetchall()]
            flags = {(f["seq"], f["kind"]) for f in registry.chain_flags(tx, device_id)}
            [device] = [d for d in registry.list_devices(tx) if d["device_id"] == device_id]
    finally:
        store.close()
    return stored, flags, device["signs_since"]


def test_signatures_stripped_after_a_signed_upload_are_quarantined_and_the_round_fails(kiosk, central, db_url,
                                                                                      tmp_path):
    _fill(kiosk.log, 3)
    client = SyncClient(kiosk.log, kiosk.link, tmp_path / "dl", files=())
    assert client.sync_once().ok
    assert _central(db_url, kiosk.device_id)[2] == 1  # the central now knows this device signs
    _fill(kiosk.log, 3, start=3)
    _strip(kiosk.log, 4)  # every unsynced event stripped: the kiosk's own check has no signed one to compare
    assert kiosk.log.verify_chain(kiosk.key.public_key(), unsynced_only=True) == []
    report = client.sync_once()
    assert not report.ok and report.quarantined == [4, 5, 6] and report.refused == [4, 5, 6]
    assert "quarantined 3 tampered" in report.error
    assert kiosk.log.pending_count() == 3  # never acknowledged, so never purged
    stored, flags, signs_since = _central(db_url, kiosk.device_id)
    assert stored == [1, 2, 3] and {(4, "signature"), (5, "signature"), (6, "signature")} <= flags
    assert signs_since == 1


def test_a_stripped_batch_sent_with_the_device_key_is_answered_quarantined(kiosk, central, db_url):
    _fill(kiosk.log, 4)
    events = kiosk.log.events()
    first = kiosk.link.upload(events[:2])
    assert (first["stored"], first["quarantined"]) == (2, [])
    stripped = [{k: v for k, v in e.items() if k != "sig"} for e in events[2:]]
    answer = kiosk.link.upload(stripped)
    assert (answer["stored"], answer["quarantined"], answer["through_seq"]) == (0, [3, 4], 4)
    assert _central(db_url, kiosk.device_id)[0] == [1, 2]


def test_a_log_older_than_signing_is_accepted_up_to_the_first_signed_event(kiosk, central, db_url, tmp_path):
    """A kiosk upgraded in the field: seq 1-2 written unsigned, then signed; an unsigned event after the first
    signed one in the same batch is refused; a signed event arriving out of order moves signs_since down."""
    legacy = EventLog(tmp_path / "legacy.db", kiosk.device_id, HASH_KEY)
    _fill(legacy, 2)
    legacy.close()
    upgraded = EventLog(tmp_path / "legacy.db", kiosk.device_id, HASH_KEY, signer=kiosk.key)
    _fill(upgraded, 4, start=2)  # 3..6 signed
    events = upgraded.events()
    assert ["sig" in e for e in events] == [False, False, True, True, True, True]
    events[5] = {k: v for k, v in events[5].items() if k != "sig"}
    answer = kiosk.link.upload([events[i] for i in (0, 1, 3, 4, 5)])  # 1, 2 unsigned; 4, 5 signed; 6 stripped
    assert (answer["stored"], answer["quarantined"]) == (4, [6])
    assert _central(db_url, kiosk.device_id)[2] == 4
    answer = kiosk.link.upload([events[2]])  # seq 3 arrives late, signed
    assert (answer["stored"], answer["quarantined"]) == (1, [])
    stored, flags, signs_since = _central(db_url, kiosk.device_id)
    assert stored == [1, 2, 3, 4, 5] and signs_since == 3 and (6, "signature") in flags
    upgraded.close()


def test_a_device_that_never_signed_keeps_syncing(kiosk, central, db_url, tmp_path):
    legacy = EventLog(tmp_path / "legacy.db", kiosk.device_id, HASH_KEY)
    _fill(legacy, 3)
    report = SyncClient(legacy, kiosk.link, tmp_path / "dl", files=()).sync_once()
    assert report.ok and report.uploaded == 3
    assert _central(db_url, kiosk.device_id)[2] is None
    legacy.close()


def test_a_bundle_of_stripped_events_is_quarantined_on_import(kiosk, central, db_url, tmp_path):
    import json

    from sync.bundle import export_bundles
    from sync.central.app import import_raw_bundle
    _fill(kiosk.log, 2)
    assert SyncClient(kiosk.log, kiosk.link, tmp_path / "dl", files=()).sync_once().ok
    _fill(kiosk.log, 2, start=2)
    _strip(kiosk.log, 3)
    [path] = export_bundles(kiosk.log, kiosk.key, tmp_path / "usb", NOW)  # the bundle itself is signed
    store = Store(db_url)
    try:
        with store.tx() as tx:
            result = import_raw_bundle(tx, json.loads(open(path).read()), registry.utc_text(NOW))
    finally:
        store.close()
    assert (result.stored, result.duplicates, result.quarantined) == (0, 2, [3, 4])
    assert _central(db_url, kiosk.device_id)[0] == [1, 2]


def test_the_migration_adds_the_column_once_and_is_harmless_to_repeat(db_url):
    from sync.central.storage.schema import MIGRATIONS
    store = Store(db_url)
    with store.tx() as tx:
        tx.execute("DELETE FROM schema_version WHERE version >= ?", (len(MIGRATIONS),))
    store.close()
    store = Store(db_url)  # the last step again, over a table that has the column already
    with store.tx() as tx:
        assert tx.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == len(MIGRATIONS)
        assert tx.execute("SELECT COUNT(signs_since) FROM devices").fetchone()[0] == 0
    store.close()
