"""Where this kiosk is enrolled: the central service's URL, its device id and site, kept in a small JSON file.

Why: `kiosk enroll URL TOKEN` happens once; every later `kiosk sync` and the background client need the URL.
The file holds no secret (the device key is its own file). Any thread; written atomically.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.transport import CentralLink, SyncError


@dataclass(frozen=True)
class Enrollment:
    url: str
    device_id: str
    site: str
    ca_file: str = ""  # the central's CA, pinned at enrolment (a copy in the data directory), for https
    central_key: str = ""  # the central's answer key (Ed25519, base64url): later answers must carry its signature


def enroll(url: str, token: str, device_id: str, key: Ed25519PrivateKey, path: str | os.PathLike,
           timeout: float = 30.0, ca_file: str | os.PathLike | None = None) -> Enrollment:
    """Register this device's public key with the central service through a one-time token; remember it.
    With `ca_file` the central's CA is pinned: copied beside the enrolment file and used for every later call."""
    pinned = ""
    if ca_file:
        pem = Path(ca_file).read_bytes()[:1024 * 1024]
        if b"-----BEGIN CERTIFICATE-----" not in pem:
            raise SyncError(f"{ca_file} is not a PEM certificate", retryable=False)
        target = Path(path).with_name("central-ca.pem")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pem)
        pinned = str(target)
    link = CentralLink(url, device_id, key, timeout=timeout, ca_file=pinned or None)
    try:
        answer = link.enroll(token)
    finally:
        link.close()
    if answer.get("device_id") != device_id:
        raise SyncError("the service enrolled a different device id", retryable=False)
    enrollment = Enrollment(url.rstrip("/"), device_id, str(answer.get("site", "")), pinned, link.central_key)
    save_enrollment(path, enrollment)
    return enrollment


def save_enrollment(path: str | os.PathLike, enrollment: Enrollment) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(asdict(enrollment), fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def load_enrollment(path: str | os.PathLike) -> Enrollment | None:
    """The saved enrollment, or None when this kiosk was never enrolled (or the file is unreadable)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return Enrollment(str(data["url"]), str(data["device_id"]), str(data.get("site", "")),
                          str(data.get("ca_file", "")), str(data.get("central_key", "")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
