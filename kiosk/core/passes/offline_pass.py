"""Our printed offline pass, "KP1": a CWT in a COSE_Sign1, zlib, base45, prefix `KP1:`.

Modelled on the EU DCC pipeline; the format is specified in docs/formats.md. The claims carry a status
(green / yellow / red), a validity window, a pass id, the holder's masked name and a holder binding
(kiosk.core.identity.binding) that reveals neither the full ID number nor the name.
"""
from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import cbor2

from kiosk.core.identity import binding as holder
from kiosk.core.codec import cose
from kiosk.core.codec.envelope import base45_bytes, inflate, strip_prefix
from kiosk.core.codec.base45 import b45encode
from kiosk.core.identity.idnumber import mask_name
from kiosk.core.outcome.verdicts import Reason, Status, Verdict, VerificationError

PREFIX = "KP1:"
FORMAT = "KP1"
PASS_TYPE = "health-status"
CLAIM_ISS, CLAIM_EXP, CLAIM_NBF, CLAIM_IAT, CLAIM_CTI = 1, 4, 5, 6, 7
CLAIM_KIOSK_PASS = -71000  # private-use CWT claim holding our pass body
F_VERSION, F_STATUS, F_MASKED_NAME, F_SALT, F_BINDING, F_TYPE, F_FAMILY = 1, 2, 3, 4, 5, 6, 7
DEFAULT_DAYS = 7
MAX_FAMILY = 5
GROUP_BYTES = 8


@dataclass(frozen=True)
class FamilyGroup:
    """Passes printed together for one household: a shared random id, this member's number, the group size."""

    group_id: bytes
    member: int
    size: int


@dataclass(frozen=True)
class PassClaims:
    issuer: str
    issued_at: datetime
    not_before: datetime
    expires_at: datetime
    pass_id: str
    status: Status
    masked_name: str
    binding_salt: bytes
    binding: bytes
    pass_type: str = PASS_TYPE
    family: FamilyGroup | None = None


def new_claims(id_number: str, name: str, status: Status, now: datetime, days: int = DEFAULT_DAYS,
               issuer: str = "CN-DEMO", pass_id: str | None = None, salt: bytes | None = None,
               family: FamilyGroup | None = None) -> PassClaims:
    salt = salt or os.urandom(holder.SALT_BYTES)
    now = now.astimezone(timezone.utc).replace(microsecond=0)
    return PassClaims(
        issuer=issuer, issued_at=now, not_before=now, expires_at=now + timedelta(days=days),
        pass_id=pass_id or os.urandom(12).hex(), status=Status(status), masked_name=mask_name(name),
        binding_salt=salt, binding=holder.holder_binding(id_number, salt), family=family)


def new_family(members: list[tuple[str, str, Status]], now: datetime, days: int = DEFAULT_DAYS,
               issuer: str = "CN-DEMO") -> list[PassClaims]:
    """One pass per member (ID number, name, status), linked by a family group; 1 to MAX_FAMILY members."""
    if not 1 <= len(members) <= MAX_FAMILY:
        raise ValueError(f"a family print job has 1 to {MAX_FAMILY} members, not {len(members)}")
    group_id = os.urandom(GROUP_BYTES)
    size = len(members)
    return [new_claims(number, name, status, now, days, issuer,
                       family=FamilyGroup(group_id, i, size) if size > 1 else None)
            for i, (number, name, status) in enumerate(members, start=1)]


def encode_claims(claims: PassClaims) -> bytes:
    body = {F_VERSION: 1, F_STATUS: str(claims.status), F_MASKED_NAME: claims.masked_name,
            F_SALT: claims.binding_salt, F_BINDING: claims.binding, F_TYPE: claims.pass_type}
    if claims.family is not None:
        body[F_FAMILY] = [claims.family.group_id, claims.family.member, claims.family.size]
    return cbor2.dumps({
        CLAIM_ISS: claims.issuer, CLAIM_IAT: _ts(claims.issued_at), CLAIM_NBF: _ts(claims.not_before),
        CLAIM_EXP: _ts(claims.expires_at), CLAIM_CTI: bytes.fromhex(claims.pass_id), CLAIM_KIOSK_PASS: body,
    }, canonical=True)


def seal(claims: PassClaims, private_key: Any, kid: bytes) -> str:
    """Sign the claims and produce the QR text."""
    signed = cose.sign(encode_claims(claims), private_key, kid, cose.ALG_ES256)
    return PREFIX + b45encode(zlib.compress(signed, 9))


def open_envelope(text: str) -> cose.Sign1:
    """Prefix, base45, zlib and COSE layers; raises VerificationError with the layer's reason."""
    body = strip_prefix(text.strip(), PREFIX)
    compressed = base45_bytes(body)
    try:
        return cose.decode_sign1(inflate(compressed))
    except cose.CoseError as exc:
        raise VerificationError(Verdict.INVALID, Reason.COSE_INVALID, str(exc)) from None


def decode_claims(payload: bytes) -> PassClaims:
    """Parse signed claims, checking every field's type and size. Call only after the signature holds."""
    try:
        claims = cbor2.loads(payload)
        if not is_canonical(claims, payload):  # duplicate keys, indefinite lengths, long forms, key order
            raise VerificationError(Verdict.INVALID, Reason.CBOR_NOT_CANONICAL, "claims are not canonical CBOR")
        body = claims[CLAIM_KIOSK_PASS]
        result = PassClaims(
            issuer=_typed(claims[CLAIM_ISS], str), issued_at=_dt(claims[CLAIM_IAT]),
            not_before=_dt(claims.get(CLAIM_NBF, claims[CLAIM_IAT])), expires_at=_dt(claims[CLAIM_EXP]),
            pass_id=_typed(claims[CLAIM_CTI], bytes).hex(), status=Status(body[F_STATUS]),
            masked_name=_typed(body.get(F_MASKED_NAME, ""), str), binding_salt=_typed(body[F_SALT], bytes),
            binding=_typed(body[F_BINDING], bytes), pass_type=_typed(body.get(F_TYPE, PASS_TYPE), str),
            family=_family(body.get(F_FAMILY)))
    except (KeyError, TypeError, ValueError, IndexError, cbor2.CBORDecodeError) as exc:
        raise VerificationError(Verdict.INVALID, Reason.CLAIMS_INVALID, str(exc) or type(exc).__name__) from None
    if len(result.masked_name) > 64 or len(result.pass_id) > 64 or len(result.binding) != holder.BINDING_BYTES:
        raise VerificationError(Verdict.INVALID, Reason.CLAIMS_INVALID, "field out of range")
    return result


def is_canonical(decoded: Any, encoded: bytes) -> bool:
    """True when `encoded` is the canonical CBOR (RFC 8949 4.2) of `decoded`.

    Re-encoding in the decoded order catches non-shortest forms, indefinite lengths and duplicate keys (they
    collapse on decoding); the map-key order is then checked directly. Cheaper than a canonical re-encode,
    which sorts every map, on the hot path of every pass check.
    """
    return cbor2.dumps(decoded) == encoded and _keys_in_order(decoded)


def _keys_in_order(value: Any) -> bool:
    if isinstance(value, dict):
        keys = list(value)
        if not all(type(k) is int for k in keys):
            return cbor2.dumps(value, canonical=True) == cbor2.dumps(value)
        order = [_int_key_rank(k) for k in keys]
        return order == sorted(order) and all(_keys_in_order(v) for v in value.values() if type(v) in _NESTED)
    if isinstance(value, (list, tuple)):
        return all(_keys_in_order(v) for v in value if type(v) in _NESTED)
    return True


_NESTED = (dict, list, tuple)


def _int_key_rank(key: int) -> tuple[int, int, int]:
    """Canonical (length-first) order of an integer map key: encoded length, major type, value."""
    major, value = (0, key) if key >= 0 else (1, -1 - key)
    length = 1 if value < 24 else 2 if value < 2 ** 8 else 3 if value < 2 ** 16 else 5 if value < 2 ** 32 else 9
    return length, major, value


def _family(value: Any) -> FamilyGroup | None:
    if value is None:
        return None
    group_id, member, size = value
    group = FamilyGroup(_typed(group_id, bytes), _typed(member, int), _typed(size, int))
    if len(group.group_id) != GROUP_BYTES or not 1 <= group.member <= group.size <= MAX_FAMILY:
        raise ValueError("family group out of range")
    return group


def _typed(value: Any, kind: type) -> Any:
    if not isinstance(value, kind) or isinstance(value, bool):
        raise TypeError(f"expected {kind.__name__}")
    return value


def _dt(value: Any) -> datetime:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2 ** 40:
        raise TypeError("a time claim is integer seconds")
    return datetime.fromtimestamp(value, timezone.utc)


def _ts(value: datetime) -> int:
    return int(value.timestamp())
