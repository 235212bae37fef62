"""The fleet loop end to end with real parts: a running Kiosk (emulated scanner and card reader on ptys, the
real drivers, an offscreen window), a real central service (uvicorn, SQLite or PostgreSQL), real signed trust
data. What an administrator publishes takes effect in the running kiosk after a sync, with no restart."""
from __future__ import annotations

import dataclasses
import secrets
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from drivers.sam.emulator import ReaderEmulator
from drivers.scanner.emulator import ScannerEmulator
from kiosk.app import Kiosk
from kiosk.config import DeviceConfig, KioskConfig
from kiosk.core.outcome.verdicts import Outcome, Reason, Status, Verdict
from kiosk.core.passes import offline_pass
from kiosk.core.status import status_list as sl
from kiosk.core.trust import bundle as ktb
from kiosk.core.trust.keys import IssuerKey, kid_for_public_key, new_signing_key, public_key_pem
from kiosk.core.trust.store import TrustStore
from kiosk.datadir import DataDir
from kiosk.demo_data import GREEN_CARD
from kiosk.provisioning import provision_root
from kiosk.ui.window import KioskWindow
from sync.devicekey import load_or_create_device_key
from sync.enrollment import enroll
from tests.sync.sync_testkit import ThreadedCentral, make_token

NOW = datetime.now(timezone.utc).replace(microsecond=0)
UNTIL = NOW + timedelta(days=30)
WAIT_MS = 30_000


class Authority:
    """An operator's offline root and an issuer (passes and status lists) the root vouches for."""

    def __init__(self) -> None:
        self.root = new_signing_key()
        self.issuer = new_signing_key()
        self.kid = kid_for_public_key(self.issuer.public_key())
        self.key = IssuerKey(self.kid, self.issuer.public_key(), "CN-GATE-AUTHORITY", frozenset({"KP1", "STATUS"}))
        self.salt = secrets.token_bytes(32)

    def bundle(self, version: int, revoked_passes: frozenset[str] = frozenset()) -> bytes:
        content = ktb.BundleContent.from_trust(TrustStore((self.key,)), version, NOW + timedelta(seconds=version))
        return ktb.sign_bundle(dataclasses.replace(content, revoked_pass_ids=revoked_passes), self.root)

    def snapshot(self, version: int, entries: dict) -> bytes:
        return sl.build(entries, self.salt, NOW, version, self.issuer, self.kid, region="bj")

    def delta(self, base: bytes, version: int, changes: dict) -> bytes:
        current = sl.load(base, TrustStore((self.key,)))
        return sl.build_delta(current, changes, NOW, version, self.issuer, self.kid)


def start_central(db_url: str, authority: Authority) -> ThreadedCentral:
    """The central with the operator's root pinned where the service checks publications (`serve --root`)."""
    root = ktb.RootKey.of(authority.root.public_key())
    try:
        return ThreadedCentral(db_url, roots=(root,)).start()
    except TypeError:  # a central that does not check publications yet
        return ThreadedCentral(db_url).start()


def publish(central: ThreadedCentral, admin_token: str, name: str, body: bytes) -> None:
    answer = httpx.put(f"{central.url}/api/v1/admin/files/{name}", content=body,
                       headers={"Authorization": f"Bearer {admin_token}"})
    assert answer.status_code in (200, 201, 204), answer.text


@pytest.fixture
def fleet(tmp_path, qtbot, db_url, admin_token):
    authority = Authority()
    central = start_central(db_url, authority)
    data = DataDir(tmp_path / "data")
    provision_root(data, public_key_pem(authority.root.public_key()).encode())
    data.install_bundle(authority.bundle(1))
    key = load_or_create_device_key(data.root / "device-key.pem")
    enroll(central.url, make_token(db_url), data.device().device_id, key, data.root / "central.json")
    reader, scanner = ReaderEmulator(), ScannerEmulator()
    config = KioskConfig(devices=DeviceConfig(reader=reader.open_pty(), scanner=scanner.open_pty()))
    window = KioskWindow()
    qtbot.addWidget(window)
    kiosk = Kiosk(config, data, window)
    kiosk.start_devices()
    qtbot.waitUntil(lambda: all(window.device_status().get(d, (False, ""))[0] for d in ("reader", "scanner")),
                    timeout=10_000)
    assert kiosk.sync_client is not None, "an enrolled kiosk syncs"
    yield kiosk, authority, central, reader, scanner
    kiosk.stop()
    reader.close()
    scanner.close()
    central.stop()


def scan(qtbot, kiosk, scanner, text: str):
    with qtbot.waitSignal(kiosk.check_shown, timeout=WAIT_MS) as shown:
        scanner.scan(text)
    return shown.args[0]


def tap(qtbot, kiosk, reader, card):
    with qtbot.waitSignal(kiosk.check_shown, timeout=WAIT_MS) as shown:
        reader.place(card)
    check = shown.args[0]
    with qtbot.waitSignal(kiosk.card_lifted, timeout=WAIT_MS):
        reader.lift()
    return check


def sync_and_adopt(qtbot, kiosk, done) -> None:
    """`sync now` (the admin panel's button), then wait until the running checkpoint shows the new data."""
    kiosk.sync_client.sync_now()
    qtbot.waitUntil(done, timeout=WAIT_MS)


def test_a_published_revocation_turns_a_valid_pass_revoked_without_a_restart(fleet, qtbot, admin_token):
    kiosk, authority, central, _, scanner = fleet
    claims = offline_pass.new_claims(GREEN_CARD.id_number, GREEN_CARD.name, Status.GREEN, NOW,
                                     issuer=authority.key.issuer)
    text = offline_pass.seal(claims, authority.issuer, authority.kid)
    first = scan(qtbot, kiosk, scanner, text)
    assert (first.result.verdict, first.outcome) == (Verdict.VALID, Outcome.PASS)
    checkpoint = kiosk.checkpoint

    publish(central, admin_token, "trust-bundle", authority.bundle(2, frozenset({claims.pass_id})))
    sync_and_adopt(qtbot, kiosk, lambda: kiosk.checkpoint.trust.version == 2)

    other = offline_pass.new_claims(GREEN_CARD.id_number, GREEN_CARD.name, Status.GREEN, NOW,
                                    issuer=authority.key.issuer)
    next_person = scan(qtbot, kiosk, scanner, offline_pass.seal(other, authority.issuer, authority.kid))
    assert next_person.result.verdict is Verdict.VALID  # (a scanner drops the same code twice in a row)
    again = scan(qtbot, kiosk, scanner, text)
    assert kiosk.checkpoint is checkpoint  # the same running checkpoint: no restart
    assert (again.result.verdict, again.outcome) == (Verdict.REVOKED, Outcome.STOP)
    assert kiosk.data.trust().version == 2  # installed on disk too: a restart keeps it


def test_a_published_status_delta_turns_a_card_red_and_a_missing_base_fetches_the_list(fleet, qtbot, admin_token):
    kiosk, authority, central, reader, _ = fleet
    snapshot = authority.snapshot(1, {GREEN_CARD.id_number: (Status.GREEN, UNTIL)})
    publish(central, admin_token, "trust-bundle", authority.bundle(2))
    publish(central, admin_token, "status-list", snapshot)
    publish(central, admin_token, "status-list-delta", authority.delta(snapshot, 2, {}))
    # the kiosk has no status list: the delta's base is missing, so it fetches the full list and applies on it
    sync_and_adopt(qtbot, kiosk, lambda: kiosk.checkpoint.status_list is not None
                   and kiosk.checkpoint.status_list.version == 2)
    green = tap(qtbot, kiosk, reader, GREEN_CARD)
    assert (green.result.status, green.outcome) == (Status.GREEN, Outcome.PASS)

    base = kiosk.data.status_list_path.read_bytes()
    publish(central, admin_token, "status-list-delta",
            authority.delta(base, 3, {GREEN_CARD.id_number: (Status.RED, UNTIL)}))
    sync_and_adopt(qtbot, kiosk, lambda: kiosk.checkpoint.status_list.version == 3)
    red = tap(qtbot, kiosk, reader, GREEN_CARD)
    assert (red.result.status, red.outcome) == (Status.RED, Outcome.STOP)


def test_a_bundle_signed_by_another_root_keeps_the_old_data_and_tells_staff(fleet, qtbot, admin_token, tmp_path):
    """The central may not check (or be fooled); the kiosk checks again: a foreign root's bundle is refused,
    the installed bundle stays, the refusal is in the admin panel's health and the trust status for staff."""
    kiosk, authority, central, _, _ = fleet
    impostor = Authority()
    impostor.key = authority.key
    folder = kiosk.data.root / "central"
    folder.mkdir(exist_ok=True)
    (folder / "trust-bundle").write_bytes(impostor.bundle(9))  # as if downloaded
    sync_and_adopt(qtbot, kiosk, lambda: any("trust-bundle" in p for p in kiosk.health().problems))
    assert kiosk.checkpoint.trust.version == 1 and kiosk.data.trust().version == 1
    problem = next(p for p in kiosk.health().problems if "trust-bundle" in p)
    assert Reason.TRUST_BUNDLE_ROOT_UNKNOWN.value in problem
    ok, detail = kiosk.window.device_status()["trust"]
    assert not ok and "refused" in detail
