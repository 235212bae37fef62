"""JSON Web Keys for SMART Health Cards: EC P-256 public keys, RFC 7638 thumbprints, JWKS into issuer keys.

An SHC issuer names each key by its RFC 7638 thumbprint; a JWKS whose `kid` does not equal the key's own
thumbprint is refused, so a kid can never be pointed at somebody else's key.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from kiosk.core.codec.jws import b64url_decode, b64url_encode
from kiosk.core.trust.keys import IssuerKey

FORMAT = "SHC"
MAX_KEYS = 4096


class JwkError(ValueError):
    """A JWK or JWKS this kiosk cannot trust."""


def thumbprint(jwk: Mapping[str, Any]) -> bytes:
    """RFC 7638: SHA-256 over the required members of an EC key, lexically ordered, no whitespace."""
    try:
        members = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    except KeyError as exc:
        raise JwkError(f"EC JWK lacks {exc.args[0]}") from None
    if not all(isinstance(v, str) for v in members.values()):
        raise JwkError("JWK members must be strings")
    return hashlib.sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode()).digest()


def public_key(jwk: Mapping[str, Any]) -> ec.EllipticCurvePublicKey:
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise JwkError("only EC P-256 keys sign SMART Health Cards")
    try:
        x, y = b64url_decode(jwk["x"]), b64url_decode(jwk["y"])
        if len(x) != 32 or len(y) != 32:
            raise ValueError("coordinates must be 32 bytes")
        return ec.EllipticCurvePublicNumbers(int.from_bytes(x, "big"), int.from_bytes(y, "big"),
                                             ec.SECP256R1()).public_key()
    except (KeyError, TypeError, ValueError) as exc:
        raise JwkError(f"unusable EC key: {exc}") from None


def jwk_of(key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    numbers = key.public_numbers()
    return {"kty": "EC", "crv": "P-256", "x": b64url_encode(numbers.x.to_bytes(32, "big")),
            "y": b64url_encode(numbers.y.to_bytes(32, "big"))}


def issuer_key(jwk: Mapping[str, Any], issuer: str) -> IssuerKey:
    """A trusted SHC key; its kid (when given) must be its own thumbprint."""
    if not isinstance(jwk, Mapping):
        raise JwkError("a JWK is a JSON object")
    if jwk.get("use", "sig") != "sig" or jwk.get("alg", "ES256") != "ES256":
        raise JwkError("an SHC key has use 'sig' and alg 'ES256'")
    key = public_key(jwk)
    digest = thumbprint(jwk)
    if "kid" in jwk and jwk["kid"] != b64url_encode(digest):
        raise JwkError(f"kid {jwk['kid']!r} is not the key's RFC 7638 thumbprint")
    return IssuerKey(kid=digest, public_key=key, issuer=issuer, uses=frozenset({FORMAT}))


def keys_from_jwks(jwks: Any, issuer: str) -> list[IssuerKey]:
    """Every key of a JWKS document (`{"keys": [...]}`), bound to `issuer` ("" = not bound to an iss)."""
    if not isinstance(jwks, Mapping) or not isinstance(jwks.get("keys"), list):
        raise JwkError("a JWKS is an object with a 'keys' list")
    if len(jwks["keys"]) > MAX_KEYS:
        raise JwkError("too many keys")
    return [issuer_key(jwk, issuer) for jwk in jwks["keys"]]


def is_shc_key(key: IssuerKey) -> bool:
    return FORMAT in key.uses
