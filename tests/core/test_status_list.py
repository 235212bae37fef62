"""The status list: signed snapshot and deltas, O(log n) lookups, no ID numbers on disk, stale lists flagged."""
from __future__ import annotations

import secrets
from datetime import timedelta

import pytest

from kiosk.core.status import status_list as sl
from kiosk.core.status import status_records as rec
from kiosk.core.identity.card import CardIdentity, CardType
from kiosk.core.checks.card_check import verify_card
from kiosk.core.identity.idnumber import gb11643_check_char
from kiosk.core.outcome.verdicts import Reason, Status, Verdict, VerificationError
from kiosk.datadir import DataDir
from kiosk.provisioning import provision_demo
from tests.core.kit import ID_A, ID_B, NOW, Issuer, later, trust_for

CENTRAL = Issuer(uses=("STATUS",))
TRUST = trust_for(CENTRAL)
SALT = secrets.token_bytes(32)
UNTIL = later(days=30)


def some_ids(count: int, start: int = 1) -> list[str]:
    return [body + gb11643_check_char(body) for body in (f"3201021980010{n:04d}" for n in range(start, start + count))]


def snapshot(entries=None, version=1, issued_at=NOW, signer=CENTRAL) -> bytes:
    entries = entries if entries is not None else {ID_A: (Status.GREEN, UNTIL), ID_B: (Status.RED, UNTIL)}
    return sl.build(entries, SALT, issued_at, version, signer.private_key, signer.kid, region="bj")


def card(id_number: str, valid_to="20400101") -> CardIdentity:
    return CardIdentity(CardType.RESIDENT, "张三", id_number, "1", "19491231", "20200101", valid_to)


def test_lookup_and_card_verdicts():
    status_list = sl.load(snapshot(), TRUST)
    assert status_list.lookup(ID_A).status is Status.GREEN and status_list.lookup(ID_B).status is Status.RED
    assert status_list.lookup(ID_A.lower()) is not None  # normalised
    assert verify_card(card(ID_A), status_list, later(hours=1)).verdict is Verdict.VALID
    red = verify_card(card(ID_B), status_list, later(hours=1))
    assert (red.verdict, red.status) == (Verdict.VALID, Status.RED)
    unknown = verify_card(card(some_ids(1)[0]), status_list, later(hours=1))
    assert (unknown.verdict, unknown.reason) == (Verdict.NOT_FOUND, Reason.ID_NOT_IN_STATUS_LIST)
    assert verify_card(card(ID_A), status_list, later(days=31)).reason in (Reason.STATUS_ENTRY_EXPIRED,)
    assert verify_card(card(ID_A, "20200101"), status_list, later(hours=1)).reason is Reason.CARD_EXPIRED
    assert verify_card(card(ID_A), None, NOW).reason is Reason.STATUS_LIST_MISSING


def test_a_stale_list_or_a_clock_before_it_never_passes():
    status_list = sl.load(snapshot(), TRUST)
    stale = verify_card(card(ID_A), status_list, later(days=8))
    assert (stale.verdict, stale.reason) == (Verdict.TRUST_DATA_STALE, Reason.STATUS_LIST_EXPIRED)
    behind = verify_card(card(ID_A), status_list, NOW - timedelta(days=1))
    assert behind.verdict is Verdict.CLOCK_SUSPECT


def test_the_file_holds_no_id_numbers_and_fixed_small_records():
    ids = some_ids(50)
    data = snapshot({i: (Status.GREEN, UNTIL) for i in ids})
    for number in ids:
        assert number.encode() not in data and number[:14].encode() not in data
    status_list = sl.load(data, TRUST)
    assert len(status_list) == 50 and len(bytes(status_list.body())) == 50 * rec.RECORD_BYTES <= 50 * 40
    assert status_list.kdf.alg == "scrypt"


def test_forged_or_damaged_lists_are_refused():
    with pytest.raises(VerificationError) as err:
        sl.load(snapshot(signer=Issuer(uses=("STATUS",))), TRUST)
    assert err.value.reason is Reason.STATUS_LIST_SIGNATURE_INVALID
    with pytest.raises(VerificationError) as err:
        sl.load(snapshot(signer=Issuer(uses=("KP1",))), trust_for(Issuer(uses=("KP1",))))
    assert err.value.reason is Reason.STATUS_LIST_SIGNATURE_INVALID
    kp1_only = Issuer(uses=("KP1",))
    with pytest.raises(VerificationError) as err:
        sl.load(snapshot(signer=kp1_only), trust_for(kp1_only))
    assert err.value.reason is Reason.KEY_USAGE_NOT_ALLOWED
    data = bytearray(snapshot())
    data[-3] ^= 1  # a record's validity changed on disk
    with pytest.raises(VerificationError) as err:
        sl.load(bytes(data), TRUST)
    assert err.value.reason is Reason.STATUS_LIST_SIGNATURE_INVALID
    for broken in (b"", b"KSL1", b"XXXX" + bytes(data[4:]), bytes(data[:-1])):
        with pytest.raises(VerificationError):
            sl.load(broken, TRUST)


def test_deltas_update_insert_remove_and_must_follow_the_version():
    base = sl.load(snapshot({i: (Status.GREEN, UNTIL) for i in some_ids(20)} | {ID_A: (Status.GREEN, UNTIL)}), TRUST)
    newcomer = some_ids(1, start=500)[0]
    changes = {ID_A: (Status.RED, UNTIL), some_ids(1)[0]: (None, None), newcomer: (Status.YELLOW, UNTIL)}
    delta = sl.build_delta(base, changes, later(hours=2), 2, CENTRAL.private_key, CENTRAL.kid)
    updated = sl.apply_delta(base, delta, TRUST)
    assert updated.version == 2 and len(updated) == 21
    assert updated.lookup(ID_A).status is Status.RED and updated.lookup(newcomer).status is Status.YELLOW
    assert updated.lookup(some_ids(1)[0]) is None and updated.lookup(some_ids(2)[1]).status is Status.GREEN
    stored = sl.load(updated.to_bytes(), TRUST)  # the delta header commits to the merged body
    assert stored.version == 2 and stored.lookup(ID_A).status is Status.RED
    with pytest.raises(VerificationError) as err:
        sl.apply_delta(updated, delta, TRUST)
    assert err.value.reason is Reason.STATUS_DELTA_REJECTED
    other_region = sl.load(sl.build({ID_A: (Status.GREEN, UNTIL)}, SALT, NOW, 1, CENTRAL.private_key, CENTRAL.kid,
                                    region="sh"), TRUST)
    with pytest.raises(VerificationError):
        sl.apply_delta(other_region, delta, TRUST)


def test_merge_matches_a_rebuilt_list():
    keys = sorted(secrets.token_bytes(16) for _ in range(300))
    base = rec.pack_sorted((k, 0, 100) for k in keys)
    changes = [(keys[5], 2, 7), (keys[6], rec.REMOVED, 0), (b"\x00" * 16, 1, 9), (b"\xff" * 16, 1, 9)]
    merged, count = rec.merge(rec.RecordKeys(base, 0, len(keys)), rec.pack_sorted(changes))
    expected = {k: (0, 100) for k in keys} | {keys[5]: (2, 7), b"\x00" * 16: (1, 9), b"\xff" * 16: (1, 9)}
    del expected[keys[6]]
    assert count == len(expected)
    assert merged == rec.pack_sorted((k, s, u) for k, (s, u) in expected.items())
    unsorted = rec.pack(keys[9], 1, 1) + rec.pack(keys[8], 1, 1)
    with pytest.raises(rec.RecordError):
        rec.merge(rec.RecordKeys(base, 0, len(keys)), unsorted)


def test_the_data_dir_installs_snapshots_and_deltas_and_refuses_going_back(tmp_path):
    data = DataDir(tmp_path)
    issuer = provision_demo(data)
    trust = data.trust()
    first = sl.build({ID_A: (Status.GREEN, UNTIL)}, SALT, NOW, 3, issuer.private_key, issuer.kid)
    data.install_status_list(first, trust)
    base = data.status_list(trust)
    delta = sl.build_delta(base, {ID_B: (Status.RED, UNTIL)}, NOW, 4, issuer.private_key, issuer.kid)
    assert data.install_status_list(delta, trust).version == 4
    assert data.status_list(trust).lookup(ID_B).status is Status.RED
    from kiosk.core.trust.store import TrustDataError
    with pytest.raises(TrustDataError):
        data.install_status_list(first, trust)


def test_damaged_files_never_crash_the_loader():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    data = snapshot()

    @settings(max_examples=120, deadline=None)
    @given(st.integers(min_value=0), st.integers(min_value=0, max_value=7), st.integers(min_value=0))
    def flip_or_cut(position, bit, cut):
        damaged = bytearray(data)
        damaged[position % len(data)] ^= 1 << bit
        for candidate in (bytes(damaged), data[:cut % len(data)]):
            with pytest.raises(VerificationError):
                sl.load(candidate, TRUST)

    flip_or_cut()


def test_search_finds_every_record_and_no_other_across_index_blocks():
    keys = sorted({secrets.token_bytes(16) for _ in range(1000)})
    body = rec.pack_sorted((k, 1, 5) for k in keys)
    index = rec.RecordKeys(body, 0, len(keys))
    assert all(index.find(k) == i for i, k in enumerate(keys))
    assert index.find(b"\x00" * 16) is None and index.find(b"\xff" * 16) is None
    assert all(index.find(secrets.token_bytes(16)) is None for _ in range(200))


def test_issuer_key_rotation_a_new_snapshot_by_the_new_key_replaces_the_old_list(tmp_path):
    """The rotation bug: the old list (old key, v5) was installed; the new key starts its own numbering at v1.
    Its newer snapshot must install, whether the old key is still in the bundle or already removed; a replay of
    an older snapshot by the new key stays refused."""
    from kiosk.core.trust.store import TrustDataError
    from kiosk.provisioning import resign_with_demo_root

    data = DataDir(tmp_path)
    old = provision_demo(data)
    data.install_status_list(sl.build({ID_A: (Status.GREEN, UNTIL)}, SALT, NOW, 5, old.private_key, old.kid), kind="full")
    new = Issuer(uses=("STATUS",))
    resign_with_demo_root(data, data.trust().with_keys(new.key))
    replay = sl.build({ID_A: (Status.GREEN, UNTIL)}, SALT, NOW - timedelta(days=1), 1, new.private_key, new.kid)
    with pytest.raises(TrustDataError):
        data.install_status_list(replay)
    rotated = sl.build({ID_A: (Status.RED, UNTIL)}, SALT, NOW + timedelta(hours=1), 1, new.private_key, new.kid)
    assert data.install_status_list(rotated).lookup(ID_A).status is Status.RED
    # the old key removed from the bundle before the new list arrives: the old list no longer verifies, and
    # still holds the rollback floor
    data2 = DataDir(tmp_path / "second")
    old2 = provision_demo(data2)
    data2.install_status_list(sl.build({ID_A: (Status.GREEN, UNTIL)}, SALT, NOW, 5, old2.private_key, old2.kid))
    trust = data2.trust()
    resign_with_demo_root(data2, trust.with_changes(keys=tuple(k for k in trust.keys if k.kid != old2.kid))
                          .with_keys(new.key))
    with pytest.raises(TrustDataError):
        data2.install_status_list(replay)
    assert data2.install_status_list(rotated).version == 1


def test_a_delta_whose_base_is_not_installed_says_so(tmp_path):
    from kiosk.datadir import StatusBaseMissing

    data = DataDir(tmp_path)
    issuer = provision_demo(data)
    v1 = sl.build({ID_A: (Status.GREEN, UNTIL)}, SALT, NOW, 1, issuer.private_key, issuer.kid)
    base = sl.load(v1, data.trust())
    delta = sl.build_delta(base, {ID_B: (Status.RED, UNTIL)}, NOW, 2, issuer.private_key, issuer.kid)
    with pytest.raises(StatusBaseMissing):
        data.install_status_list(delta, kind="delta")
    merged = sl.apply_delta(base, delta, data.trust()).to_bytes()  # what the central publishes as status-list
    assert data.install_status_list(merged, kind="full").lookup(ID_B).status is Status.RED
