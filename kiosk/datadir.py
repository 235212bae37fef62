"""The kiosk's data directory: pinned root keys, the installed trust bundle, the status list, the clock record.

Layout (all under one folder, default $KIOSK_DATA_DIR or ~/.local/share/kiosk):
  pinned-roots.pem        the root public key(s) this kiosk trusts bundles from (see docs/formats.md:
                          `kiosk provision --root ROOT.pub.pem` writes it; the demo provisioning pins a demo root)
  demo-root/root-key.pem  the demo root's private key (demo provisioning only; mode 0600)
  initial-bundle.ktb      the shipped first bundle (signed by the root) so that a first start works offline
  trust-bundle.ktb        the installed trust bundle (replaced atomically; never by an older version)
  issuer/issuer-key.pem   the demo issuer's private key (demo provisioning only, mode 0600; never committed)
  status-list.cose        the signed status list for the ID-card path (KSL1 binary, see docs/formats.md)
  clock.json              the clock anchor: last trusted time, last accepted reading, monotonic pair
  device.json             this kiosk's id and its log-hashing key
  kiosk-state.json        the staff pause and the admin panel's settings (survive a restart)
  central/                files downloaded by sync (installed from there by kiosk/updates.py)
  events.sqlite           the local event log
Files are replaced atomically (write to a temporary file, fsync, rename) so a crash never leaves half a file.
The class only reads and writes what it is asked to: nothing here creates keys, roots or bundles (that is
kiosk/provisioning.py, an explicit step). A missing or unreadable root is a typed error (RootNotProvisioned,
RootUnreadable), never a silent demo root. Called from the GUI thread and from the sync thread, which installs
downloaded data: every read-check-write step holds one process-wide lock (`_one_writer`).
"""
from __future__ import annotations

import functools
import json
import os
import secrets
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.core.trust import bundle as bundlemod
from kiosk.core.checks import clock as clockmod
from kiosk.core.trust import keys as keymod
from kiosk.core.status import status_list as status_list_mod
from kiosk.core.status.status_loading import H_BASE, H_KIND, H_VERSION, KIND_DELTA, ListFacts, open_signed, peek_facts
from kiosk.core.trust.store import TrustDataError, TrustStore
from kiosk.core.outcome.verdicts import VerificationError

DEMO_ISSUER = "CN-DEMO"


def default_data_dir() -> Path:
    env = os.environ.get("KIOSK_DATA_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "kiosk"


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Issuer:
    """A signing identity: the demo issuer of this data directory."""

    private_key: Any
    kid: bytes
    name: str = DEMO_ISSUER

    def issuer_key(self) -> keymod.IssuerKey:
        return keymod.IssuerKey(self.kid, self.private_key.public_key(), self.name, frozenset({"KP1", "STATUS"}))


@dataclass(frozen=True)
class DeviceIdentity:
    device_id: str
    log_hash_key: bytes


class RootNotProvisioned(TrustDataError):
    """No pinned root: the data directory has not been provisioned."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"no root key pinned at {path}: provision it with "
                         f"`kiosk --data-dir {path.parent} provision --root ROOT.pub.pem`")
        self.path = path


_WRITER = threading.RLock()


def _one_writer(method):
    """Read-check-write steps (rollback checks, the clock record) run one at a time in this process: the sync
    thread installs downloads while the GUI thread records the clock or imports from a USB stick."""
    @functools.wraps(method)
    def locked(*args, **kwargs):
        with _WRITER:
            return method(*args, **kwargs)
    return locked


class StatusBaseMissing(TrustDataError):
    """A status-list delta whose base is not the installed list: the full list has to be fetched."""


class RootUnreadable(TrustDataError):
    """The pinned-roots file exists but cannot be read or holds no usable public key."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(f"the pinned root {path} is unreadable: {why}")
        self.path = path


class DataDir:
    def __init__(self, root: str | os.PathLike | None = None) -> None:
        self.root = Path(root) if root else default_data_dir()

    @property
    def trust_path(self) -> Path:
        """The installed, root-signed trust bundle (KTB1)."""
        return self.root / "trust-bundle.ktb"

    @property
    def initial_bundle_path(self) -> Path:
        return self.root / "initial-bundle.ktb"

    @property
    def pinned_roots_path(self) -> Path:
        return self.root / "pinned-roots.pem"

    @property
    def clock_path(self) -> Path:
        return self.root / "clock.json"

    @property
    def status_list_path(self) -> Path:
        return self.root / "status-list.cose"

    @property
    def event_log_path(self) -> Path:
        return self.root / "events.sqlite"

    def demo_issuer(self) -> Issuer | None:
        """The demo issuer (its private key in issuer/issuer-key.pem), or None when this is no demo data dir."""
        path = self.root / "issuer" / "issuer-key.pem"
        if not path.exists():
            return None
        private_key = keymod.load_private_key_pem(path.read_bytes())
        return Issuer(private_key, keymod.kid_for_public_key(private_key.public_key()))

    # -- root keys -----------------------------------------------------------------------------------------
    def has_root(self) -> bool:
        return self.pinned_roots_path.exists()

    def pinned_roots(self) -> list[bundlemod.RootKey]:
        """The pinned root public keys. Raises RootNotProvisioned / RootUnreadable, never creates one."""
        try:
            raw = self.pinned_roots_path.read_bytes()
        except FileNotFoundError:
            raise RootNotProvisioned(self.pinned_roots_path) from None
        except OSError as exc:
            raise RootUnreadable(self.pinned_roots_path, exc.strerror or str(exc)) from None
        try:
            return [bundlemod.RootKey.of(k) for k in read_pem_public_keys(raw)]
        except (ValueError, TypeError) as exc:
            raise RootUnreadable(self.pinned_roots_path, str(exc)) from None

    @_one_writer
    def pin_roots(self, pem: bytes) -> list[bundlemod.RootKey]:
        """Write pinned-roots.pem (provisioning); the PEM must hold at least one public key."""
        try:
            roots = [bundlemod.RootKey.of(k) for k in read_pem_public_keys(pem)]
        except (ValueError, TypeError) as exc:
            raise RootUnreadable(self.pinned_roots_path, str(exc)) from None
        write_atomic(self.pinned_roots_path, pem)
        return roots

    def demo_root_key(self) -> Any | None:
        """The demo root's private key, or None on a kiosk whose root is held offline (a real deployment)."""
        path = self.root / "demo-root" / "root-key.pem"
        return keymod.load_private_key_pem(path.read_bytes()) if path.exists() else None

    # -- trust bundle --------------------------------------------------------------------------------------
    def trust_bundle(self) -> bundlemod.TrustBundle | None:
        """The installed bundle, else the shipped initial bundle, else None (a provisioned root, no bundle yet)."""
        roots = self.pinned_roots()
        for path in (self.trust_path, self.initial_bundle_path):
            if path.exists():
                try:
                    return bundlemod.open_bundle(path.read_bytes(), roots)
                except VerificationError as exc:
                    if path == self.initial_bundle_path:
                        raise TrustDataError(f"{path.name} rejected: {exc.reason} {exc.detail}") from None
        return None

    def trust(self) -> TrustStore:
        """The trust store from the installed bundle, with the clock record's trusted time attached."""
        bundle = self.trust_bundle()
        anchor = self.clock_anchor()
        if bundle is None:  # a provisioned root and nothing signed by it yet: nothing is trusted
            return TrustStore(trusted_time=anchor.floor)
        floor = max((t for t in (anchor.floor, bundle.content.issued_at) if t is not None))
        return bundle.trust_store().with_changes(trusted_time=floor)

    @_one_writer
    def install_bundle(self, data: bytes) -> bundlemod.TrustBundle:
        """Check a downloaded bundle (root signature, no rollback) and swap it in atomically."""
        candidate = bundlemod.open_bundle(data, self.pinned_roots())
        installed = None
        if self.trust_path.exists():
            try:
                installed = bundlemod.open_bundle(self.trust_path.read_bytes(), self.pinned_roots())
            except VerificationError:
                installed = None  # a damaged file never blocks a valid newer bundle
        bundlemod.check_update(installed, candidate)
        write_atomic(self.trust_path, candidate.raw)
        self.record_trusted_time(candidate.content.issued_at, f"bundle v{candidate.version}")
        return candidate

    # -- status list ---------------------------------------------------------------------------------------
    def status_list(self, trust: TrustStore | None = None) -> status_list_mod.StatusList | None:
        """The stored status list (signature and body digest checked), or None when none is installed."""
        if not self.status_list_path.exists():
            return None
        return status_list_mod.load(self.status_list_path.read_bytes(), trust or self.trust())

    @_one_writer
    def install_status_list(self, data: bytes, trust: TrustStore | None = None,
                            kind: str = "auto") -> status_list_mod.StatusList:
        """Install a signed list, atomically; never go back. `kind`: "full" (a snapshot, or a merged list as the
        central publishes it: delta header with the merged body), "delta" (applied to the installed list; raises
        StatusBaseMissing when the installed list is not its base), "auto" (whole when it verifies whole)."""
        trust = trust or self.trust()
        if kind == "delta" or (kind == "auto" and _is_delta(data, trust) and not _verifies_whole(data, trust)):
            try:
                current = self.status_list(trust)
            except VerificationError:
                current = None  # signed by a key no longer trusted: the delta cannot apply; fetch a snapshot
            header = open_signed(data, trust).header
            if current is None or (header.get(H_BASE) != current.version and header.get(H_VERSION, 0) > current.version):
                raise StatusBaseMissing(f"status delta v{header.get(H_BASE)}->v{header.get(H_VERSION)} needs its "
                                        f"base; installed: {'none' if current is None else f'v{current.version}'}")
            new = status_list_mod.apply_delta(current, data, trust)
        else:
            new = status_list_mod.load(data, trust)
            _check_not_older(self._installed_list_facts(trust), new)
        write_atomic(self.status_list_path, new.to_bytes())
        self.record_trusted_time(new.issued_at, f"status list {new.region} v{new.version}")
        return new

    def _installed_list_facts(self, trust: TrustStore) -> ListFacts | None:
        """Region, version, issue time and signing key of the installed list. Read from the verified list when
        it still verifies, else from its header unverified (its signer was rotated out or revoked): the file was
        verified when it was installed, and these facts only ever make an update stricter."""
        if not self.status_list_path.exists():
            return None
        raw = self.status_list_path.read_bytes()
        try:
            current = status_list_mod.load(raw, trust)
            return ListFacts(current.region, current.version, current.issued_at, current.kid)
        except VerificationError:
            return peek_facts(raw)

    # -- clock ---------------------------------------------------------------------------------------------
    def clock_anchor(self) -> clockmod.ClockAnchor:
        if not self.clock_path.exists():
            return clockmod.ClockAnchor()
        try:
            data = json.loads(self.clock_path.read_text(encoding="utf-8"))
            return clockmod.ClockAnchor(
                trusted_time=_dt(data.get("trusted_time")), trusted_source=str(data.get("trusted_source", "")),
                last_seen=_dt(data.get("last_seen")), wall_at=_dt(data.get("wall_at")),
                monotonic_at=data.get("monotonic_at"), boot_id=str(data.get("boot_id", "")))
        except (ValueError, TypeError, AttributeError):
            return clockmod.ClockAnchor()  # a damaged record is rebuilt from the next trusted time

    def save_clock_anchor(self, anchor: clockmod.ClockAnchor, central_offset_s: float | None = None) -> None:
        data = {"trusted_time": _iso(anchor.trusted_time), "trusted_source": anchor.trusted_source,
                "last_seen": _iso(anchor.last_seen), "wall_at": _iso(anchor.wall_at),
                "monotonic_at": anchor.monotonic_at, "boot_id": anchor.boot_id,
                "central_offset_s": self.central_offset_s() if central_offset_s is None else central_offset_s}
        write_atomic(self.clock_path, json.dumps(data, indent=1).encode())

    @_one_writer
    def record_trusted_time(self, trusted: datetime, source: str, authoritative: bool = False) -> None:
        """A signed time (bundle, status list) or the central service's time (`authoritative`, from sync)."""
        self.save_clock_anchor(clockmod.trust_time(self.clock_anchor(), trusted, source, authoritative=authoritative))

    def central_offset_s(self) -> float | None:
        try:
            value = json.loads(self.clock_path.read_text(encoding="utf-8")).get("central_offset_s")
        except (OSError, ValueError, AttributeError):
            return None
        return float(value) if isinstance(value, (int, float)) else None

    # -- state that survives a restart ----------------------------------------------------------------------
    @property
    def kiosk_state_path(self) -> Path:
        return self.root / "kiosk-state.json"

    def kiosk_state(self) -> dict[str, Any]:
        """The staff pause and the admin panel's settings as last saved ({} when none or damaged)."""
        try:
            state = json.loads(self.kiosk_state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return state if isinstance(state, dict) else {}

    @_one_writer
    def save_kiosk_state(self, **changes: Any) -> None:
        write_atomic(self.kiosk_state_path, json.dumps({**self.kiosk_state(), **changes}, indent=1).encode())

    def device(self) -> DeviceIdentity:
        path = self.root / "device.json"
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
        else:
            data = {"device_id": "kiosk-" + secrets.token_hex(4), "log_hash_key": secrets.token_hex(32)}
            write_atomic(path, json.dumps(data, indent=1).encode(), mode=0o600)
        return DeviceIdentity(data["device_id"], bytes.fromhex(data["log_hash_key"]))


def _is_delta(data: bytes, trust: TrustStore) -> bool:
    return open_signed(data, trust).header.get(H_KIND) == KIND_DELTA


def _verifies_whole(data: bytes, trust: TrustStore) -> bool:
    try:
        status_list_mod.load(data, trust)
        return True
    except VerificationError:
        return False


def _check_not_older(current: ListFacts | None, new: status_list_mod.StatusList) -> None:
    """A list replaces the installed one of its region when its version is higher, or (an issuer-key rotation:
    a new key may start its own numbering) when another key signed it and it was issued later."""
    if current is None or current.region != new.region:
        return
    if new.version > current.version:
        return
    if new.kid != current.kid and current.issued_at is not None and new.issued_at > current.issued_at:
        return
    raise TrustDataError(f"status list version {new.version} is not newer than {current.version}")


def boot_id() -> str:
    """This boot's id (Linux); monotonic readings are comparable only within one boot."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return ""


def read_pem_public_keys(data: bytes) -> list[Any]:
    marker = b"-----END PUBLIC KEY-----"
    blocks = [b + marker for b in data.split(marker) if b.strip()]
    if not blocks:
        raise TrustDataError("pinned-roots.pem holds no public key")
    return [keymod.load_public_key_pem(b.strip()) for b in blocks]


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
