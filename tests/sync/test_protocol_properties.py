"""Property tests of the sync protocol: whatever the kiosk logs, however uploads are lost, repeated, split, reordered
or mixed with air-gapped bundles, the central store ends with every event exactly once and a sound chain.

The kiosk log and the central store are real (SQLite files); the network in between is replaced by the ingest call
the HTTP endpoint makes, so hypothesis can try hundreds of delivery schedules quickly (HTTP faults: test_faults.py).
"""
from __future__ import annotations

import random
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.core.outcome.verdicts import Outcome, Verdict
from sync import chain
from sync.bundle import bundle_signature_valid, export_bundles, read_bundle
from sync.central.storage import registry
from sync.central.events.ingest import ingest
from sync.central.storage.store import Store
from sync.client import SyncClient
from sync.devicekey import load_or_create_device_key, public_key_b64
from sync.eventlog import EventLog
from tests.sync.sync_testkit import HASH_KEY, NOW, card_result

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))

steps = st.lists(st.one_of(
    st.tuples(st.just("log"), st.integers(1, 15)),
    st.tuples(st.just("upload"), st.integers(1, 12), st.sampled_from(["ok", "lost_request", "lost_answer"])),
    st.tuples(st.just("replay"), st.integers(0, 50), st.integers(1, 10)),
    st.tuples(st.just("export"), st.integers(1, 8)),
    st.tuples(st.just("import"), st.integers(0, 10)),
), max_size=25)


@SETTINGS
@given(steps=steps, seed=st.integers(0, 2**16))
def test_any_delivery_schedule_ends_exactly_once(steps, seed):
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = Store(f"sqlite:///{folder / 'central.db'}")
        key = load_or_create_device_key(folder / "k.pem")
        with store.tx() as tx:
            token = registry.create_enrollment_token(tx, "s", NOW)
            registry.enroll(tx, token, "gate-p", public_key_b64(key), NOW)
        log = EventLog(folder / "log.db", "gate-p", HASH_KEY)
        sent: list[list[dict]] = []
        bundles: list[Path] = []
        logged = 0

        def deliver(events):
            with store.tx() as tx:
                return ingest(tx, "gate-p", events, "2026-11-23T09:00:00.000000Z", "upload")

        for step in steps:
            if step[0] == "log":
                for _ in range(step[1]):
                    log.append(card_result(logged, rng.choice(list(Verdict))), rng.choice(list(Outcome)),
                               rng.choice(["card", "code", "manual"]), NOW + timedelta(seconds=logged))
                    logged += 1
            elif step[0] == "upload":
                batch = log.events(unsynced_only=True, limit=step[1])
                if batch and step[2] != "lost_request":
                    answer = deliver(batch)
                    sent.append(batch)
                    if step[2] == "ok":
                        log.mark_synced(answer.through_seq, NOW)
            elif step[0] == "replay" and sent:
                old = sent[step[1] % len(sent)]
                deliver(old[: step[2]])
            elif step[0] == "export":
                bundles += export_bundles(log, key, folder / "usb", NOW, max_events=step[1])
            elif step[0] == "import" and bundles:
                raw = read_bundle(bundles[step[1] % len(bundles)])
                assert bundle_signature_valid(raw, key.public_key())
                deliver(raw["payload"]["events"])
        # the kiosk finally gets a good link: a normal sync round through the client's own batching
        client = SyncClient(log, _DirectLink(deliver), folder / "dl", files=(), batch_size=7)
        assert client.sync_once().ok
        assert log.pending_count() == 0
        with store.tx() as tx:
            rows = tx.execute("SELECT seq, hash FROM events WHERE device_id = 'gate-p' ORDER BY seq").fetchall()
            flags = tx.execute("SELECT COUNT(*) FROM chain_flags").fetchone()[0]
        assert [r[0] for r in rows] == list(range(1, logged + 1))
        assert [r[1] for r in rows] == [e["hash"] for e in log.events(limit=10**6)]
        assert flags == 0
        log.close()
        store.close()


class _DirectLink:
    """The client's link with the HTTP hop removed: same call, same answer shape."""

    def __init__(self, deliver):
        self.deliver = deliver

    def upload(self, events):
        return self.deliver(events).to_json()

    def heartbeat(self, body):
        return {"central_utc": body["kiosk_utc"], "clock_offset_s": 0.0}


field_edits = st.sampled_from([f for f in chain.EVENT_FIELDS if f not in ("seq", "device_id")])


@SETTINGS
@given(n=st.integers(2, 12), victim=st.integers(0, 11), field=field_edits, value=st.text(max_size=5))
def test_any_edit_of_a_stored_event_is_detected(n, victim, field, value):
    with tempfile.TemporaryDirectory() as tmp:
        with EventLog(Path(tmp) / "log.db", "gate-e", HASH_KEY) as log:
            for i in range(n):
                log.append(card_result(i), Outcome.PASS, "card", NOW)
            events = log.events()
        target = events[victim % n]
        edited = {**target, field: value}
        if edited == target:
            return
        events[victim % n] = edited
        assert target["seq"] in chain.chain_breaks(events, chain.GENESIS, 0)


@SETTINGS
@given(failures=st.integers(0, 40), base=st.floats(0.1, 10), cap=st.floats(10, 3600), seed=st.integers())
def test_backoff_grows_exponentially_with_jitter_and_is_capped(failures, base, cap, seed):
    client = SyncClient.__new__(SyncClient)
    client.failures, client.backoff_base_s, client.backoff_cap_s, client.interval_s = failures, base, cap, 300.0
    client._rng = random.Random(seed)
    delay = client.next_delay()
    if failures == 0:
        assert delay == 300.0
    else:
        ceiling = min(cap, base * 2 ** (failures - 1))
        assert ceiling / 2 <= delay <= ceiling


def test_utc_times_compare_as_text():
    later = datetime(2026, 11, 23, 8, 0, 1, tzinfo=timezone.utc)
    from sync.eventlog import utc_text
    assert utc_text(NOW) < utc_text(later)


values = st.one_of(st.none(), st.integers(-(2**62), 2**62), st.text(max_size=8))


@SETTINGS
@given(event=st.fixed_dictionaries({k: values for k in chain.EVENT_FIELDS}))
def test_event_hash_is_sha256_of_the_canonical_json(event):
    import hashlib
    assert chain.event_hash(event) == hashlib.sha256(chain.canonical(dict(event))).hexdigest()
