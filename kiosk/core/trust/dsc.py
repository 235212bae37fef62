"""Document signer certificates (DSCs) of the EU DCC / WHO GDHCN network, turned into trusted issuer keys.

A DSC's key id is the first 8 bytes of SHA-256 over the certificate's DER. Its extended-key-usage OIDs
1.3.6.1.4.1.1847.2021.1.{1,2,3} (and the widespread `...4.1.0.1847...` spelling) restrict which pass types
the key may sign: test, vaccination, recovery. A DSC without any of them may sign all three. Keys are only
accepted in the sizes the DCC allows (EC P-256, RSA >= 2048 bit).
"""
from __future__ import annotations

import base64
import hashlib
import re

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from kiosk.core.trust.keys import IssuerKey

FORMAT = "HC1"
TYPE_OIDS: dict[str, str] = {}
for _prefix in ("1.3.6.1.4.1.1847.2021.1.", "1.3.6.1.4.1.0.1847.2021.1."):
    TYPE_OIDS.update({_prefix + "1": "t", _prefix + "2": "v", _prefix + "3": "r"})
PASS_TYPES = ("v", "t", "r")
MAX_CERTIFICATE_BYTES = 16 * 1024
_PEM_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)


class CertificateError(ValueError):
    """Bytes that are not a usable document signer certificate."""


def kid_for_certificate(cert: x509.Certificate) -> bytes:
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).digest()[:8]


def allowed_types(cert: x509.Certificate) -> frozenset[str]:
    """The pass types (v/t/r) this certificate's key-usage OIDs allow; all three when it names none."""
    try:
        usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        named = {TYPE_OIDS[oid.dotted_string] for oid in usages if oid.dotted_string in TYPE_OIDS}
    except x509.ExtensionNotFound:
        named = set()
    except ValueError:  # e.g. an empty EKU sequence (the test suite's CO15): look for the OIDs in the raw bytes
        tbs = cert.tbs_certificate_bytes
        named = {kind for oid, kind in TYPE_OIDS.items() if _der_oid(oid) in tbs}
    return frozenset(named) if named else frozenset(PASS_TYPES)


def _der_oid(dotted: str) -> bytes:
    """The DER TLV of an object identifier, to find it in a certificate whose extensions do not parse."""
    arcs = [int(a) for a in dotted.split(".")]
    body = bytearray([arcs[0] * 40 + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body += bytes(reversed(chunk))
    return bytes([0x06, len(body)]) + bytes(body)


def uses_for_types(types: frozenset[str]) -> frozenset[str]:
    """IssuerKey.uses for a DSC: "HC1:v", "HC1:t", "HC1:r" (never empty, so a DSC can sign nothing else)."""
    return frozenset(f"{FORMAT}:{t}" for t in types)


def may_sign_type(key: IssuerKey, pass_type: str) -> bool:
    return f"{FORMAT}:{pass_type}" in key.uses or FORMAT in key.uses


def is_hc1_key(key: IssuerKey) -> bool:
    return any(use == FORMAT or use.startswith(FORMAT + ":") for use in key.uses)


def country_of(cert: x509.Certificate) -> str:
    values = cert.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)
    return str(values[0].value) if values else ""


def issuer_key(cert: x509.Certificate) -> IssuerKey:
    """The trusted key of a DSC: kid, public key, country, allowed pass types and validity."""
    public_key = cert.public_key()
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        if not isinstance(public_key.curve, ec.SECP256R1):
            raise CertificateError(f"EC key on {public_key.curve.name}; the DCC allows P-256 only")
    elif isinstance(public_key, rsa.RSAPublicKey):
        if public_key.key_size < 2048:
            raise CertificateError(f"RSA key of {public_key.key_size} bits; at least 2048 required")
    else:
        raise CertificateError("only EC P-256 and RSA keys sign DCCs")
    return IssuerKey(kid=kid_for_certificate(cert), public_key=public_key, issuer=country_of(cert),
                     uses=uses_for_types(allowed_types(cert)), not_before=cert.not_valid_before_utc,
                     not_after=cert.not_valid_after_utc)


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """One DER certificate, or any number of PEM certificates, or one bare base64 DER (as in test suites)."""
    blocks = _PEM_BLOCK.findall(data)
    try:
        if blocks:
            return [x509.load_pem_x509_certificate(block) for block in blocks]
        if data[:1] == b"\x30":
            return [x509.load_der_x509_certificate(data)]
        return [x509.load_der_x509_certificate(base64.b64decode(data.strip(), validate=True))]
    except ValueError as exc:
        raise CertificateError(f"not an X.509 certificate: {exc}") from None


def certificate_from_der(der: bytes) -> x509.Certificate:
    if len(der) > MAX_CERTIFICATE_BYTES:
        raise CertificateError("certificate too large")
    try:
        return x509.load_der_x509_certificate(der)
    except ValueError as exc:
        raise CertificateError(f"not a DER certificate: {exc}") from None
