"""COSE_Sign1 (RFC 9052) envelopes: decoding with every tolerated tagging, signing and signature checks.

Signatures are checked before anything inside the payload is read (the DCC rule). Supported algorithms:
ES256 (-7, raw r||s) and PS256 (-37, RSA-PSS with SHA-256).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from kiosk.core.codec import es256

ALG_ES256 = -7
ALG_PS256 = -37
ALGORITHM_NAMES = {ALG_ES256: "ES256", ALG_PS256: "PS256"}
HEADER_ALG = 1
HEADER_KID = 4
TAG_SIGN1 = 18
TAG_CWT = 61
_PSS_VERIFY = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)


class CoseError(ValueError):
    """The bytes are not a well-formed COSE_Sign1 structure."""


@dataclass(frozen=True)
class Sign1:
    protected_bytes: bytes
    protected: dict
    unprotected: dict
    payload: bytes
    signature: bytes

    @property
    def alg(self) -> int | None:
        return self.protected.get(HEADER_ALG, self.unprotected.get(HEADER_ALG))

    @property
    def kid(self) -> bytes | None:
        """The key id; the protected header wins over the unprotected one."""
        kid = self.protected.get(HEADER_KID, self.unprotected.get(HEADER_KID))
        return kid if isinstance(kid, bytes) else None

    def signed_bytes(self, external_aad: bytes = b"") -> bytes:
        return cbor2.dumps(["Signature1", self.protected_bytes, external_aad, self.payload])


def decode_sign1(data: bytes) -> Sign1:
    """Parse tagged (18), untagged, or CWT-wrapped (61 around 18) COSE_Sign1 bytes."""
    try:
        obj = cbor2.loads(data)
    except Exception as exc:  # cbor2 raises many types on hostile input
        raise CoseError(f"not CBOR: {exc}") from None
    for _ in range(2):
        if isinstance(obj, cbor2.CBORTag):
            if obj.tag not in (TAG_SIGN1, TAG_CWT):
                raise CoseError(f"unexpected CBOR tag {obj.tag}")
            obj = obj.value
    if not isinstance(obj, (list, tuple)) or len(obj) != 4:  # cbor2 >= 6 gives tuples inside tags
        raise CoseError("a COSE_Sign1 is an array of four items")
    protected_bytes, unprotected, payload, signature = obj
    if not isinstance(protected_bytes, bytes) or not _is_map(unprotected):
        raise CoseError("malformed COSE headers")
    unprotected = dict(unprotected)
    if not isinstance(payload, bytes) or not isinstance(signature, bytes):
        raise CoseError("payload and signature must be byte strings")
    protected = _decode_protected(protected_bytes)
    return Sign1(protected_bytes, protected, unprotected, payload, signature)


def _decode_protected(protected_bytes: bytes) -> dict:
    if not protected_bytes:
        return {}
    try:
        protected = cbor2.loads(protected_bytes)
    except Exception:
        raise CoseError("protected header is not CBOR") from None
    if not _is_map(protected):
        raise CoseError("protected header is not a map")
    return dict(protected)


def _is_map(value: Any) -> bool:
    """A CBOR map as cbor2 decodes it (dict, or frozendict inside tags); the ABC check only as a fallback."""
    return type(value) in _MAP_TYPES or isinstance(value, Mapping)


_MAP_TYPES = (dict, getattr(cbor2, "frozendict", dict))


def verify_signature(sign1: Sign1, public_key: Any) -> bool:
    """True when the signature is valid for this key under the envelope's algorithm."""
    data = sign1.signed_bytes()
    try:
        if sign1.alg == ALG_ES256:
            return es256.verify(public_key, sign1.signature, data)
        if sign1.alg == ALG_PS256 and isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(sign1.signature, data, _PSS_VERIFY, hashes.SHA256())
            return True
    except InvalidSignature:
        return False
    return False


def sign(payload: bytes, private_key: Any, kid: bytes, alg: int = ALG_ES256, tagged: bool = True) -> bytes:
    """Make a COSE_Sign1 with alg and kid in the protected header."""
    protected_bytes = cbor2.dumps({HEADER_ALG: alg, HEADER_KID: kid})
    to_sign = cbor2.dumps(["Signature1", protected_bytes, b"", payload])
    if alg == ALG_ES256:
        signature = es256.sign(private_key, to_sign)
    elif alg == ALG_PS256:
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        signature = private_key.sign(to_sign, pss, hashes.SHA256())
    else:
        raise ValueError(f"cannot sign with algorithm {alg}")
    body = [protected_bytes, {}, payload, signature]
    return cbor2.dumps(cbor2.CBORTag(TAG_SIGN1, body) if tagged else body)
