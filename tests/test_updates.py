"""Installing downloaded trust data (kiosk/updates.py) on a real data directory: once per file, refusals kept
until a good file arrives, the old data kept, oversize files refused unread; the central's time in the record."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

from kiosk.core.trust import bundle as ktb
from kiosk.core.trust.keys import IssuerKey, kid_for_public_key, new_signing_key, public_key_pem
from kiosk.core.trust.store import TrustStore
from kiosk.datadir import DataDir
from kiosk.provisioning import provision_root
from kiosk.updates import MAX_FILE_BYTES, Updater

NOW = datetime.now(timezone.utc).replace(microsecond=0)
ROOT = new_signing_key()
ISSUER = new_signing_key()
KEY = IssuerKey(kid_for_public_key(ISSUER.public_key()), ISSUER.public_key(), "CN-GATE", frozenset({"KP1"}))


def bundle(version: int, **changes) -> bytes:
    content = ktb.BundleContent.from_trust(TrustStore((KEY,)), version, NOW)
    return ktb.sign_bundle(dataclasses.replace(content, **changes), ROOT)


def kiosk_dir(tmp_path) -> DataDir:
    data = DataDir(tmp_path / "data")
    provision_root(data, public_key_pem(ROOT.public_key()).encode())
    data.install_bundle(bundle(1))
    return data


def test_a_download_is_installed_once_and_a_rollback_is_refused_until_a_good_file_arrives(tmp_path):
    data = kiosk_dir(tmp_path)
    folder = tmp_path / "central"
    folder.mkdir()
    assert Updater(data, folder).apply().installed == []
    (folder / "trust-bundle").write_bytes(bundle(2, revoked_pass_ids=frozenset({"p1"})))
    first = Updater(data, folder).apply()
    assert first.installed == ["trust bundle v2"] and first.trust.revoked_pass_ids == {"p1"}
    assert not first.problems and Updater(data, folder).apply().installed == []  # the same file: nothing to do
    (folder / "trust-bundle").write_bytes(bundle(1))
    refused = Updater(data, folder).apply()
    assert refused.trust is None and data.trust().version == 2
    assert "TRUST_BUNDLE_ROLLBACK" in refused.problems["trust-bundle"]
    assert "TRUST_BUNDLE_ROLLBACK" in Updater(data, folder).apply().problems["trust-bundle"]  # still shown
    (folder / "trust-bundle").write_bytes(bundle(3))
    fixed = Updater(data, folder).apply()
    assert fixed.installed == ["trust bundle v3"] and fixed.problems == {}


def test_damaged_and_oversize_files_keep_the_old_data(tmp_path):
    data = kiosk_dir(tmp_path)
    folder = tmp_path / "central"
    folder.mkdir()
    (folder / "trust-bundle").write_bytes(b"hello")  # what an unchecked central once published as a bundle
    (folder / "status-list").write_bytes(b"KSL1" + b"\0" * 4)
    with open(folder / "status-list-delta", "wb") as big:
        big.truncate(MAX_FILE_BYTES + 1)
    result = Updater(data, folder).apply()
    assert set(result.problems) == {"trust-bundle", "status-list", "status-list-delta"}
    assert "over the" in result.problems["status-list-delta"]
    assert data.trust().version == 1 and data.status_list() is None


def test_the_central_time_sets_the_clock_record_and_a_clock_hours_off_is_suspect(tmp_path):
    data = kiosk_dir(tmp_path)
    central = datetime.now(timezone.utc)
    ahead = central + timedelta(hours=2)
    from kiosk.kiosk_clock import KioskClock

    KioskClock.for_data(data).record_central(central, ahead)
    assert data.central_offset_s() == 7200.0 and data.clock_anchor().trusted_source == "central"
    check = KioskClock.for_data(data).judge(ahead)  # a restarted judge reads the record
    assert check.suspect and "off the central service's time" in check.detail
    assert not KioskClock.for_data(data).judge(central).suspect


def test_a_kiosk_with_a_root_and_no_bundle_yet_says_so_and_adopts_the_first_one(tmp_path):
    from kiosk.checkpoint import Checkpoint
    from kiosk.config import KioskConfig

    data = DataDir(tmp_path / "data")
    provision_root(data, public_key_pem(ROOT.public_key()).encode())
    checkpoint = Checkpoint(KioskConfig(), data)
    try:
        assert "no trust bundle installed" in checkpoint.problems["trust"] and checkpoint.trust.keys == ()
        folder = tmp_path / "usb"
        folder.mkdir()
        (folder / "trust-bundle.ktb").write_bytes(bundle(1))
        checkpoint.adopt(Updater(data, folder, memo=tmp_path / "memo.json").apply())
        assert checkpoint.trust.version == 1 and "trust" not in checkpoint.problems
        assert not (folder / ".applied.json").exists()  # nothing written to the stick
    finally:
        checkpoint.close()
