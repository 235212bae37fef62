"""Publications are checked before they reach a kiosk: junk, foreign roots, older versions and unknown names are
refused (HTTP 409, CLI exit 1), status lists verify against the published trust bundle, deltas against the
published list; published files are listed with version, site and time."""
from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest

from kiosk.core.outcome.verdicts import Status
from kiosk.core.status import status_list as sl
from sync.central.admin import publish as publishing
from sync.central.storage.store import Store
from tests.sync.fleet_kit import id_numbers
from tests.sync.sync_testkit import REPO, ThreadedCentral


def put(central, admin_token, name, body, site=None):
    return httpx.put(f"{central.url}/api/v1/admin/files/{name}", content=body, params={"site": site} if site else {},
                     headers={"Authorization": f"Bearer {admin_token}"})


def test_bundles_must_verify_and_be_newer(pinned_central, material, admin_token):
    c = pinned_central
    for junk, why in ((b"hello", "does not verify"), (material.foreign_bundle(9), "TRUST_BUNDLE_ROOT_UNKNOWN")):
        r = put(c, admin_token, "trust-bundle", junk)
        assert r.status_code == 409 and why in r.json()["detail"]
    r = put(c, admin_token, "trust-bundle", material.bundle(2))
    assert r.status_code == 201 and (r.json()["version"], r.json()["site"]) == (2, None)
    for older in (1, 2):
        r = put(c, admin_token, "trust-bundle", material.bundle(older))
        assert r.status_code == 409 and "not newer than the published version 2" in r.json()["detail"]
    expired = material.bundle(5, issued_at=material.now.replace(year=material.now.year - 1))
    r = put(c, admin_token, "trust-bundle", expired)
    assert r.status_code == 409 and "expired" in r.json()["detail"]
    r = put(c, admin_token, "settings", b'{"anything": 1}')
    assert r.status_code == 409 and "cannot be published" in r.json()["detail"]


def test_a_site_copy_is_compared_with_what_the_site_gets_now(pinned_central, material, admin_token):
    c = pinned_central
    assert put(c, admin_token, "trust-bundle", material.bundle(4)).status_code == 201
    r = put(c, admin_token, "trust-bundle", material.bundle(3), site="east")
    assert r.status_code == 409 and "for site east" in r.json()["detail"]  # would roll the site back
    assert put(c, admin_token, "trust-bundle", material.bundle(6), site="east").status_code == 201
    assert put(c, admin_token, "trust-bundle", material.bundle(5)).status_code == 201  # global: compared with global
    listing = httpx.get(c.url + "/api/v1/admin/files", headers={"Authorization": f"Bearer {admin_token}"}).json()
    assert [(p["name"], p["site"], p["version"]) for p in listing] == [("trust-bundle", None, 5),
                                                                        ("trust-bundle", "east", 6)]
    assert all(p["published_at"].endswith("Z") and p["size"] > 0 for p in listing)


def test_status_lists_verify_against_the_published_bundle_and_deltas_chain(pinned_central, material, admin_token,
                                                                             db_url):
    c = pinned_central
    snap = material.snapshot(1)
    r = put(c, admin_token, "status-list", snap)
    assert r.status_code == 409 and "publish the trust bundle" in r.json()["detail"]
    assert put(c, admin_token, "trust-bundle", material.bundle(1)).status_code == 201
    r = put(c, admin_token, "status-list-delta", material.delta(snap, 2, material.red(id_numbers(1)[0])))
    assert r.status_code == 409 and "snapshot" in r.json()["detail"]
    assert put(c, admin_token, "status-list", snap[:-5] + b"\x00" * 5).status_code == 409  # body tampered
    assert put(c, admin_token, "status-list", snap).status_code == 201
    assert put(c, admin_token, "status-list", snap).status_code == 409  # same version again
    victim = id_numbers(1)[0]
    delta = material.delta(snap, 2, material.red(victim))
    r = put(c, admin_token, "status-list-delta", delta)
    assert r.status_code == 201 and r.json()["version"] == 2
    skipping = material.delta(snap, 4, material.red(id_numbers(2)[1]))  # based on 1, published list is at 2
    r = put(c, admin_token, "status-list-delta", skipping)
    assert r.status_code == 409 and "does not follow version 2" in r.json()["detail"]
    store = Store(db_url)
    with store.tx() as tx:
        merged = tx.execute("SELECT body FROM files WHERE name = 'status-list'").fetchone()[0]
    store.close()
    current = sl.load(bytes(merged), material.trust())  # the merged list is published and verifies end to end
    assert current.version == 2 and current.lookup(victim).status is Status.RED


def test_no_pinned_root_means_nothing_is_published(central, material, admin_token):
    r = put(central, admin_token, "trust-bundle", material.bundle(1))
    assert r.status_code == 409 and "no pinned root" in r.json()["detail"]


def kiosk_central(db_url, *args):
    return subprocess.run([sys.executable, "-m", "sync.central.cli", "--db", db_url, *args], cwd=REPO,
                          capture_output=True, text=True, timeout=60)


def test_publish_from_the_command_line(sqlite_url, material, tmp_path):
    root = str(material.root_pem)
    junk, old, new = tmp_path / "junk.ktb", tmp_path / "v1.ktb", tmp_path / "v2.ktb"
    junk.write_bytes(b"not a bundle")
    old.write_bytes(material.bundle(1))
    new.write_bytes(material.bundle(2))
    done = kiosk_central(sqlite_url, "publish", "trust-bundle", str(new), "--root", root)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["version"] == 2
    for bad, words in ((junk, "does not verify"), (old, "not newer than the published version 2")):
        refused = kiosk_central(sqlite_url, "publish", "trust-bundle", str(bad), "--root", root)
        assert refused.returncode == 1 and "refused" in refused.stderr and words in refused.stderr
        assert "Traceback" not in refused.stderr
    site = kiosk_central(sqlite_url, "publish", "trust-bundle", str(new), "--site", "west", "--root", root)
    assert site.returncode == 1  # version 2 is what the site gets already
    listed = kiosk_central(sqlite_url, "files", "--json")
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["name"], r["site"], r["version"], r["kind"]) for r in rows] == [
        ("trust-bundle", None, 2, "KTB1 trust bundle")]
    table = kiosk_central(sqlite_url, "files")
    assert "trust-bundle" in table.stdout and "(all)" in table.stdout


def test_root_files_are_read_strictly(tmp_path):
    bad = tmp_path / "bad.pem"
    bad.write_text("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    with pytest.raises(publishing.PublishRefused):
        publishing.load_roots([bad])
    with pytest.raises(publishing.PublishRefused, match="cannot read"):
        publishing.load_roots([tmp_path / "missing.pem"])
    served = kiosk_central(f"sqlite:///{tmp_path / 'c.db'}", "serve", "--root", str(bad), "--port", "0")
    assert served.returncode == 2 and "not a PEM public key" in served.stderr
