"""Provisioning a data directory: one explicit step, never a side effect of reading it.

Production: `provision_root` pins the root public key(s) the operator holds offline (`kiosk provision --root`);
trust bundles signed by that root then arrive by `kiosk bundle install`, sync or a USB stick.
Demo: `provision_demo` creates a demo root (private key kept in the data dir), pins it, signs an initial bundle
and a demo issuer into it. `kiosk demo` uses it, and CLI commands whose old contract worked on a fresh data dir
(`kiosk issue` without `--key`, `trust import`, `bundle revoke`) call it through `ensure_demo`, which says so
on stderr. `demo_marks` tells `kiosk run` what in a data dir is demo material, which it refuses unless
kiosk.toml says `demo = true`.
"""
from __future__ import annotations

import sys
from datetime import datetime, timezone

from kiosk.core.trust import bundle as bundlemod
from kiosk.core.trust import keys as keymod
from kiosk.core.trust.store import TrustDataError, TrustStore
from kiosk.datadir import DEMO_ISSUER, DataDir, Issuer, RootNotProvisioned, read_pem_public_keys, write_atomic


class ProvisioningError(TrustDataError):
    """A provisioning step that would overwrite or mix up a data directory's trust anchor."""


def _now(now: datetime | None = None) -> datetime:
    return (now or datetime.now(timezone.utc)).replace(microsecond=0)


def provision_root(data: DataDir, pem: bytes) -> list[bundlemod.RootKey]:
    """Pin the operator's root public key(s). Refuses a data dir already pinned to another root."""
    if data.has_root():
        current = {r.kid for r in data.pinned_roots()}
        if current == _kids_of(pem):
            return data.pinned_roots()
        raise ProvisioningError(f"{data.pinned_roots_path} already pins another root "
                                f"({', '.join(sorted(k.hex() for k in current))}); use a new data directory")
    return data.pin_roots(pem)


def _kids_of(pem: bytes) -> set[bytes]:
    try:
        return {keymod.kid_for_public_key(k) for k in read_pem_public_keys(pem)}
    except (ValueError, TypeError) as exc:
        raise ProvisioningError(f"not a PEM public key: {exc}") from None


def provision_demo(data: DataDir, now: datetime | None = None) -> Issuer:
    """A demo root (pinned), an initial bundle and the demo issuer in it; idempotent. Never touches a data dir
    pinned to a real root (the demo root's private key must be in it). `now`: the bundles' issue time."""
    provision_demo_root(data, now)
    issuer = data.demo_issuer()
    if issuer is None:
        private_key = keymod.new_signing_key()
        write_atomic(data.root / "issuer" / "issuer-key.pem", keymod.private_key_pem(private_key), mode=0o600)
        issuer = data.demo_issuer()
    trust = data.trust()
    if not trust.keys_for(issuer.kid):
        resign_with_demo_root(data, trust.with_keys(issuer.issuer_key()), now)
    return issuer


def provision_demo_root(data: DataDir, now: datetime | None = None) -> None:
    """A demo root (pinned, its private key kept here) and an empty initial bundle signed by it; idempotent."""
    if not data.has_root():
        private_key = keymod.new_signing_key()
        write_atomic(data.root / "demo-root" / "root-key.pem", keymod.private_key_pem(private_key), mode=0o600)
        data.pin_roots(keymod.public_key_pem(private_key.public_key()).encode())
    root_key = data.demo_root_key()
    if root_key is None or keymod.kid_for_public_key(root_key.public_key()) not in {r.kid for r in
                                                                                    data.pinned_roots()}:
        raise ProvisioningError(f"{data.root} is provisioned with a real root: demo material is not added to it")
    if data.trust_bundle() is None:
        signed = bundlemod.sign_bundle(bundlemod.BundleContent.from_trust(TrustStore(), 1, _now(now)), root_key)
        write_atomic(data.initial_bundle_path, signed)
        data.install_bundle(signed)


def ensure_demo(data: DataDir, command: str, issuer: bool = True) -> Issuer | None:
    """For CLI commands whose contract works on a fresh data dir: provision the demo, saying so on stderr."""
    if not data.has_root() or (issuer and data.demo_issuer() is None):
        what = "demo root and bundle" + (", demo issuer key" if issuer else "")
        print(f"kiosk {command}: provisioning DEMO trust data in {data.root} ({what}); for production use "
              "`kiosk provision --root ROOT.pub.pem` and `kiosk issue --key ISSUER.pem --issuer NAME`",
              file=sys.stderr)
    if issuer:
        return provision_demo(data)
    provision_demo_root(data)
    return None


def resign_with_demo_root(data: DataDir, trust: TrustStore, now: datetime | None = None) -> None:
    """Demo and tests: sign `trust` as the next bundle version with the demo root and install it."""
    root_key = data.demo_root_key()
    if root_key is None:
        raise TrustDataError("this kiosk holds no root key: trust changes arrive as signed bundles")
    installed = data.trust_bundle() if data.trust_path.exists() else None
    version = max(trust.version, installed.version if installed else 0) + 1
    content = bundlemod.BundleContent.from_trust(trust, version, _now(now))
    data.install_bundle(bundlemod.sign_bundle(content, root_key))


def demo_marks(data: DataDir) -> list[str]:
    """What in this data directory is demo material (empty for a production kiosk)."""
    marks = []
    root_key = data.demo_root_key()
    try:
        roots = {r.kid for r in data.pinned_roots()}
    except RootNotProvisioned:
        roots = set()
    if root_key is not None and keymod.kid_for_public_key(root_key.public_key()) in roots:
        marks.append("a demo root is pinned (its private key is in the data directory)")
    issuer = data.demo_issuer()
    trust = data.trust() if roots else TrustStore()
    if issuer is not None and trust.keys_for(issuer.kid):
        marks.append("the demo issuer key is trusted (its private key is in the data directory)")
    if any(k.issuer == DEMO_ISSUER for k in trust.keys):
        marks.append(f"the trust bundle trusts the demo issuer {DEMO_ISSUER}")
    return marks
