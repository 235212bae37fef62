"""The kiosk's data directory: demo issuer keys, trust data, the status list, device identity, the log.

Layout (all under one folder, default $KIOSK_DATA_DIR or ~/.local/share/kiosk):
  issuer/issuer-key.pem   demo issuer's private key (generated on first use, mode 0600; never committed)
  trust.json              the trust store the verifier uses (public keys, revocations)
  status-list.cose        the signed status list for the ID-card path
  device.json             this kiosk's id and its log-hashing key
  events.sqlite           the local event log
Files are replaced atomically (write to a temporary file, fsync, rename) so a crash never leaves half a file.
"""
from __future__ import annotations

import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.core import keys as keymod
from kiosk.core.trust import TrustStore

DEMO_ISSUER = "CN-DEMO"


def default_data_dir() -> Path:
    env = os.environ.get("KIOSK_DATA_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "kiosk"


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Issuer:
    """A signing identity: the demo issuer of this data directory."""

    private_key: Any
    kid: bytes
    name: str = DEMO_ISSUER

    def issuer_key(self) -> keymod.IssuerKey:
        return keymod.IssuerKey(self.kid, self.private_key.public_key(), self.name, frozenset({"KP1", "STATUS"}))


@dataclass(frozen=True)
class DeviceIdentity:
    device_id: str
    log_hash_key: bytes


class DataDir:
    def __init__(self, root: str | os.PathLike | None = None) -> None:
        self.root = Path(root) if root else default_data_dir()

    @property
    def trust_path(self) -> Path:
        return self.root / "trust.json"

    @property
    def status_list_path(self) -> Path:
        return self.root / "status-list.cose"

    @property
    def event_log_path(self) -> Path:
        return self.root / "events.sqlite"

    def issuer(self) -> Issuer:
        """The demo issuer, created on first use; its public key is added to the trust store."""
        path = self.root / "issuer" / "issuer-key.pem"
        if path.exists():
            private_key = keymod.load_private_key_pem(path.read_bytes())
        else:
            private_key = keymod.new_signing_key()
            write_atomic(path, keymod.private_key_pem(private_key), mode=0o600)
        issuer = Issuer(private_key, keymod.kid_for_public_key(private_key.public_key()))
        trust = self.trust()
        if not trust.keys_for(issuer.kid):
            self.save_trust(trust.with_keys(issuer.issuer_key()))
        return issuer

    def trust(self) -> TrustStore:
        if not self.trust_path.exists():
            return TrustStore()
        return TrustStore.from_dict(json.loads(self.trust_path.read_text(encoding="utf-8")))

    def save_trust(self, trust: TrustStore) -> None:
        write_atomic(self.trust_path, json.dumps(trust.to_dict(), indent=1).encode())

    def device(self) -> DeviceIdentity:
        path = self.root / "device.json"
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
        else:
            data = {"device_id": "kiosk-" + secrets.token_hex(4), "log_hash_key": secrets.token_hex(32)}
            write_atomic(path, json.dumps(data, indent=1).encode(), mode=0o600)
        return DeviceIdentity(data["device_id"], bytes.fromhex(data["log_hash_key"]))
