"""Trust bundles: root signature, rollback refused, atomic swap, first start offline, freshness states."""
from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from kiosk.core.trust import bundle as bundlemod
from kiosk.core.trust import freshness as fresh
from kiosk.core.trust.keys import kid_for_public_key, new_signing_key
from kiosk.core.trust.store import TrustDataError, TrustStore
from kiosk.core.outcome.verdicts import Reason, VerificationError
from kiosk.datadir import DataDir, RootNotProvisioned, RootUnreadable
from kiosk.provisioning import provision_demo, resign_with_demo_root
from tests.core.kit import NOW, Issuer, later, trust_for

ROOT = new_signing_key()
ROOTS = [bundlemod.RootKey.of(ROOT.public_key())]
ISSUER = Issuer()


def signed(version: int = 2, issued_at=NOW, **changes) -> bytes:
    content = bundlemod.BundleContent.from_trust(trust_for(ISSUER), version, issued_at,
                                                 policy={"statuses": {"yellow": "STOP"}})
    return bundlemod.sign_bundle(dataclasses.replace(content, **changes), ROOT)


def test_round_trip_keeps_keys_uses_revocations_policy_and_times():
    data = signed(revoked_kids=frozenset({b"12345678"}), revoked_pass_ids=frozenset({"ab"}),
                  revoked_rids=frozenset({"kid/rid.1600000000"}))
    bundle = bundlemod.open_bundle(data, ROOTS)
    trust = bundle.trust_store()
    assert trust.version == 2 and trust.keys_for(ISSUER.kid)[0].uses == frozenset({"KP1", "STATUS"})
    assert trust.revoked_kids == {b"12345678"} and trust.revoked_pass_ids == {"ab"}
    assert trust.revoked_rids == {"kid/rid.1600000000"}
    assert trust.policy == {"statuses": {"yellow": "STOP"}}
    assert (trust.issued_at, trust.refresh_due, trust.expires_at) == (NOW, later(hours=24), later(days=30))


def test_a_bundle_from_another_root_or_tampered_is_refused():
    other = new_signing_key()
    foreign = bundlemod.sign_bundle(bundlemod.BundleContent.from_trust(TrustStore(), 9, NOW), other)
    with pytest.raises(VerificationError) as err:
        bundlemod.open_bundle(foreign, ROOTS)
    assert err.value.reason is Reason.TRUST_BUNDLE_ROOT_UNKNOWN
    impostor = bundlemod.sign_bundle(bundlemod.BundleContent.from_trust(TrustStore(), 9, NOW), other,
                                     root_kid=ROOTS[0].kid)
    with pytest.raises(VerificationError) as err:
        bundlemod.open_bundle(impostor, ROOTS)
    assert err.value.reason is Reason.TRUST_BUNDLE_SIGNATURE_INVALID
    data = bytearray(signed())
    for position in range(0, len(data), 7):
        flipped = bytes(data[:position]) + bytes([data[position] ^ 0x10]) + bytes(data[position + 1:])
        with pytest.raises(VerificationError):
            bundlemod.open_bundle(flipped, ROOTS)


def test_rollback_is_refused():
    newer = bundlemod.open_bundle(signed(5), ROOTS)
    bundlemod.check_update(None, newer)
    for version in (5, 4):
        with pytest.raises(VerificationError) as err:
            bundlemod.check_update(newer, bundlemod.open_bundle(signed(version), ROOTS))
        assert err.value.reason is Reason.TRUST_BUNDLE_ROLLBACK


@pytest.mark.parametrize("hours, state", [(0, fresh.Freshness.FRESH), (23, fresh.Freshness.FRESH),
                                          (24, fresh.Freshness.REFRESH_DUE), (24 * 7 - 1, fresh.Freshness.REFRESH_DUE),
                                          (24 * 7, fresh.Freshness.EXPIRED), (24 * 8, fresh.Freshness.EXPIRED)])
def test_freshness_states_with_the_default_grace(hours, state):
    bundle = bundlemod.open_bundle(signed(), ROOTS)
    assert bundle.freshness(later(hours=hours)).state is state


def test_grace_is_configurable_and_the_hard_expiry_always_wins():
    bundle = bundlemod.open_bundle(signed(), ROOTS)
    assert bundle.freshness(later(hours=30), grace=timedelta(hours=2)).state is fresh.Freshness.EXPIRED
    assert bundle.freshness(later(days=20), grace=timedelta(days=60)).state is fresh.Freshness.REFRESH_DUE
    assert bundle.freshness(later(days=30), grace=timedelta(days=60)).state is fresh.Freshness.EXPIRED
    in_bundle = bundlemod.open_bundle(signed(grace=timedelta(hours=1)), ROOTS)
    assert in_bundle.freshness(later(hours=25, minutes=1)).state is fresh.Freshness.EXPIRED
    report = bundle.freshness(later(days=3))
    assert "refresh due" in report.describe() and report.usable


def test_first_start_offline_uses_the_shipped_bundle(tmp_path):
    shipped = tmp_path / "kiosk"
    shipped.mkdir()
    from kiosk.core.trust.keys import public_key_pem
    (shipped / "pinned-roots.pem").write_text(public_key_pem(ROOT.public_key()))
    (shipped / "initial-bundle.ktb").write_bytes(signed(3))
    data = DataDir(shipped)
    trust = data.trust()
    assert trust.version == 3 and trust.keys_for(ISSUER.kid)
    assert not data.trust_path.exists()  # the shipped bundle is used in place until a newer one arrives
    assert data.demo_root_key() is None
    with pytest.raises(TrustDataError):
        resign_with_demo_root(data, trust)  # no root key on a real kiosk
    data.install_bundle(signed(4))
    assert data.trust().version == 4
    with pytest.raises(VerificationError) as err:
        data.install_bundle(signed(3))
    assert err.value.reason is Reason.TRUST_BUNDLE_ROLLBACK
    assert data.trust().version == 4


def test_demo_data_dir_creates_root_and_bundle_and_never_leaves_partial_files(tmp_path):
    data = DataDir(tmp_path)
    issuer = provision_demo(data)
    trust = data.trust()
    assert trust.keys_for(issuer.kid) and trust.expires_at is not None
    assert (tmp_path / "demo-root" / "root-key.pem").stat().st_mode & 0o777 == 0o600
    roots = data.pinned_roots()
    assert roots[0].kid == kid_for_public_key(data.demo_root_key().public_key())
    resign_with_demo_root(data, trust.with_changes(revoked_pass_ids=frozenset({"cafe"})))
    assert data.trust().revoked_pass_ids == {"cafe"} and data.trust().version == trust.version + 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_reading_a_fresh_data_dir_creates_nothing_and_names_the_missing_root(tmp_path):
    data = DataDir(tmp_path / "fresh")
    with pytest.raises(RootNotProvisioned) as err:
        data.trust()
    assert "pinned-roots.pem" in str(err.value) and "kiosk" in str(err.value) and "provision --root" in str(err.value)
    assert data.demo_issuer() is None and data.demo_root_key() is None
    assert not (tmp_path / "fresh").exists()  # reading wrote nothing: no silent demo root


def test_an_unreadable_root_is_a_typed_error_and_a_provisioned_root_alone_trusts_nothing(tmp_path):
    data = DataDir(tmp_path)
    data.pinned_roots_path.write_text("-----BEGIN PUBLIC KEY-----\ngarbage\n-----END PUBLIC KEY-----\n")
    with pytest.raises(RootUnreadable):
        data.trust()
    from kiosk.core.trust.keys import public_key_pem
    data.pinned_roots_path.write_text(public_key_pem(ROOT.public_key()))
    assert data.trust_bundle() is None and data.trust().keys == () and data.trust().version == 0
    assert not data.trust_path.exists() and data.demo_issuer() is None


def test_a_damaged_installed_bundle_falls_back_to_the_initial_one(tmp_path):
    data = DataDir(tmp_path)
    provision_demo(data)
    data.trust_path.write_bytes(b"\x00garbage")
    assert data.trust().version == 1


def test_damaged_bundles_never_crash_the_reader():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    data = signed()

    @settings(max_examples=120, deadline=None)
    @given(st.integers(min_value=0), st.integers(min_value=0, max_value=7), st.binary(max_size=64))
    def damage(position, bit, junk):
        flipped = bytearray(data)
        flipped[position % len(data)] ^= 1 << bit
        for candidate in (bytes(flipped), data[:position % len(data)] + junk, junk):
            with pytest.raises(VerificationError):
                bundlemod.open_bundle(candidate, ROOTS)

    damage()
