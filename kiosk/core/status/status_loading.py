"""Kiosk side of the status list: check a snapshot or delta file, then read or apply it. Never trusts the body
before the header's signature and digest hold; every failure is a typed VerificationError."""
from __future__ import annotations

import hashlib
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import cbor2

from kiosk.core.codec import cose
from kiosk.core.status import status_records as rec
from kiosk.core.trust.signature import check_cose_signature
from kiosk.core.status.status_list import (H_BASE, H_COUNT, H_DIGEST, H_EXPIRES, H_ISSUED, H_KDF, H_KIND, H_MAGIC,
                                    H_REFRESH, H_REGION, H_RESULT_COUNT, H_RESULT_DIGEST, H_VERSION, KIND_DELTA,
                                    KIND_SNAPSHOT, MAGIC, USE, Kdf, StatusList)
from kiosk.core.trust.store import TrustStore
from kiosk.core.outcome.verdicts import Reason, Verdict, VerificationError

MAX_HEADER_BYTES = 64 * 1024


@dataclass(frozen=True)
class SignedFile:
    header: dict[int, Any]
    header_bytes: bytes
    kid: str
    offset: int  # where the records start
    count: int


def _error(reason: Reason, detail: str) -> VerificationError:
    return VerificationError(Verdict.TECHNICAL_ERROR, reason, detail)


def open_signed(data: Any, trust: TrustStore) -> SignedFile:
    """Magic, header signature (a STATUS key), header fields, body length and digest."""
    if len(data) < 8 or bytes(data[:4]) != MAGIC:
        raise _error(Reason.STATUS_LIST_INVALID, "not a KSL1 status list")
    (header_len,) = struct.unpack(">I", bytes(data[4:8]))
    if header_len > MAX_HEADER_BYTES or 8 + header_len > len(data):
        raise _error(Reason.STATUS_LIST_INVALID, "header length out of range")
    header_bytes = bytes(data[8:8 + header_len])
    try:
        sign1 = cose.decode_sign1(header_bytes)
        key = check_cose_signature(sign1, trust, frozenset({cose.ALG_ES256}))
    except cose.CoseError as exc:
        raise _error(Reason.STATUS_LIST_INVALID, str(exc)) from None
    except VerificationError as exc:
        raise _error(Reason.STATUS_LIST_SIGNATURE_INVALID, f"{exc.reason} {exc.detail}".strip()) from None
    if not key.may_sign(USE):
        raise _error(Reason.KEY_USAGE_NOT_ALLOWED, "key may not sign status lists")
    try:
        header = cbor2.loads(sign1.payload)
        if not isinstance(header, Mapping) or header.get(H_MAGIC) != "KSL1":
            raise ValueError("not a KSL1 header")
        header = dict(header)
    except (ValueError, cbor2.CBORDecodeError) as exc:
        raise _error(Reason.STATUS_LIST_INVALID, str(exc)) from None
    offset = 8 + header_len
    body_len = len(data) - offset
    if body_len % rec.RECORD_BYTES:
        raise _error(Reason.STATUS_LIST_INVALID, "body is not whole records")
    return SignedFile(header, header_bytes, key.kid.hex(), offset, body_len // rec.RECORD_BYTES)


@dataclass(frozen=True)
class ListFacts:
    region: str
    version: int
    issued_at: datetime | None
    kid: str


def peek_facts(data: Any) -> ListFacts | None:
    """Region, version, issue time and key id of a stored list read WITHOUT checking its signature: only for
    the kiosk's own installed file as a rollback floor (a signer rotated out must not lower that floor)."""
    try:
        (header_len,) = struct.unpack(">I", bytes(data[4:8]))
        sign1 = cose.decode_sign1(bytes(data[8:8 + min(header_len, MAX_HEADER_BYTES)]))
        header = cbor2.loads(sign1.payload)
        return ListFacts(str(header[H_REGION]), int(header[H_VERSION]), _dt(header[H_ISSUED]),
                         (sign1.kid or b"").hex())
    except (struct.error, cose.CoseError, cbor2.CBORDecodeError, KeyError, TypeError, ValueError):
        return None


def _digest(data: Any, offset: int, count: int) -> bytes:
    return hashlib.sha256(memoryview(data)[offset:offset + count * rec.RECORD_BYTES]).digest()


def load(data: Any, trust: TrustStore) -> StatusList:
    """Read a stored list: a snapshot, or a delta header with the merged body it commits to."""
    signed = open_signed(data, trust)
    h = signed.header
    try:
        if h[H_KIND] == KIND_SNAPSHOT:
            count, digest = h[H_COUNT], h[H_DIGEST]
        elif h[H_KIND] == KIND_DELTA:
            count, digest = h[H_RESULT_COUNT], h[H_RESULT_DIGEST]
        else:
            raise ValueError(f"unknown kind {h[H_KIND]!r}")
        if count != signed.count or _digest(data, signed.offset, signed.count) != digest:
            raise _error(Reason.STATUS_LIST_SIGNATURE_INVALID, "body does not match its signed digest")
        return _status_list(h, signed, data)
    except (KeyError, TypeError, ValueError) as exc:
        raise _error(Reason.STATUS_LIST_INVALID, str(exc) or type(exc).__name__) from None


def apply_delta(current: StatusList, delta: bytes, trust: TrustStore) -> StatusList:
    """Apply a signed delta: same region and hashing, based on exactly the current version, result as signed."""
    signed = open_signed(delta, trust)
    h = signed.header
    try:
        if h[H_KIND] != KIND_DELTA or h[H_REGION] != current.region:
            raise _error(Reason.STATUS_DELTA_REJECTED, f"not a delta for region {current.region}")
        if h[H_BASE] != current.version or h[H_VERSION] <= current.version:
            raise _error(Reason.STATUS_DELTA_REJECTED,
                         f"delta {h[H_BASE]}->{h[H_VERSION]} does not follow version {current.version}")
        if Kdf.from_map(h[H_KDF]) != (current.kdf, current.salt):
            raise _error(Reason.STATUS_DELTA_REJECTED, "delta uses other hashing parameters")
        if h[H_COUNT] != signed.count or _digest(delta, signed.offset, signed.count) != h[H_DIGEST]:
            raise _error(Reason.STATUS_LIST_SIGNATURE_INVALID, "delta body does not match its signed digest")
        changes = bytes(memoryview(delta)[signed.offset:])
        merged, count = rec.merge(current.index(), changes)
        if count != h[H_RESULT_COUNT] or hashlib.sha256(merged).digest() != h[H_RESULT_DIGEST]:
            raise _error(Reason.STATUS_DELTA_REJECTED, "merged list differs from the signed result")
    except (KeyError, TypeError, ValueError) as exc:  # rec.RecordError is a ValueError
        raise _error(Reason.STATUS_DELTA_REJECTED, str(exc) or type(exc).__name__) from None
    return _status_list(h, SignedFile(h, signed.header_bytes, signed.kid, 0, count), merged)


def _status_list(h: dict[int, Any], signed: SignedFile, data: Any) -> StatusList:
    kdf, salt = Kdf.from_map(h[H_KDF])
    status_list = StatusList(version=int(h[H_VERSION]), region=str(h[H_REGION]), issued_at=_dt(h[H_ISSUED]),
                      refresh_due=_dt(h[H_REFRESH]), expires_at=_dt(h[H_EXPIRES]), kdf=kdf, salt=salt,
                      count=signed.count, data=data, offset=signed.offset, header=signed.header_bytes,
                      kid=signed.kid)
    status_list.index()
    return status_list


def _dt(value: Any) -> datetime:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2 ** 40:
        raise TypeError("a time is integer seconds")
    return datetime.fromtimestamp(value, timezone.utc)
