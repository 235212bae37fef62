"""Trust material for international passes, read from bytes and merged into a TrustStore.

Understood inputs (detected from the content, not the file name):
  - document signer certificates: one DER, or PEM with any number of certificates (HC1 keys);
  - a DSC list as JSON: {"certificates": [base64 DER | {"rawData": base64 DER}, ...]}, or a bare JSON array
    of such entries (the DCC gateway's trust-list shape);
  - a signed DSC list: COSE_Sign1 over CBOR {"type": "dsc-list", "issued", "expires", "certificates": [DER]},
    signed by a key already trusted as a list signer (use "TRUST_LIST");
  - a JWKS ({"keys": [JWK...]}) of an SHC issuer, bound to the issuer URL given by the caller;
  - an SHC CRL ({kid, method: "rid", rids});
  - a VCI directory snapshot ({"participating_issuers": [{issuer: {iss}, keys: [...], crls: [...]}]}),
    plain or as a compact ES256 JWS signed by a list signer;
  - EU DCC reference data: an official DCC combined JSON schema ({"$id": "https://id.uvci.eu/D?C.combined-
    schema.json", "$comment": "Schema version X.Y.Z"}) or an eHN value set ({valueSetId, valueSetValues});
  - the kiosk's own trust.json.
"""
from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kiosk.core.trust import dcc_reference, dsc, jwk, shc_revocation
from kiosk.core.trust.dcc_reference import DccReference
from kiosk.core.trust.keys import IssuerKey, spki_der
from kiosk.core.trust.store import TrustDataError, TrustStore
from kiosk.core.trust.trust_lists import LIST_SIGNER_USE, SignedListError, open_signed_directory, open_signed_dsc_list



class TrustImportError(ValueError):
    """Bytes that are none of the trust materials this kiosk understands, or that fail their checks."""


@dataclass(frozen=True)
class TrustAdditions:
    kind: str
    keys: tuple[IssuerKey, ...] = ()
    revoked_rids: frozenset[str] = field(default_factory=frozenset)
    dcc_reference: DccReference | None = None

    def describe(self) -> str:
        if self.dcc_reference and not self.keys:
            return self.kind
        parts = [f"{len(self.keys)} key(s)"]
        if self.revoked_rids:
            parts.append(f"{len(self.revoked_rids)} revocation(s)")
        return f"{self.kind}: " + ", ".join(parts)


def parse_material(data: bytes, trust: TrustStore, now: datetime, issuer: str = "") -> TrustAdditions:
    """Detect and read one piece of trust material; signed lists are checked against `trust` at `now`."""
    # Binary formats are recognised on the raw bytes: stripping "whitespace" off DER or COSE would cut a
    # signature that happens to end in 0x09-0x0d or 0x20 (about 1 file in 40).
    binary = data[:1] in (b"\x30", b"\xd2", b"\x84", b"\xd8")
    stripped = data if binary else data.strip()
    try:
        if stripped.startswith(b"{"):
            return _from_json(json.loads(stripped), issuer)
        if stripped.startswith(b"["):  # a gateway-style list: [{"country", "kid", "rawData"}, ...]
            return _from_json({"certificates": json.loads(stripped)}, issuer)
        if stripped[:1] in (b"\xd2", b"\x84", b"\xd8"):  # COSE_Sign1: tag 18, untagged array, tag 61
            return _dsc_keys("signed DSC list", open_signed_dsc_list(stripped, trust, now))
        if stripped.count(b".") == 2 and b" " not in stripped and not stripped.startswith(b"-----"):
            return _directory(open_signed_directory(stripped.decode("ascii"), trust, now), "signed VCI directory")
        return _dsc_keys("certificate(s)", dsc.load_certificates(stripped))
    except (SignedListError, dsc.CertificateError, jwk.JwkError, shc_revocation.CrlError, TrustDataError,
            dcc_reference.ReferenceDataError) as exc:
        raise TrustImportError(str(exc)) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise TrustImportError(f"not trust material this kiosk understands: {exc}") from None


def _from_json(doc: Any, issuer: str) -> TrustAdditions:
    if not isinstance(doc, Mapping):
        raise TrustImportError("a JSON trust file is an object")
    if dcc_reference.is_schema_document(doc):
        version, schema = dcc_reference.schema_document(doc)
        return TrustAdditions(f"EU DCC schema {version}", dcc_reference=DccReference(schemas={version: schema}))
    if dcc_reference.is_value_set_document(doc):
        name, codes = dcc_reference.value_set_document(doc)
        return TrustAdditions(f"EU DCC value set {name} ({len(codes)} codes)",
                              dcc_reference=DccReference(value_sets={name: codes}))
    keys = doc.get("keys")
    if isinstance(keys, list) and all(isinstance(k, Mapping) and "kty" in k for k in keys):
        return TrustAdditions("JWKS", tuple(jwk.keys_from_jwks(doc, issuer)))
    if doc.get("method") == "rid":
        return TrustAdditions("CRL", revoked_rids=shc_revocation.parse_crl(doc))
    if "participating_issuers" in doc:
        return _directory(doc, "VCI directory")
    if isinstance(doc.get("certificates"), list):
        ders = [_cert_der(item) for item in doc["certificates"]]
        return _dsc_keys("DSC list", [dsc.certificate_from_der(d) for d in ders])
    if isinstance(keys, list):
        store = TrustStore.from_dict(dict(doc))
        return TrustAdditions("trust store", store.keys, store.revoked_rids)
    raise TrustImportError("JSON that is neither a JWKS, a CRL, a DSC list, a VCI directory nor a trust store")


def _cert_der(item: Any) -> bytes:
    text = item.get("rawData") or item.get("certificate") if isinstance(item, Mapping) else item
    if not isinstance(text, str):
        raise TrustImportError("a DSC list entry is base64 DER")
    return base64.b64decode(text, validate=True)


def _dsc_keys(kind: str, certs: list[Any]) -> TrustAdditions:
    return TrustAdditions(kind, tuple(dsc.issuer_key(c) for c in certs))


def _directory(doc: Any, kind: str) -> TrustAdditions:
    issuers = doc.get("participating_issuers") if isinstance(doc, Mapping) else None
    if not isinstance(issuers, list):
        raise TrustImportError("a VCI directory has a participating_issuers list")
    keys: list[IssuerKey] = []
    rids: set[str] = set()
    for entry in issuers:
        iss = entry.get("issuer", {}).get("iss") if isinstance(entry, Mapping) else None
        if not isinstance(iss, str) or not iss.startswith("https://"):
            raise TrustImportError("every directory entry names its issuer's https iss")
        keys += jwk.keys_from_jwks({"keys": entry.get("keys", [])}, iss)
        for crl in entry.get("crls", []) or []:
            rids |= shc_revocation.parse_crl(crl)
    return TrustAdditions(kind, tuple(keys), frozenset(rids))


def as_list_signers(additions: TrustAdditions) -> TrustAdditions:
    """The same keys, trusted only to sign DSC lists and directories (never passes)."""
    keys = tuple(dataclasses.replace(k, uses=frozenset({LIST_SIGNER_USE})) for k in additions.keys)
    return TrustAdditions(f"list signer {additions.kind}", keys)


def merge(trust: TrustStore, additions: TrustAdditions) -> tuple[TrustStore, int]:
    """The store with the additions in it (a key already present with the same kid and key is skipped)."""
    present = {(k.kid, spki_der(k.public_key), k.uses) for k in trust.keys}
    new = tuple(k for k in additions.keys if (k.kid, spki_der(k.public_key), k.uses) not in present)
    reference = trust.dcc_reference
    if additions.dcc_reference:
        reference = reference.merged(additions.dcc_reference) if reference else additions.dcc_reference
    merged = dataclasses.replace(trust, keys=trust.keys + new, dcc_reference=reference,
                                 revoked_rids=trust.revoked_rids | additions.revoked_rids)
    return merged, len(new)
