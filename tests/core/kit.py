"""Real keys, real signed passes and bundles for the core tests (no mocks): one place that builds them."""
from __future__ import annotations

import zlib
from datetime import datetime, timedelta, timezone

import cbor2

from kiosk.core.trust import bundle as bundlemod
from kiosk.core.codec import cose
from kiosk.core.passes import offline_pass
from kiosk.core.codec.base45 import b45encode
from kiosk.core.trust.keys import IssuerKey, kid_for_public_key, new_signing_key
from kiosk.core.trust.store import TrustStore
from kiosk.core.outcome.verdicts import Status

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)
ID_A = "11010519491231002X"
ID_B = "440106195203150032"


class Issuer:
    def __init__(self, uses=("KP1", "STATUS"), name="CN-TEST", kid: bytes | None = None) -> None:
        self.private_key = new_signing_key()
        self.kid = kid or kid_for_public_key(self.private_key.public_key())
        self.key = IssuerKey(self.kid, self.private_key.public_key(), name, frozenset(uses))

    def claims(self, id_number: str = ID_A, status: Status = Status.GREEN, now: datetime = NOW, days: int = 7):
        return offline_pass.new_claims(id_number, "张三", status, now, days=days, issuer=self.key.issuer,
                                       salt=b"s" * 16)

    def seal(self, claims=None, alg: int = cose.ALG_ES256) -> str:
        return offline_pass.seal(claims or self.claims(), self.private_key, self.kid) if alg == cose.ALG_ES256 \
            else wrap(cose.sign(offline_pass.encode_claims(claims or self.claims()), self.private_key, self.kid, alg))


def wrap(cose_bytes: bytes, prefix: str = "KP1:") -> str:
    return prefix + b45encode(zlib.compress(cose_bytes, 9))


def unsigned_envelope(payload: bytes, protected: dict, signature: bytes = b"") -> bytes:
    return cbor2.dumps(cbor2.CBORTag(18, [cbor2.dumps(protected), {}, payload, signature]))


def trust_for(*issuers: Issuer, **changes) -> TrustStore:
    return TrustStore(tuple(i.key for i in issuers), version=7).with_changes(**changes)


def bundled_trust(*issuers: Issuer, issued_at: datetime = NOW, **changes) -> TrustStore:
    """A trust store as it comes out of a signed bundle: with refresh-due and hard-expiry times."""
    content = bundlemod.BundleContent.from_trust(trust_for(*issuers), 7, issued_at)
    return content.trust_store().with_changes(**changes)


def later(**delta) -> datetime:
    return NOW + timedelta(**delta)
