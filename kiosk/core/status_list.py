"""The signed status list for the ID-card path: keyed hash of an ID number -> status and validity.

The central side signs it (COSE_Sign1, ES256, with a key whose `uses` include "STATUS"); the kiosk looks a
tapped card up locally with no network. Entries are keyed by HMAC-SHA256(list key, ID number) truncated to
16 bytes, so the file lists no ID numbers. The threat model and its enumeration cost are in docs/privacy.md.
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import cbor2

from kiosk.core import cose
from kiosk.core.idnumber import normalise
from kiosk.core.signature import check_cose_signature
from kiosk.core.trust import TrustStore
from kiosk.core.verdicts import Reason, Status, Verdict, VerificationError

USE = "STATUS"
HASH_BYTES = 16
_STATUS_CODES = {Status.GREEN: 0, Status.YELLOW: 1, Status.RED: 2}
_CODE_STATUS = {v: k for k, v in _STATUS_CODES.items()}


@dataclass(frozen=True)
class StatusEntry:
    status: Status
    valid_until: datetime


@dataclass(frozen=True)
class StatusList:
    version: int
    region: str
    issued_at: datetime
    hash_key: bytes
    entries: Mapping[bytes, tuple[int, int]]
    kid: str = ""

    def id_hash(self, id_number: str) -> bytes:
        return id_hash(self.hash_key, id_number)

    def lookup(self, id_number: str) -> StatusEntry | None:
        found = self.entries.get(self.id_hash(id_number))
        if found is None:
            return None
        code, until = found
        return StatusEntry(_CODE_STATUS[code], datetime.fromtimestamp(until, timezone.utc))

    def __len__(self) -> int:
        return len(self.entries)


def id_hash(key: bytes, id_number: str) -> bytes:
    return hmac.new(key, normalise(id_number).encode(), hashlib.sha256).digest()[:HASH_BYTES]


def build(entries: Mapping[str, tuple[Status, datetime]], hash_key: bytes, issued_at: datetime, version: int,
          private_key: Any, kid: bytes, region: str = "demo") -> bytes:
    """Central side: sign a snapshot. `entries` maps an ID number to its status and validity end."""
    table = {id_hash(hash_key, number): [_STATUS_CODES[Status(status)], int(until.timestamp())]
             for number, (status, until) in entries.items()}
    body = {1: version, 2: region, 3: int(issued_at.timestamp()), 4: hash_key, 5: table}
    return cose.sign(cbor2.dumps(body, canonical=True), private_key, kid)


def load(data: bytes, trust: TrustStore) -> StatusList:
    """Kiosk side: check the signature with the trust store, then read the snapshot."""
    try:
        sign1 = cose.decode_sign1(data)
    except cose.CoseError as exc:
        raise VerificationError(Verdict.TECHNICAL_ERROR, Reason.STATUS_LIST_SIGNATURE_INVALID, str(exc)) from None
    try:
        key = check_cose_signature(sign1, trust, frozenset({cose.ALG_ES256}))
    except VerificationError as exc:
        raise VerificationError(Verdict.TECHNICAL_ERROR, Reason.STATUS_LIST_SIGNATURE_INVALID, exc.detail) from None
    if not key.may_sign(USE):
        raise VerificationError(Verdict.TECHNICAL_ERROR, Reason.KEY_USAGE_NOT_ALLOWED, "key may not sign status lists")
    try:
        body = cbor2.loads(sign1.payload)
        entries = {bytes(k): (int(v[0]), int(v[1])) for k, v in body[5].items()}
        return StatusList(int(body[1]), str(body[2]), datetime.fromtimestamp(body[3], timezone.utc),
                          bytes(body[4]), entries, kid=key.kid.hex())
    except Exception as exc:  # noqa: BLE001 - any malformed body is one typed error
        raise VerificationError(Verdict.TECHNICAL_ERROR, Reason.PAYLOAD_INVALID, str(exc)) from None
