"""Test issuers for international passes: DSC certificates with key-usage OIDs, HC1 passes, SMART Health Cards.

Everything is real cryptography (cryptography's X.509 builder, our COSE and JWS signers); nothing is mocked.
"""
from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import cbor2
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from kiosk.core.codec import cose, jws
from kiosk.core.trust import dsc, jwk
from kiosk.core.passes import shc_chunks
from kiosk.core.codec.base45 import b45encode

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
OID_TEST, OID_VACC, OID_RECOVERY = (x509.ObjectIdentifier(f"1.3.6.1.4.1.1847.2021.1.{n}") for n in (1, 2, 3))


@dataclass
class Signer:
    private_key: Any
    certificate: x509.Certificate

    @property
    def kid(self) -> bytes:
        return dsc.kid_for_certificate(self.certificate)


def make_signer(alg: int = cose.ALG_ES256, oids: tuple = (), country: str = "AT", days: int = 365,
                start: datetime = T0 - timedelta(days=30), rsa_bits: int = 2048, curve: Any = None) -> Signer:
    if alg == cose.ALG_PS256:
        key = rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)
    else:
        key = ec.generate_private_key(curve or ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, country),
                      x509.NameAttribute(NameOID.COMMON_NAME, f"{country} DSC test")])
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(start)
               .not_valid_after(start + timedelta(days=days)))
    if oids:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(oids)), critical=False)
    return Signer(key, builder.sign(key, hashes.SHA256()))


def dcc_payload(kind: str = "v", family: str = "Musterfrau", given: str = "Gabriele",
                ci: str = "URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#B", fnt: str | None = None) -> dict:
    entries = {
        "v": {"tg": "840539006", "vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215", "dn": 2,
              "sd": 2, "dt": "2026-10-01", "co": "AT", "is": "Ministry of Health, Austria", "ci": ci},
        "t": {"tg": "840539006", "tt": "LP6464-4", "sc": "2026-10-31T12:00:00Z", "tr": "260415000",
              "tc": "Test centre", "co": "AT", "is": "Ministry of Health, Austria", "ci": ci},
        "r": {"tg": "840539006", "fr": "2026-09-01", "co": "AT", "is": "Ministry of Health, Austria",
              "df": "2026-09-15", "du": "2027-03-01", "ci": ci},
    }
    return {"ver": "1.3.0", "nam": {"fn": family, "fnt": fnt or family.upper(), "gn": given, "gnt": given.upper()},
            "dob": "1998-02-26", kind: [entries[kind]]}


def hc1_text(signer: Signer, payload: dict | None = None, iat: datetime = T0, exp: datetime | None = None,
             alg: int | None = None, kid: bytes | None = None, wrap: str = "tag18", kid_place: str = "protected",
             claims: dict | None = None) -> str:
    """An HC1 QR text; wrap is "tag18", "untagged" or "cwt" (61 around 18); kid_place "protected"/"unprotected"."""
    alg = alg if alg is not None else (cose.ALG_PS256 if isinstance(signer.private_key, rsa.RSAPrivateKey)
                                       else cose.ALG_ES256)
    exp = exp or iat + timedelta(days=90)
    cwt = claims if claims is not None else {1: "AT", 6: int(iat.timestamp()), 4: int(exp.timestamp()),
                                            -260: {1: payload or dcc_payload()}}
    kid = kid if kid is not None else signer.kid
    protected = {1: alg, 4: kid} if kid_place == "protected" else {1: alg}
    unprotected = {} if kid_place == "protected" else {4: kid}
    protected_bytes = cbor2.dumps(protected)
    body = cbor2.dumps(cwt)
    to_sign = cbor2.dumps(["Signature1", protected_bytes, b"", body])
    signature = _sign(signer.private_key, to_sign)  # by key type: alg may lie on purpose
    sign1: Any = [protected_bytes, unprotected, body, signature]
    if wrap != "untagged":
        sign1 = cbor2.CBORTag(cose.TAG_SIGN1, sign1)
    if wrap == "cwt":
        sign1 = cbor2.CBORTag(cose.TAG_CWT, sign1)
    return "HC1:" + b45encode(zlib.compress(cbor2.dumps(sign1), 9))


def _sign(key: Any, data: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


# ---------------------------------------------------------------- SMART Health Cards
ISSUER = "https://issuer.example.org"


def shc_key() -> tuple[Any, dict]:
    private_key = ec.generate_private_key(ec.SECP256R1())
    public = jwk.jwk_of(private_key.public_key())
    public.update({"kid": jws.b64url_encode(jwk.thumbprint(public)), "use": "sig", "alg": "ES256"})
    return private_key, public


def shc_payload(nbf: datetime = T0, exp: datetime | None = None, rid: str | None = "rid123", iss: str = ISSUER,
                family: str = "Anyperson", given: tuple = ("John", "B.")) -> dict:
    vc: dict = {"type": ["https://smarthealth.cards#health-card", "https://smarthealth.cards#immunization"],
                "credentialSubject": {"fhirVersion": "4.0.1", "fhirBundle": {
                    "resourceType": "Bundle", "type": "collection", "entry": [
                        {"fullUrl": "resource:0", "resource": {"resourceType": "Patient", "name": [
                            {"family": family, "given": list(given)}], "birthDate": "1951-01-20"}}]}}}
    if rid:
        vc["rid"] = rid
    payload = {"iss": iss, "nbf": nbf.timestamp(), "vc": vc}
    if exp:
        payload["exp"] = exp.timestamp()
    return payload


def shc_jws(private_key: Any, public: dict, payload: dict, header: dict | None = None) -> str:
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = deflater.compress(json.dumps(payload, separators=(",", ":")).encode()) + deflater.flush()
    head = header if header is not None else {"zip": "DEF", "alg": "ES256", "kid": public["kid"]}
    return jws.sign_es256(head, raw, private_key)


def shc_text(private_key: Any, public: dict, payload: dict, header: dict | None = None) -> str:
    return shc_chunks.jws_to_qr_text(shc_jws(private_key, public, payload, header))


def permissive_reference(version: str = "1.3.0"):
    """A DCC reference made here (not the official schema): an object with ver, nam and dob, for tests whose
    subject is not the payload rules but that need a schema-checked pass (no DCC_SCHEMA_UNCHECKED flag)."""
    from kiosk.core.trust.dcc_reference import DccReference

    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              "$id": "https://id.uvci.eu/DCC.combined-schema.json", "$comment": f"Schema version {version}",
              "type": "object", "required": ["ver", "nam", "dob"]}
    return DccReference(schemas={version: schema})
