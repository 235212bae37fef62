"""TLS: `kiosk-central serve --tls-cert --tls-key`, the kiosk pinning the central's CA at enrolment."""
from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta, timezone

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kiosk.core.outcome.verdicts import Outcome
from sync.client import SyncClient
from sync.devicekey import load_or_create_device_key
from sync.enrollment import enroll, load_enrollment
from sync.eventlog import EventLog
from sync.transport import CentralLink, SyncError
from tests.sync.sync_testkit import HASH_KEY, NOW, ThreadedCentral, card_result, make_token


def _ca(name: str):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def _server_cert(ca_key, ca_cert, folder):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "central")]))
            .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    (folder / "server.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "server.key").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                          serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))
    return folder / "server.pem", folder / "server.key"


@pytest.fixture
def tls_central(tmp_path, sqlite_url):
    ca_key, ca_cert = _ca("kiosk central CA")
    (tmp_path / "ca.pem").write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert, key = _server_cert(ca_key, ca_cert, tmp_path)
    central = ThreadedCentral(sqlite_url, tls={"ssl_certfile": str(cert), "ssl_keyfile": str(key)}).start()
    yield central, tmp_path / "ca.pem"
    central.stop()


def test_enrolment_pins_the_central_ca_and_sync_runs_over_tls(tls_central, sqlite_url, tmp_path):
    central, ca = tls_central
    key = load_or_create_device_key(tmp_path / "k" / "device-key.pem")
    done = enroll(central.url, make_token(sqlite_url), "gate-1", key, tmp_path / "k" / "central.json", ca_file=ca)
    assert done.url.startswith("https://") and load_enrollment(tmp_path / "k" / "central.json").ca_file
    log = EventLog(tmp_path / "k" / "log.db", "gate-1", HASH_KEY, signer=key)
    log.append(card_result(0), Outcome.PASS, "card", NOW)
    link = CentralLink(central.url, "gate-1", key, ca_file=done.ca_file)
    report = SyncClient(log, link, tmp_path / "dl", files=()).sync_once()
    assert report.ok and report.uploaded == 1
    link.close()
    log.close()


def test_another_ca_or_none_is_refused(tls_central, sqlite_url, tmp_path):
    central, _ca_file = tls_central
    _other_key, other = _ca("somebody else")
    (tmp_path / "other.pem").write_bytes(other.public_bytes(serialization.Encoding.PEM))
    key = load_or_create_device_key(tmp_path / "k.pem")
    for ca in (tmp_path / "other.pem", None):  # a pinned stranger, or the system's roots
        with pytest.raises(SyncError) as err:
            enroll(central.url, make_token(sqlite_url), "gate-2", key, tmp_path / f"e{bool(ca)}" / "central.json",
                   ca_file=ca)
        assert "SSL" in str(err.value) or "certificate" in str(err.value).lower()


def test_serve_wants_both_tls_files(sqlite_url, tmp_path):
    from sync.central.cli import main
    assert main(["--db", sqlite_url, "serve", "--tls-cert", str(tmp_path / "x.pem")]) == 2
