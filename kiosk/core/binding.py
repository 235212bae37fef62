"""Holder binding: ties a printed pass to an ID number without revealing the number.

The pass carries a random salt and scrypt(ID number, salt). Whoever photographs the code must pay one scrypt
evaluation (N=2^14, r=8: ~16 MiB and tens of milliseconds) per guess over ~10^11 candidate numbers, per pass.
A kiosk pays it once, when a card is tapped beside a pass.
"""
from __future__ import annotations

import hashlib
import hmac

from kiosk.core.idnumber import normalise

SCRYPT_N = 2 ** 14
SCRYPT_R = 8
SCRYPT_P = 1
BINDING_BYTES = 16
SALT_BYTES = 16


def holder_binding(id_number: str, salt: bytes) -> bytes:
    return hashlib.scrypt(normalise(id_number).encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                          maxmem=64 * 1024 * 1024, dklen=BINDING_BYTES)


def binding_matches(id_number: str, salt: bytes, binding: bytes) -> bool:
    return hmac.compare_digest(holder_binding(id_number, salt), binding)
