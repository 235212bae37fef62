"""Holder binding: ties a printed pass to an ID number without revealing the number.

The pass carries a random salt and scrypt(ID number, salt). Whoever photographs the code must pay one scrypt
evaluation (N=2^14, r=8: ~16 MiB and tens of milliseconds) per guess over ~10^11 candidate numbers, per pass.
A kiosk pays it once, when a card is tapped beside a pass.
"""
from __future__ import annotations

import hashlib
import hmac

from kiosk.core.identity.idnumber import normalise

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


SUBJECT_SALT = b"kiosk-log-subject/v1"
SUBJECT_SCRYPT_N = 2 ** 8  # ~0.8 ms: the same cost per guess as a status-list key (docs/privacy.md)


def subject_digest(id_number: str) -> bytes:
    """The in-memory digest of an ID number that the event log turns into a keyed hash.

    Deliberately slow: the log's key lies on the kiosk's disk, so whoever copies the disk gets it too; with a
    plain SHA-256 here they could enumerate the ~10^11 ID numbers at HMAC speed (~82 core-hours). scrypt makes
    every guess cost ~0.8 ms (~2.6 core-years for the whole space), at ~0.8 ms per card check.
    """
    return hashlib.scrypt(normalise(id_number).encode(), salt=SUBJECT_SALT, n=SUBJECT_SCRYPT_N, r=SCRYPT_R,
                          p=SCRYPT_P, dklen=32)
