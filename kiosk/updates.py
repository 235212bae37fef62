"""Installing downloaded trust data: what `kiosk sync`, the sync thread or a USB stick brings, verified first.

Why: downloads used to land in DATA/central/ and nothing installed them, so a syncing kiosk kept passing a
revoked pass. The Updater looks at a folder of downloaded files (sync: DATA/central/; air-gapped: a USB stick)
and installs into the data directory, each through DataDir's checks:
  trust-bundle       root signature against the pinned roots, rollback refused (its policy settings with it);
  status-list        a snapshot, or the merged list the central publishes beside a delta (verified whole);
  status-list-delta  applied to the installed list; when its base is not installed, the full `status-list`
                     is fetched (`fetch`, the sync client's on-demand download) and installed instead.
A refused or damaged file keeps the old data; the refusal is kept in `problems` (shown to staff, logged by the
caller) until a good file of that name installs. What was applied is remembered by digest in
`.applied.json` beside the files, so a round with nothing new does nothing, and a file downloaded just before
a crash is installed at the next start. Qt-free; runs on whichever thread downloads (one at a time); the
running checkpoint adopts the result on the GUI thread (Checkpoint.adopt).
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.core.outcome.verdicts import VerificationError
from kiosk.core.status.status_list import StatusList
from kiosk.core.trust.bundle import MAX_BUNDLE_BYTES
from kiosk.core.trust.store import TrustDataError, TrustStore
from kiosk.datadir import DataDir, StatusBaseMissing, write_atomic

BUNDLE, SNAPSHOT, DELTA = "trust-bundle", "status-list", "status-list-delta"
NAMES = (BUNDLE, SNAPSHOT, DELTA)  # in this order: a new bundle may carry the key a new list is signed with
MAX_FILE_BYTES = 64 * 1024 * 1024  # a status list of a few million records; anything larger is refused unread
STATE_FILE = ".applied.json"
_EXTENSION = {BUNDLE: ".ktb", SNAPSHOT: ".ksl", DELTA: ".ksl"}  # as files are named on a USB stick
Fetch = Callable[[str], bytes | None]
log = logging.getLogger("kiosk.updates")


@dataclass
class UpdateResult:
    installed: list[str] = field(default_factory=list)  # "trust bundle v2", "status list bj v7"
    problems: dict[str, str] = field(default_factory=dict)  # file name -> why it was refused (still standing)
    trust: TrustStore | None = None  # set when a new bundle was installed
    status_list: StatusList | None = None  # set when a new list was installed

    @property
    def changed(self) -> bool:
        return self.trust is not None or self.status_list is not None


class Updater:
    """Installs the trust files found in `folder` into `data`."""

    def __init__(self, data: DataDir, folder: str | Path, memo: str | Path | None = None) -> None:
        self.data = data
        self.folder = Path(folder)
        self.memo_path = Path(memo) if memo else self.folder / STATE_FILE  # a USB stick's memo stays on the kiosk
        self._memo: dict = {}

    def apply(self, fetch: Fetch | None = None, names: tuple[str, ...] = NAMES) -> UpdateResult:
        state = self._memo = self._state()
        result = UpdateResult(problems=dict(state["problems"]))
        for name in names:
            raw = self._read(name, result)
            if raw is None:
                continue
            digest = hashlib.sha256(raw).hexdigest()
            if state["digests"].get(name) == digest:
                continue
            try:
                self._install(name, raw, fetch, result)
                result.problems.pop(name, None)
            except (VerificationError, TrustDataError, ValueError, OSError) as exc:
                why = _describe(exc)
                result.problems[name] = f"{name} refused, the old data stays: {why}"
                log.warning("%s refused, keeping the installed data: %s", name, why)
            state["digests"][name] = digest
        state["problems"] = result.problems
        self._save(state)
        if result.trust is not None and result.status_list is None:
            result.status_list = self._reload_list(result)
        return result

    # -- one file ----------------------------------------------------------------------------------------
    def _install(self, name: str, raw: bytes, fetch: Fetch | None, result: UpdateResult) -> None:
        if name == BUNDLE:
            bundle = self.data.install_bundle(raw)
            result.trust = self.data.trust()
            result.installed.append(f"trust bundle v{bundle.version}")
            log.info("installed trust bundle v%s", bundle.version)
            return
        trust = result.trust or self.data.trust()
        if name == SNAPSHOT:
            self._install_list(raw, "full", trust, result)
            return
        try:
            self._install_list(raw, "delta", trust, result)
        except StatusBaseMissing as exc:
            full = fetch(SNAPSHOT) if fetch is not None else None
            if full is None:
                raise TrustDataError(f"{exc}, and no full status list could be fetched") from None
            log.info("%s; installing the full status list instead", exc)
            self._install_list(full, "full", trust, result)
            if _delta_version(raw, trust) > (self._current_version(trust) or 0):  # the full list was its base
                self._install_list(raw, "delta", trust, result)
            write_atomic(self.folder / SNAPSHOT, full)  # remembered as applied: not installed twice
            self._memo["digests"][SNAPSHOT] = hashlib.sha256(full).hexdigest()

    def _install_list(self, raw: bytes, kind: str, trust: TrustStore, result: UpdateResult) -> None:
        current = self._current_version(trust)
        if kind == "delta" and current is not None and _delta_version(raw, trust) <= current:
            return  # already contained in the installed list (the full list arrived first)
        if kind == "full" and current is not None and self.data.status_list_path.read_bytes() == raw:
            return
        new = self.data.install_status_list(raw, trust, kind=kind)
        result.status_list = new
        result.installed.append(f"status list {new.region} v{new.version}")
        log.info("installed status list %s v%s (%s entries)", new.region, new.version, len(new))

    def _current_version(self, trust: TrustStore) -> int | None:
        try:
            current = self.data.status_list(trust)
        except VerificationError:
            return None
        return None if current is None else current.version

    def _reload_list(self, result: UpdateResult) -> StatusList | None:
        """A new bundle may trust or distrust the installed list's signer: the checkpoint reloads it."""
        try:
            return self.data.status_list(result.trust)
        except VerificationError as exc:
            result.problems["status list"] = f"the installed status list does not verify under the new trust " \
                                             f"bundle: {_describe(exc)}"
            return None

    # -- files and state ---------------------------------------------------------------------------------
    def _read(self, name: str, result: UpdateResult) -> bytes | None:
        path = next((p for p in (self.folder / n for n in (name, name + _EXTENSION[name])) if p.is_file()), None)
        try:
            if path is None:
                return None
            limit = MAX_BUNDLE_BYTES if name == BUNDLE else MAX_FILE_BYTES
            if path.stat().st_size > limit:
                result.problems[name] = f"{name} refused: {path.stat().st_size} bytes is over the {limit} limit"
                return None
            return path.read_bytes()
        except OSError as exc:
            result.problems[name] = f"{name} unreadable: {exc.strerror or exc}"
            return None

    def _state(self) -> dict:
        try:
            state = json.loads(self.memo_path.read_text(encoding="utf-8"))
            if isinstance(state, dict) and isinstance(state.get("digests"), dict) and \
                    isinstance(state.get("problems"), dict):
                return state
        except (OSError, ValueError):
            pass
        return {"digests": {}, "problems": {}}

    def _save(self, state: dict) -> None:
        try:
            write_atomic(self.memo_path, json.dumps(state, indent=1).encode())
        except OSError as exc:  # a read-only USB stick: the data is installed; only the memo is lost
            log.info("cannot record what was applied in %s: %s", self.folder, exc)


def _delta_version(raw: bytes, trust: TrustStore) -> int:
    from kiosk.core.status.status_loading import H_VERSION, open_signed
    return int(open_signed(raw, trust).header.get(H_VERSION, 0))


def _describe(exc: Exception) -> str:
    if isinstance(exc, VerificationError):
        return f"{exc.reason} {exc.detail}".strip()
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc)
