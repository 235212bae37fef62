"""Signed answers: the central signs what it answers to a device request; the kiosk checks before it believes.

Why: a fake or compromised server that acknowledged uploads without storing them emptied a kiosk's backlog;
TLS authenticates a connection, this authenticates each answer to the key the kiosk learnt at enrolment. The
signed string binds the answer to the request (method, path, the request's one-time nonce), its status and a
digest of its body. Pure functions; any thread.
"""
from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sync.auth import signature_valid
from sync.devicekey import b64encode

HEADER_ANSWER_SIGNATURE = "X-Central-Signature"


def answer_string(method: str, path: str, nonce: str, status: int, body: bytes) -> bytes:
    return "\n".join(("kiosk-answer-v1", method.upper(), path, nonce, str(status),
                      hashlib.sha256(body).hexdigest())).encode()


def sign_answer(key: Ed25519PrivateKey, method: str, path: str, nonce: str, status: int, body: bytes) -> str:
    return b64encode(key.sign(answer_string(method, path, nonce, status, body)))


def answer_valid(key: Ed25519PublicKey, signature: str, method: str, path: str, nonce: str, status: int,
                 body: bytes) -> bool:
    return bool(signature) and signature_valid(key, signature, answer_string(method, path, nonce, status, body))
