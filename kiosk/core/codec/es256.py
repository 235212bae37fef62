"""ES256 as COSE (RFC 8152) and JWS (RFC 7518 §3.4) carry it: ECDSA P-256 with SHA-256, the signature as raw
r‖s (32 + 32 bytes big-endian), not DER. The one place that converts between the two."""
from __future__ import annotations

from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

SIGNATURE_SIZE = 64
_ECDSA_SHA256 = ec.ECDSA(hashes.SHA256())


def verify(public_key: Any, signature: bytes, data: bytes) -> bool:
    """True when the raw r‖s `signature` over `data` holds for this P-256 key; False for any other key or size."""
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or len(signature) != SIGNATURE_SIZE:
        return False
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    try:
        public_key.verify(encode_dss_signature(r, s), data, _ECDSA_SHA256)
    except InvalidSignature:
        return False
    return True


def sign(private_key: Any, data: bytes) -> bytes:
    """The raw r‖s signature of `data` (issuing, fixtures, the benchmark)."""
    r, s = decode_dss_signature(private_key.sign(data, _ECDSA_SHA256))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")
