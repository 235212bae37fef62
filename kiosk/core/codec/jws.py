"""Compact JWS (RFC 7515) as SMART Health Cards use it: three base64url segments, ES256 with raw r||s.

Parsing is strict (no padding, no whitespace, bounded sizes) and typed: every failure is JWS_INVALID. The
payload is returned still encoded; the caller decides (after the signature holds) how to read it.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kiosk.core.codec import es256
from kiosk.core.outcome.verdicts import Reason, Verdict, VerificationError

MAX_JWS_CHARS = 8192
MAX_HEADER_CHARS = 512
_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class CompactJws:
    header: Mapping[str, Any]
    payload: bytes
    signature: bytes
    signing_input: bytes


class DuplicateKey(ValueError):
    """A JSON object that names one member twice (RFC 7515 §5.2: such a header must be rejected)."""


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json.loads object_pairs_hook: refuse duplicate member names instead of keeping the last one."""
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        raise DuplicateKey(next(k for k, _ in pairs if k in seen or seen.add(k))[:40])  # type: ignore[func-returns-value]
    return out


class JsonReader:
    """json.loads with unique member names that also collects every `reference` text on the way (one pass
    over a SMART Health Card's FHIR bundle instead of two)."""

    def __init__(self) -> None:
        self.references: list[str] = []

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = unique_keys(pairs)
        reference = out.get("reference")
        if type(reference) is str:
            self.references.append(reference)
        return out


def b64url_decode(text: str) -> bytes:
    if not _B64URL.match(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def parse_compact(text: str) -> CompactJws:
    if len(text) > MAX_JWS_CHARS:
        raise VerificationError(Verdict.INVALID, Reason.INPUT_TOO_LARGE, f"{len(text)} characters")
    parts = text.split(".")
    if len(parts) != 3:
        raise VerificationError(Verdict.INVALID, Reason.JWS_INVALID, "a compact JWS has three segments")
    if len(parts[0]) > MAX_HEADER_CHARS:
        raise VerificationError(Verdict.INVALID, Reason.JWS_INVALID, "header too large")
    try:
        header = json.loads(b64url_decode(parts[0]), object_pairs_hook=unique_keys)
        payload = b64url_decode(parts[1])
        signature = b64url_decode(parts[2])
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise VerificationError(Verdict.INVALID, Reason.JWS_INVALID, str(exc)) from None
    if not isinstance(header, Mapping):
        raise VerificationError(Verdict.INVALID, Reason.JWS_INVALID, "header is not a JSON object")
    return CompactJws(header, payload, signature, f"{parts[0]}.{parts[1]}".encode("ascii"))


def verify_es256(jws: CompactJws, public_key: Any) -> bool:
    """True when the raw r||s signature holds for this P-256 key."""
    return es256.verify(public_key, jws.signature, jws.signing_input)


def sign_es256(header: Mapping[str, Any], payload: bytes, private_key: Any) -> str:
    """Make a compact ES256 JWS (used for test fixtures, signed trust lists and the benchmark)."""
    head = b64url_encode(json.dumps(dict(header), separators=(",", ":")).encode())
    signing_input = f"{head}.{b64url_encode(payload)}"
    return f"{signing_input}.{b64url_encode(es256.sign(private_key, signing_input.encode()))}"
