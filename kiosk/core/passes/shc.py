"""SMART Health Cards ("shc:/"), verified offline: numeric QR text, compact JWS, raw DEFLATE, ES256.

Steps: digits -> JWS; header {alg: ES256, zip: DEF, kid}; the kid (RFC 7638 thumbprint) names a trusted SHC
key; the signature is checked before the payload is inflated (raw DEFLATE, bounded) and read; the signed
`iss` must be the issuer the key was trusted for; `nbf`/`exp` against now; revocation by `rid` from the
issuer's CRL. A revoked card that has also expired says both (verdict REVOKED, flag PASS_EXPIRED).
"""
from __future__ import annotations

import hashlib
import json
import math
import re
import zlib
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from kiosk.core.trust import jwk, shc_revocation, signature
from kiosk.core.codec import jws
from kiosk.core.identity.display_text import neutral_text
from kiosk.core.passes import fhir_bundle, shc_chunks
from kiosk.core.codec.envelope import inflate
from kiosk.core.identity.idnumber import mask_name
from kiosk.core.trust.keys import IssuerKey
from kiosk.core.outcome.result import HolderView, VerificationResult
from kiosk.core.trust.store import TrustStore
from kiosk.core.outcome.verdicts import Reason, Verdict, VerificationError

FORMAT = "SHC"
CLOCK_SKEW = timedelta(minutes=5)
MAX_TEXT = 200
_MAX_SECONDS = 253402300799  # 9999-12-31T23:59:59Z: the last second a datetime holds (no overflow)
ALLOWED_ALGS = frozenset({"ES256"})
_REFERENCE = re.compile(r'"reference":"((?:[^"\\]|\\.)*)"')


def detect(text: str) -> bool:
    return text[:5].lower() == shc_chunks.PREFIX


def jws_from_qr_text(text: str) -> str:
    index, total, digits = shc_chunks.split_qr_text(text)
    if total != 1:
        raise VerificationError(Verdict.UNSUPPORTED_FORMAT, Reason.CHUNKS_INCOMPLETE,
                                f"part {index} of {total}: scan the other parts")
    return shc_chunks.digits_to_jws(digits)


def check_signature(token: jws.CompactJws, trust: TrustStore) -> IssuerKey:
    """The shared signature step (kiosk.core.trust.signature) with SHC's rules: ES256 only, SHC keys only."""
    return signature.check_signature(signature.jws_envelope(token), trust, ALLOWED_ALGS, key_filter=jwk.is_shc_key)


def decode_payload(token: jws.CompactJws, reader: jws.JsonReader | None = None) -> Mapping[str, Any]:
    """Inflate (raw DEFLATE, bounded) and parse the signed payload. Call only once the signature holds."""
    if token.header.get("zip") != "DEF":
        raise VerificationError(Verdict.INVALID, Reason.JWS_INVALID, "an SHC payload is DEFLATE-compressed")
    raw = inflate(token.payload, wbits=-zlib.MAX_WBITS)
    try:
        payload = _unique_json(raw, reader)
    except jws.DuplicateKey as exc:
        raise VerificationError(Verdict.INVALID, Reason.PAYLOAD_INVALID, f"duplicate JSON key {exc}") from None
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise VerificationError(Verdict.INVALID, Reason.PAYLOAD_INVALID, f"not JSON: {exc}"[:200]) from None
    if not isinstance(payload, Mapping) or not isinstance(payload.get("iss"), str) or \
            not isinstance(payload.get("vc"), Mapping):
        raise VerificationError(Verdict.INVALID, Reason.CLAIMS_INVALID, "payload needs iss and vc")
    return payload


def _unique_json(raw: bytes, reader: jws.JsonReader | None) -> Any:
    """JSON with unique member names. The spec's payload is minified JSON: when re-serialising the parsed
    value gives back exactly the input, no member was dropped, so no name was duplicated (one C-speed pass);
    otherwise (other spacing or escapes) the slower reader decides, member by member."""
    payload = json.loads(raw)
    if json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode() == raw:
        if reader is not None and b'"reference"' in raw:  # minified: references are spelt plainly
            found = _REFERENCE.findall(raw.decode("utf-8"))
            reader.references.extend(json.loads(f'"{text}"') if "\\" in text else text for text in found)
        return payload
    if reader is not None:
        reader.references.clear()
    return json.loads(raw, object_pairs_hook=reader or jws.unique_keys)


def verify(text: str, trust: TrustStore, now: datetime) -> VerificationResult:
    """1 QR text, 2 JWS and signature, 3 payload and issuer, 4 time, 5 revocation."""
    token = jws.parse_compact(jws_from_qr_text(text))
    key = check_signature(token, trust)
    reader = jws.JsonReader()
    payload = decode_payload(token, reader)
    issuer = payload["iss"]
    if key.issuer and key.issuer != issuer:
        raise VerificationError(Verdict.UNTRUSTED_ISSUER, Reason.ISSUER_MISMATCH,
                                f"signed by a key of {key.issuer}, claims {issuer[:MAX_TEXT]}")
    nbf = _seconds(payload, "nbf", required=True)
    exp = _seconds(payload, "exp", required=False)
    result = _valid_result(payload, key, trust, nbf, exp, reader.references)
    expired = exp is not None and now > exp
    rid = payload["vc"].get("rid")
    if isinstance(rid, str) and shc_revocation.is_revoked(trust.revoked_rids, jws.b64url_encode(key.kid), rid,
                                                          nbf.timestamp()):
        detail = "rid is on the issuer's revocation list" + (f"; also expired {exp:%Y-%m-%d}" if expired else "")
        return result.with_changes(verdict=Verdict.REVOKED, reason=Reason.PASS_REVOKED, detail=detail,
                                   flags=("PASS_EXPIRED",) if expired else ())
    if nbf > now + CLOCK_SKEW:
        raise VerificationError(Verdict.NOT_YET_VALID, Reason.PASS_NOT_YET_VALID, nbf.isoformat())
    if expired:
        raise VerificationError(Verdict.EXPIRED, Reason.PASS_EXPIRED, exp.isoformat())
    return result


def _valid_result(payload: Mapping[str, Any], key: IssuerKey, trust: TrustStore, nbf: datetime,
                  exp: datetime | None, references: list[str]) -> VerificationResult:
    fhir_bundle.check_credential(payload["vc"], references)
    name, birth_date = holder_of(payload["vc"])
    types = payload["vc"].get("type")
    kinds = [t.rsplit("#", 1)[-1] for t in types if isinstance(t, str)] if isinstance(types, list) else []
    rid = payload["vc"].get("rid")
    subject = rid if isinstance(rid, str) else ""
    return VerificationResult(
        verdict=Verdict.VALID, reason=Reason.OK, format=FORMAT, pass_type=",".join(kinds)[:MAX_TEXT],
        pass_id=subject[:64], kid=key.kid.hex(), issuer=payload["iss"][:MAX_TEXT], valid_from=nbf,
        valid_until=exp, holder=HolderView(masked_name=mask_name(name), name=name, birth_date=birth_date),
        trust_version=trust.version,
        subject_digest=hashlib.sha256(subject.encode()).digest() if subject else b"")


def holder_of(vc: Mapping[str, Any]) -> tuple[str, str]:
    """Name and birth date of the first FHIR Patient in the card; ("", "") when it names none."""
    subject = vc.get("credentialSubject")
    bundle = subject.get("fhirBundle") if isinstance(subject, Mapping) else None
    entries = bundle.get("entry") if isinstance(bundle, Mapping) else None
    for entry in entries if isinstance(entries, list) else []:
        resource = entry.get("resource") if isinstance(entry, Mapping) else None
        if isinstance(resource, Mapping) and resource.get("resourceType") == "Patient":
            return _patient_name(resource), _short(resource.get("birthDate"))
    return "", ""


def _patient_name(patient: Mapping[str, Any]) -> str:
    """Given names and family name of the first HumanName, neutralised for display (no controls, no bidi)."""
    names = patient.get("name")
    first = names[0] if isinstance(names, list) and names and isinstance(names[0], Mapping) else {}
    given = first.get("given") if isinstance(first.get("given"), list) else []
    parts = [g for g in given[:8] if isinstance(g, str)] + [_short(first.get("family"))]
    return neutral_text(" ".join(p[:MAX_TEXT] for p in parts if p), MAX_TEXT)


def _short(value: Any) -> str:
    return neutral_text(value, MAX_TEXT) if isinstance(value, str) else ""


def _seconds(payload: Mapping[str, Any], name: str, required: bool) -> datetime | None:
    value = payload.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            (isinstance(value, float) and not math.isfinite(value)) or not 0 <= value <= _MAX_SECONDS:
        raise VerificationError(Verdict.INVALID, Reason.CLAIMS_INVALID,
                                f"{name} must be seconds since 1970, before year 10000")
    return datetime.fromtimestamp(value, timezone.utc)
