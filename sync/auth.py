"""Device request signatures: what the kiosk signs and what the central service checks, defined once.

Why: uploads are authenticated by the device's own key, not a shared secret; the signed string binds the method,
path, body digest, a timestamp and a one-time nonce so a captured request can be neither altered nor replayed.
Pure functions; any thread.
"""
from __future__ import annotations

import hashlib
import secrets

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sync.devicekey import b64decode, b64encode

HEADER_DEVICE = "X-Kiosk-Device"
HEADER_TIME = "X-Kiosk-Time"
HEADER_NONCE = "X-Kiosk-Nonce"
HEADER_SIGNATURE = "X-Kiosk-Signature"
HEADER_SERVER_TIME = "X-Central-Time"  # sent back on a clock-skew rejection so the kiosk can correct its offset
MAX_SKEW_SECONDS = 300


def signing_string(method: str, path: str, device_id: str, timestamp: int, nonce: str, body: bytes) -> bytes:
    return "\n".join(("kiosk-request-v1", method.upper(), path, device_id, str(timestamp), nonce,
                      hashlib.sha256(body).hexdigest())).encode()


def sign_request(key: Ed25519PrivateKey, method: str, path: str, device_id: str, timestamp: int,
                 body: bytes = b"") -> dict[str, str]:
    """The headers that authenticate one request."""
    nonce = secrets.token_urlsafe(16)
    signature = key.sign(signing_string(method, path, device_id, timestamp, nonce, body))
    return {HEADER_DEVICE: device_id, HEADER_TIME: str(timestamp), HEADER_NONCE: nonce,
            HEADER_SIGNATURE: b64encode(signature)}


def signature_valid(public_key: Ed25519PublicKey, signature_b64: str, message: bytes) -> bool:
    try:
        public_key.verify(b64decode(signature_b64), message)
        return True
    except (InvalidSignature, ValueError):
        return False
