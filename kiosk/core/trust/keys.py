"""Issuer keys as the verifier sees them, their ids, and their serialised (PEM) forms."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


@dataclass(frozen=True)
class IssuerKey:
    """A public key the kiosk trusts, with what it may sign and when."""

    kid: bytes
    public_key: Any
    issuer: str = ""
    uses: frozenset[str] = field(default_factory=frozenset)  # pass formats/types this key may sign; empty = any
    not_before: datetime | None = None
    not_after: datetime | None = None

    def may_sign(self, use: str) -> bool:
        return not self.uses or use in self.uses


def spki_der(public_key: Any) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def kid_for_public_key(public_key: Any) -> bytes:
    """Our own passes' key id: the first 8 bytes of SHA-256 over the SubjectPublicKeyInfo."""
    return hashlib.sha256(spki_der(public_key)).digest()[:8]


def public_key_pem(public_key: Any) -> str:
    return public_key.public_bytes(serialization.Encoding.PEM,
                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def load_public_key_pem(pem: str | bytes) -> Any:
    return serialization.load_pem_public_key(pem.encode() if isinstance(pem, str) else pem)


def private_key_pem(private_key: Any) -> bytes:
    return private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())


def load_private_key_pem(pem: bytes) -> Any:
    return serialization.load_pem_private_key(pem, password=None)


def new_signing_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())
