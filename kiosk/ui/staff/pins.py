"""Staff and admin PINs: stored hashed (PBKDF2-SHA256, salted), compared in constant time.

Settings files hold only the `pbkdf2_sha256$iterations$salt$hash` form made by `hash_pin`, so a copied config
does not reveal the PIN. Pure Python; called on the GUI thread when a PIN is entered.
"""
from __future__ import annotations

import hashlib
import hmac
import os

_ITERATIONS = 20_000  # a 4-8 digit PIN is guarded by the lockout, not by the hash cost; keep entry instant


def hash_pin(pin: str, salt: bytes | None = None, iterations: int = _ITERATIONS) -> str:
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def check_pin(pin: str, stored: str) -> bool:
    """True when `pin` matches the stored hash; False for any malformed stored value."""
    try:
        scheme, iterations, salt_hex, digest_hex = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        digest = hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), bytes.fromhex(salt_hex), int(iterations))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest.hex(), digest_hex)
