"""The signed status list for the ID-card path: a slow keyed hash of the ID number -> status and validity.

The central side signs a snapshot per region and then deltas against it; the kiosk looks a tapped card up
locally with no network. File ("KSL1", docs/formats.md): magic, a COSE_Sign1 header signed by a key whose
`uses` include "STATUS" (region, version, times, hashing parameters, record count and SHA-256 of the body),
then the body of sorted 21-byte records (kiosk.core.status.status_records). Keys are scrypt(ID number, list salt):
whoever copies the disk gets no ID numbers and pays one scrypt per guess to enumerate (docs/privacy.md).
A kiosk that applied a delta stores the delta's signed header with the merged body: the header commits to
the merged body's digest, so the stored file stays verifiable end to end.
"""
from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import cbor2

from kiosk.core.codec import cose
from kiosk.core.trust import freshness as fresh
from kiosk.core.status import status_records as rec
from kiosk.core.identity.idnumber import normalise
from kiosk.core.trust.store import TrustStore
from kiosk.core.outcome.verdicts import Status

USE = "STATUS"
MAGIC = b"KSL1"
HASH_BYTES = rec.KEY_BYTES
KIND_SNAPSHOT, KIND_DELTA = 1, 2
H_MAGIC, H_KIND, H_REGION, H_VERSION, H_BASE, H_ISSUED, H_REFRESH, H_EXPIRES, H_KDF, H_COUNT, H_DIGEST, \
    H_RESULT_COUNT, H_RESULT_DIGEST = range(1, 14)
DEFAULT_REFRESH = timedelta(hours=24)
DEFAULT_LIFETIME = timedelta(days=7)
_STATUS_CODES = {Status.GREEN: 0, Status.YELLOW: 1, Status.RED: 2}
_CODE_STATUS = {v: k for k, v in _STATUS_CODES.items()}


@dataclass(frozen=True)
class Kdf:
    """How an ID number becomes a record key. scrypt is deliberately slow (~1 ms) and memory-hard."""

    alg: str = "scrypt"
    n: int = 2 ** 8
    r: int = 8
    p: int = 1

    def to_map(self, salt: bytes) -> dict[str, Any]:
        return {"alg": self.alg, "n": self.n, "r": self.r, "p": self.p, "salt": salt}

    @classmethod
    def from_map(cls, data: Mapping[str, Any]) -> tuple[Kdf, bytes]:
        kdf = cls(str(data["alg"]), int(data["n"]), int(data["r"]), int(data["p"]))
        if kdf.alg not in ("scrypt", "hmac-sha256") or not 1 <= kdf.n <= 2 ** 16 or not 1 <= kdf.r * kdf.p <= 32:
            raise ValueError(f"unsupported key derivation {kdf}")
        salt = data["salt"]
        if not isinstance(salt, bytes) or not 16 <= len(salt) <= 64:
            raise ValueError("the list salt is 16 to 64 bytes")
        return kdf, salt

    def derive(self, salt: bytes, id_number: str) -> bytes:
        value = normalise(id_number).encode()
        if self.alg == "hmac-sha256":  # the fast baseline the benchmark compares against; never the default
            return hmac.new(salt, value, hashlib.sha256).digest()[:HASH_BYTES]
        return hashlib.scrypt(value, salt=salt, n=self.n, r=self.r, p=self.p, maxmem=64 * 1024 * 1024,
                              dklen=HASH_BYTES)


DEFAULT_KDF = Kdf()


@dataclass(frozen=True)
class StatusEntry:
    status: Status
    valid_until: datetime


@dataclass(frozen=True)
class StatusList:
    version: int
    region: str
    issued_at: datetime
    refresh_due: datetime
    expires_at: datetime
    kdf: Kdf
    salt: bytes
    count: int
    data: Any  # the whole file (bytes or mmap); records start at `offset`
    offset: int
    header: bytes  # the signed header (COSE_Sign1) this body belongs to
    kid: str = ""

    @property
    def hash_key(self) -> bytes:
        return self.salt

    def id_hash(self, id_number: str) -> bytes:
        return self.kdf.derive(self.salt, id_number)

    def lookup(self, id_number: str) -> StatusEntry | None:
        return self.lookup_hash(self.id_hash(id_number))

    def index(self) -> rec.RecordKeys:
        """The search index over the body, built once (at load, so the first citizen does not wait for it)."""
        keys = self.__dict__.get("_keys")
        if keys is None:
            keys = rec.RecordKeys(self.data, self.offset, self.count)
            keys.search(b"")  # builds the sparse index
            object.__setattr__(self, "_keys", keys)
        return keys

    def lookup_hash(self, key: bytes) -> StatusEntry | None:
        keys = self.index()
        index = keys.find(key)
        if index is None:
            return None
        code, until = keys.record(index)
        return StatusEntry(_CODE_STATUS[code], datetime.fromtimestamp(until, timezone.utc))

    def body(self) -> memoryview:
        return memoryview(self.data)[self.offset:self.offset + self.count * rec.RECORD_BYTES]

    def freshness(self, now: datetime, grace: timedelta | None = None) -> fresh.FreshnessReport:
        return fresh.assess(self.issued_at, self.refresh_due, self.expires_at, now, grace)

    def to_bytes(self) -> bytes:
        """The file the kiosk stores: magic, signed header, body."""
        return MAGIC + struct.pack(">I", len(self.header)) + self.header + bytes(self.body())

    def __len__(self) -> int:
        return self.count


def id_hash(key: bytes, id_number: str, kdf: Kdf = DEFAULT_KDF) -> bytes:
    return kdf.derive(key, id_number)


def _records(entries: Mapping[str, tuple[Status | None, datetime | None]], salt: bytes, kdf: Kdf) -> bytes:
    rows = []
    for number, (status, until) in entries.items():
        code = rec.REMOVED if status is None else _STATUS_CODES[Status(status)]
        rows.append((kdf.derive(salt, number), code, int(until.timestamp()) if until else 0))
    return rec.pack_sorted(rows)


def _header(kind: int, region: str, version: int, issued_at: datetime, kdf: Kdf, salt: bytes, body: bytes,
            refresh: timedelta, lifetime: timedelta, extra: Mapping[int, Any] | None = None) -> dict[int, Any]:
    return {H_MAGIC: "KSL1", H_KIND: kind, H_REGION: region, H_VERSION: version, H_ISSUED: int(issued_at.timestamp()),
            H_REFRESH: int((issued_at + refresh).timestamp()), H_EXPIRES: int((issued_at + lifetime).timestamp()),
            H_KDF: kdf.to_map(salt), H_COUNT: len(body) // rec.RECORD_BYTES,
            H_DIGEST: hashlib.sha256(body).digest(), **(extra or {})}


def _seal(header: dict[int, Any], body: bytes, private_key: Any, kid: bytes) -> bytes:
    signed = cose.sign(cbor2.dumps(header, canonical=True), private_key, kid)
    return MAGIC + struct.pack(">I", len(signed)) + signed + body


def build(entries: Mapping[str, tuple[Status, datetime]], hash_key: bytes, issued_at: datetime, version: int,
          private_key: Any, kid: bytes, region: str = "demo", kdf: Kdf = DEFAULT_KDF,
          refresh: timedelta = DEFAULT_REFRESH, lifetime: timedelta = DEFAULT_LIFETIME) -> bytes:
    """Central side: sign a snapshot. `entries` maps an ID number to its status and validity end."""
    body = _records(entries, hash_key, kdf)
    return build_hashed(body, hash_key, issued_at, version, private_key, kid, region, kdf, refresh, lifetime)


def build_hashed(body: bytes, salt: bytes, issued_at: datetime, version: int, private_key: Any, kid: bytes,
                 region: str = "demo", kdf: Kdf = DEFAULT_KDF, refresh: timedelta = DEFAULT_REFRESH,
                 lifetime: timedelta = DEFAULT_LIFETIME) -> bytes:
    """Central side: sign a snapshot whose sorted records are already hashed (the usual path at scale)."""
    header = _header(KIND_SNAPSHOT, region, version, issued_at, kdf, salt, body, refresh, lifetime)
    return _seal(header, body, private_key, kid)


def build_delta(base: StatusList, changes: Mapping[str, tuple[Status | None, datetime | None]],
                issued_at: datetime, version: int, private_key: Any, kid: bytes, **times: timedelta) -> bytes:
    """Central side: sign the changes from `base` (status None removes an ID)."""
    return build_delta_hashed(base, _records(changes, base.salt, base.kdf), issued_at, version, private_key, kid,
                              **times)


def build_delta_hashed(base: StatusList, delta_body: bytes, issued_at: datetime, version: int, private_key: Any,
                       kid: bytes, refresh: timedelta = DEFAULT_REFRESH,
                       lifetime: timedelta = DEFAULT_LIFETIME) -> bytes:
    merged, count = rec.merge(base.index(), delta_body)
    header = _header(KIND_DELTA, base.region, version, issued_at, base.kdf, base.salt, delta_body, refresh, lifetime,
                     {H_BASE: base.version, H_RESULT_COUNT: count, H_RESULT_DIGEST: hashlib.sha256(merged).digest()})
    return _seal(header, delta_body, private_key, kid)


def load(data: Any, trust: TrustStore) -> StatusList:
    """Kiosk side: check the header signature and the body digest, then serve lookups from `data` in place."""
    from kiosk.core.status import status_loading

    return status_loading.load(data, trust)


def apply_delta(current: StatusList, delta: bytes, trust: TrustStore) -> StatusList:
    """Kiosk side: apply a signed delta that follows `current` exactly (see kiosk.core.status.status_loading)."""
    from kiosk.core.status import status_loading

    return status_loading.apply_delta(current, delta, trust)
