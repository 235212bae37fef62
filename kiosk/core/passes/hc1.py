"""EU DCC / WHO GDHCN health certificates ("HC1:"), verified offline step by step.

Layers: prefix `HC1:`, base45, bounded zlib, COSE_Sign1 (tagged, untagged, or CWT-tagged), then the CWT
claims iss (1), exp (4), iat (6) and hcert (-260 -> 1 -> DCC payload). The signature is checked before any
claim is read; the key must be a trusted document signer (kiosk.core.trust.dsc) whose key-usage OIDs allow the
pass type; `iat <= now <= exp`, and the certificate must have been valid when the pass was issued and must
not expire before the pass does. Each step is a function of its own so the conformance runner can check the
test suite's flags one by one; `verify` chains them.
"""
from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import cbor2

from kiosk.core.codec import cose
from kiosk.core.trust import dsc
from kiosk.core.codec.envelope import base45_bytes, inflate, strip_prefix
from kiosk.core.passes import dcc_schema
from kiosk.core.passes.hcert import PASS_TYPE_NAMES, HealthCertificate, describe, parse_hcert
from kiosk.core.identity.display_text import neutral_text
from kiosk.core.trust.dcc_reference import DccReference
from kiosk.core.identity.idnumber import mask_name
from kiosk.core.trust.keys import IssuerKey
from kiosk.core.outcome.result import HolderView, VerificationResult
from kiosk.core.trust.signature import check_cose_signature
from kiosk.core.trust.store import TrustStore
from kiosk.core.outcome.verdicts import Reason, Verdict, VerificationError

PREFIX = "HC1:"
FORMAT = "HC1"
ALLOWED_ALGS = frozenset({cose.ALG_ES256, cose.ALG_PS256})
CLAIM_ISS, CLAIM_EXP, CLAIM_IAT, CLAIM_HCERT = 1, 4, 6, -260
HCERT_V1 = 1
CLOCK_SKEW = timedelta(minutes=5)  # tolerated for "issued in the future" only; never for expiry
_MAX_SECONDS = 253402300799  # 9999-12-31T23:59:59Z, the last second a datetime holds
MAX_ISSUER = 256


@dataclass(frozen=True)
class HcertClaims:
    issuer: str
    issued_at: datetime | None  # RFC 8392: iat and exp are optional claims
    expires_at: datetime | None
    certificate: HealthCertificate


def detect(text: str) -> bool:
    return text.startswith(PREFIX)


def unprefix(text: str) -> str:
    """The base45 text after `HC1:`; any other context identifier (HC2:, HL0:, none) is refused."""
    return strip_prefix(text, PREFIX)


def compressed_bytes(base45_text: str) -> bytes:
    return base45_bytes(base45_text)


def cose_bytes(compressed: bytes) -> bytes:
    """zlib (RFC 1950) with a hard output bound; uncompressed or broken input is DECOMPRESSION_FAILED."""
    return inflate(compressed)


def decode_sign1(data: bytes) -> cose.Sign1:
    try:
        return cose.decode_sign1(data)
    except cose.CoseError as exc:
        raise VerificationError(Verdict.INVALID, Reason.COSE_INVALID, str(exc)) from None


def open_envelope(text: str) -> cose.Sign1:
    """Prefix, base45, zlib and COSE layers; raises VerificationError naming the layer that failed."""
    return decode_sign1(cose_bytes(compressed_bytes(unprefix(text))))


def check_signature(sign1: cose.Sign1, trust: TrustStore) -> IssuerKey:
    """The trusted document signer whose key verifies this envelope.

    The algorithm must be ES256 or PS256 and match the key's type (the test suite's CO20 carries it in the
    unprotected header only, and is valid); alg and kid are taken from the protected header when present there,
    else from the unprotected one; every document-signer key with that kid is tried.
    """
    return check_cose_signature(sign1, trust, ALLOWED_ALGS, key_filter=dsc.is_hc1_key)


def decode_claims(payload: bytes, reference: DccReference | None = None) -> HcertClaims:
    """The CWT claims (RFC 8392) and the DCC inside. Call only once the signature holds.

    iss is an optional StringOrURI (the DCC asks issuers for a country code; a verifier does not refuse other
    text), iat and exp optional NumericDates, integer or floating point (RFC 8392 §2), never tagged;
    duplicate map keys are refused (RFC 8949 §5.6: not valid CBOR for a verifier that must be unambiguous).
    """
    try:
        claims = cbor2.loads(payload, semantic_decoders=dcc_schema.SEMANTIC_DECODERS, allow_duplicate_keys=False)
    except Exception as exc:  # noqa: BLE001 - cbor2 raises many types on hostile input
        raise VerificationError(Verdict.INVALID, Reason.CBOR_INVALID, type(exc).__name__) from None
    if not isinstance(claims, Mapping):
        raise VerificationError(Verdict.INVALID, Reason.CLAIMS_INVALID, "the CWT is not a map")
    issuer = claims.get(CLAIM_ISS, "")
    if not isinstance(issuer, str) or len(issuer) > MAX_ISSUER:
        raise VerificationError(Verdict.INVALID, Reason.CLAIMS_INVALID, "iss must be text (StringOrURI)")
    hcert = claims.get(CLAIM_HCERT)
    if not isinstance(hcert, Mapping) or HCERT_V1 not in hcert:
        raise VerificationError(Verdict.INVALID, Reason.CLAIMS_INVALID, "no hcert (-260 -> 1) claim")
    return HcertClaims(issuer=neutral_text(issuer, MAX_ISSUER), issued_at=_time_claim(claims, CLAIM_IAT, "iat"),
                       expires_at=_time_claim(claims, CLAIM_EXP, "exp"),
                       certificate=parse_hcert(hcert[HCERT_V1], reference))


def check_key_usage(key: IssuerKey, certificate: HealthCertificate) -> None:
    if not dsc.may_sign_type(key, certificate.pass_type):
        raise VerificationError(Verdict.INVALID, Reason.KEY_USAGE_NOT_ALLOWED,
                                f"signer may not sign {PASS_TYPE_NAMES[certificate.pass_type]} certificates")


def check_time(claims: HcertClaims, key: IssuerKey, now: datetime) -> None:
    """iat <= now <= exp; the signer certificate valid at iat and still valid at exp.

    A missing iat skips the checks that need it; a missing exp makes the signer certificate's notAfter the
    pass's end (the DCC's exp may never exceed it), so no pass outlives its signer.
    """
    issued, expires = claims.issued_at, claims.expires_at
    if issued is not None and issued > now + CLOCK_SKEW:
        raise VerificationError(Verdict.NOT_YET_VALID, Reason.ISSUED_IN_FUTURE, _iso(issued))
    if expires is not None and now > expires:
        raise VerificationError(Verdict.EXPIRED, Reason.PASS_EXPIRED, _iso(expires))
    if issued is not None and ((key.not_before and issued < key.not_before) or
                               (key.not_after and issued > key.not_after)):
        raise VerificationError(Verdict.INVALID, Reason.SIGNER_NOT_VALID_AT_ISSUE, _iso(issued))
    if key.not_after and expires is not None and expires > key.not_after:
        raise VerificationError(Verdict.INVALID, Reason.KEY_EXPIRED,
                                f"pass valid until {_iso(expires)}, signer until {_iso(key.not_after)}")
    if key.not_after and expires is None and now > key.not_after:
        raise VerificationError(Verdict.EXPIRED, Reason.KEY_EXPIRED, f"no exp; signer ended {_iso(key.not_after)}")


def revocation_keys(certificate_id: str, country: str = "", signature: bytes = b"",
                    alg: int | None = None) -> tuple[str, ...]:
    """The forms a revoked DCC may be listed under: its UVCI in clear, and the DCC revocation hashes (SHA-256
    truncated to 128 bits, hex) of the UVCI, of country + UVCI, and of the signature (for ECDSA its r half
    only, so a re-encoded s cannot dodge the list)."""
    def short(data: bytes) -> str:
        return hashlib.sha256(data).digest()[:16].hex()

    forms = [certificate_id, short(certificate_id.encode())]
    if country:
        forms.append(short((country + certificate_id).encode()))
    if signature:
        forms.append(short(signature[:32] if alg == cose.ALG_ES256 else signature))
    return tuple(forms)


def verify(text: str, trust: TrustStore, now: datetime) -> VerificationResult:
    """1 envelope, 2 signature and signer, 3 claims and payload, 4 key usage, 5 time, 6 revocation."""
    sign1 = open_envelope(text)
    key = check_signature(sign1, trust)
    reference = trust.dcc_reference
    claims = decode_claims(sign1.payload, reference)
    check_key_usage(key, claims.certificate)
    check_time(claims, key, now)
    cert = claims.certificate
    for certificate_id in cert.certificate_ids if trust.revoked_pass_ids else ():
        forms = revocation_keys(certificate_id, cert.country, sign1.signature, sign1.alg)
        if any(form in trust.revoked_pass_ids for form in forms):
            raise VerificationError(Verdict.REVOKED, Reason.PASS_REVOKED, "certificate id is revoked")
    described = describe(cert, reference)
    return VerificationResult(
        verdict=Verdict.VALID, reason=Reason.OK, format=FORMAT, pass_type=PASS_TYPE_NAMES[cert.pass_type],
        detail=described.summary, status=described.status, flags=described.flags,
        pass_id=cert.certificate_id, kid=key.kid.hex(), issuer=claims.issuer or key.issuer,
        valid_from=claims.issued_at, valid_until=claims.expires_at or key.not_after,
        holder=HolderView(masked_name=mask_name(cert.display_name), name=cert.display_name,
                          birth_date=cert.birth_date),
        trust_version=trust.version, subject_digest=hashlib.sha256(cert.certificate_id.encode()).digest())


def _time_claim(claims: Mapping[Any, Any], label: int, name: str) -> datetime | None:
    """A NumericDate (RFC 8392 §2: integer or floating-point seconds, untagged) in the datetime range."""
    value = claims.get(label)
    if value is None and label not in claims:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            (isinstance(value, float) and not math.isfinite(value)) or not 0 <= value <= _MAX_SECONDS:
        raise VerificationError(Verdict.INVALID, Reason.CLAIMS_INVALID,
                                f"{name} must be a NumericDate (seconds since 1970, before year 10000)")
    return datetime.fromtimestamp(value, timezone.utc)


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")
