"""The checkpoint: what a tapped card, a scanned code or a typed ID number becomes, up to the logged check.

Qt-free and single-threaded (the GUI thread calls it). It holds the trust data, the status list, the site policy
(built-in defaults, then the signed bundle's settings and its section for this site, then kiosk.toml's
[policy]), the identity pairing of a pass with a card, the clock judged against the last trusted time, and the
durable event log. kiosk/app.py only moves device events in and shows what comes out.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from kiosk.config import KioskConfig
from kiosk.core.checks.clock import ClockCheck
from kiosk.core.identity.card import CardIdentity, CardType
from kiosk.core.checks.card_check import verify_card
from kiosk.core.identity.identity_match import IdentityPairing, PairState
from kiosk.core.outcome.policy import Policy, PolicyError
from kiosk.core.outcome.result import VerificationResult
from kiosk.core.passes.shc_chunks import ChunkAssembler
from kiosk.core.outcome.verdicts import Outcome, Reason, Verdict, VerificationError
from kiosk.core.checks.verify import verify_text
from kiosk.core.trust.store import TrustStore
from kiosk.datadir import DataDir
from kiosk.kiosk_clock import KioskClock
from kiosk.updates import UpdateResult
from sync.eventlog import DiskStatus, EventLog, EventLogError
from sync.devicekey import DeviceKeyError, load_or_create_device_key
from sync.logfile import open_log

PARTS_TIMEOUT_S = 60.0
MULTIPART_SHC = re.compile(r"^shc:/\d{1,2}/\d{1,2}/\d", re.IGNORECASE)
_SEVERITY = {Outcome.PASS: 0, Outcome.SEE_STAFF: 1, Outcome.STOP: 2}


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Check:
    """One completed check, as it is shown."""

    result: VerificationResult
    outcome: Outcome
    input_kind: str  # card | code | manual
    event: dict[str, Any] | None  # the logged event; None when the log could not take it
    latency_ms: float = 0.0


class Checkpoint:
    def __init__(self, config: KioskConfig, data: DataDir, clock: Callable[[], datetime] = utc_now) -> None:
        self.config = config
        self.data = data
        self.clock = clock
        self.problems: dict[str, str] = {}  # "trust" / "status list" / "log" -> what is wrong, for staff
        self._trust = data.trust()
        if self.trust.issued_at is None:  # a provisioned root, nothing signed by it yet: nothing passes
            self.problems["trust"] = "no trust bundle installed (kiosk bundle install FILE, a USB import, or sync)"
        self.policy = self._policy_for(self.trust)
        self.status_list = self._load_status_list()
        self.clock_judge = KioskClock.for_data(data, self.trust, self.status_list)  # the one judge of the clock
        self.pairing = IdentityPairing(self.policy.pairing_window)
        device = data.device()
        self.device_id = device.device_id
        try:
            self._device_key = load_or_create_device_key(data.root / "device-key.pem")  # signs every log line
        except (DeviceKeyError, OSError) as exc:  # a damaged key or a read-only data folder: no traceback
            self._device_key = None
            self.problems["device key"] = f"the device key is unusable, log lines go unsigned: {exc}"
        self._log_args = (data.event_log_path, device.device_id, device.log_hash_key)
        self.log: EventLog | UnavailableLog = UnavailableLog("not opened yet")
        self.reopen_log()
        self._parts = ChunkAssembler()
        self._parts_started = 0.0
        # Set by the gate wiring (kiosk/gatekeeper.py): turns a PASS the gate cannot honour into SEE STAFF, before
        # it is logged; manual (staff) lookups never open the gate, so they are not guarded.
        self.gate_guard: Callable[[VerificationResult], VerificationResult] | None = None

    @property
    def trust(self) -> TrustStore:
        return self._trust

    @trust.setter
    def trust(self, trust: TrustStore) -> None:
        """New trust data: the clock judge learns their signed time."""
        self._trust = trust
        if hasattr(self, "clock_judge"):
            self.clock_judge.learn(trust.issued_at)

    def _load_status_list(self):
        try:
            return self.data.status_list(self.trust)
        except (VerificationError, ValueError) as exc:
            self.problems["status list"] = f"status list rejected: {getattr(exc, 'reason', exc)}"
            return None

    def _policy_for(self, trust) -> Policy:
        """Built-in defaults, then the signed bundle's settings and its section for this site, then kiosk.toml."""
        return self.config.policy.applied_to(Policy().merged(trust.policy, self.config.site))

    def adopt(self, update: UpdateResult) -> None:
        """Take newly installed trust data into the running checkpoint (GUI thread, between two checks): the
        trust store, its policy and the status list change together, so no check sees half an update. A bundle
        whose policy this kiosk cannot apply keeps the old data in memory, and says so."""
        if update.trust is not None:
            try:
                policy = self._policy_for(update.trust)
            except PolicyError as exc:
                update.problems["trust-bundle"] = f"trust bundle v{update.trust.version} policy unusable: {exc}"
            else:
                self.trust, self.policy, self.status_list = update.trust, policy, update.status_list
                self.problems.pop("trust", None)
                if policy.pairing_window != self.pairing.window:
                    self.pairing = IdentityPairing(policy.pairing_window)
        elif update.status_list is not None:
            self.status_list = update.status_list
        for name in ("trust-bundle", "status-list", "status-list-delta", "status list"):
            self.problems.pop(f"update {name}", None)
        self.problems.update({f"update {name}": why for name, why in update.problems.items()})
        if update.status_list is not None or update.trust is not None:
            self.problems.pop("status list", None)
        if update.status_list is not None:
            self.clock_judge.learn(update.status_list.issued_at)

    def record_central_time(self, central: datetime, local: datetime) -> None:
        """The central service's clock (read during a sync, `local` ours then) is authoritative for the record."""
        self.clock_judge.record_central(central, local)

    def close(self) -> None:
        self.log.close()

    @property
    def log_ok(self) -> bool:
        return isinstance(self.log, EventLog)

    def reopen_log(self) -> bool:
        """(Re)open the event log when it is not open: a damaged file is moved aside and a new epoch started
        (sync/logfile.py); an unwritable medium leaves the kiosk out of service (no check without a log line)
        until a later call succeeds. True when the log is open."""
        if self.log_ok:
            return True
        try:
            opened = open_log(*self._log_args, now=self.clock(), signer=self._device_key)
        except EventLogError as exc:
            self.log = UnavailableLog(str(exc))
            self.problems["log"] = f"the event log cannot be written: {exc}"
            return False
        self.log = opened.log
        self.problems.pop("log", None)
        public_key = self._device_key.public_key() if self._device_key else None
        broken = self.log.verify_chain(public_key, unsynced_only=True)  # checked at start-up
        if broken:
            self.problems["log tampered"] = (f"the event log fails its keyed chain check at {len(broken)} event(s) "
                                             f"(first seq {broken[0]}); sync will refuse to call them synced")
        if opened.moved_aside:
            self.problems["log moved"] = (f"the event log was damaged and moved aside to {opened.moved_aside.name}; "
                                          "a new log epoch started")
        return True

    # -- clock ---------------------------------------------------------------------------------------------
    def clock_check(self, now: datetime) -> ClockCheck:
        """The clock against the signed times and the kept record, in memory (no disk access per check)."""
        return self.clock_judge.judge(now)

    def observe_clock(self) -> ClockCheck:
        """Judge the clock and, when believable, record the reading on disk (called every minute or so)."""
        return self.clock_judge.observe(self.clock())

    # -- checks --------------------------------------------------------------------------------------------
    def check_card(self, card: CardIdentity) -> Check:
        started, now = time.perf_counter(), self.clock()
        result = verify_card(card, self.status_list, now, clock=self.clock_check(now), grace=self.policy.grace)
        decision = self.pairing.present_card(card, result, now)
        return self._record(self._stricter(decision.result, result, decision.state), "card", now, started)

    def check_text(self, text: str) -> Check | None:
        """A scanned text; None while a multi-part card still misses parts."""
        started, now = time.perf_counter(), self.clock()
        whole = self._assemble(text)
        if whole is None:
            return None
        result = verify_text(whole, self.trust, now, clock=self.clock_check(now))
        if result.is_valid and (result.holder_binding or (result.holder and result.holder.birth_date)):
            decision = self.pairing.present_pass(result, now)
            result = decision.result
        return self._record(result, "code", now, started)

    def lookup(self, id_number: str) -> Check:
        """Staff lookup by typed number: the status-list check of a card, logged as manual, never paired."""
        started, now = time.perf_counter(), self.clock()
        card = CardIdentity(CardType.RESIDENT, name="", id_number=id_number)
        result = verify_card(card, self.status_list, now, clock=self.clock_check(now), grace=self.policy.grace)
        return self._record(result, "manual", now, started)

    def card_removed(self) -> None:
        """A lifted card ends its pairing chance: the next pass belongs to the next person."""
        if self.pairing.waiting is PairState.WAITING_FOR_PASS:
            self.pairing.reset()

    def _stricter(self, combined: VerificationResult, card_result: VerificationResult,
                  state: PairState) -> VerificationResult:
        """Pass and card of the same person: where the status list says something definite about the card's
        holder (a signed, valid entry), the stricter of the two stands: a red list beats an older green print. A
        card the list does not know adds nothing against a valid pass."""
        if state is not PairState.MATCHED or not card_result.is_valid:
            return combined
        if _SEVERITY[self.policy.outcome(card_result)] > _SEVERITY[self.policy.outcome(combined)]:
            return card_result.with_changes(flags=tuple(dict.fromkeys(card_result.flags + combined.flags)))
        return combined

    def _record(self, result: VerificationResult, kind: str, now: datetime, started: float) -> Check:
        """Log first, show after: a check the log cannot take is shown as a technical problem, never as PASS."""
        outcome = self.policy.outcome(result)
        if outcome is Outcome.PASS and kind != "manual" and self.gate_guard is not None:
            guarded = self.gate_guard(result)
            if guarded is not result:
                result, outcome = guarded, self.policy.outcome(guarded)
        try:
            if not self.reopen_log():
                raise EventLogError(self.log.reason)
            event = self.log.append(result, outcome, kind, now, time.monotonic_ns())
            self.problems.pop("log", None)
        except EventLogError as exc:
            self.problems["log"] = f"the event log cannot be written: {exc}"
            result = result.with_changes(verdict=Verdict.TECHNICAL_ERROR, reason=Reason.LOG_UNAVAILABLE,
                                         detail=str(exc))
            outcome, event = self.policy.outcome(result), None
        return Check(result, outcome, kind, event, (time.perf_counter() - started) * 1000)

    def _assemble(self, text: str) -> str | None:
        """Collect the parts of a multi-part SMART Health Card (`shc:/C/N/...`); a part that does not fit, or a
        card left unfinished for PARTS_TIMEOUT_S, starts over; an unreadable part goes on to the verifier."""
        if not MULTIPART_SHC.match(text.strip()):
            return text
        now = time.monotonic()
        if now - self._parts_started > PARTS_TIMEOUT_S:
            self._parts.reset()
        if not self._parts.parts:
            self._parts_started = now
        try:
            return self._parts.add(text)
        except VerificationError:
            self._parts.reset()
            return text


class UnavailableLog:
    """Stands in for the event log while it cannot be opened: reads are empty, appends refused (typed)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def append(self, *_args: Any, **_kwargs: Any) -> dict[str, Any]:
        raise EventLogError(self.reason)

    def events(self, *_args: Any, **_kwargs: Any) -> list[dict[str, Any]]:
        return []

    def count_by_outcome(self, _since: datetime) -> dict[str, int]:
        return {str(o): 0 for o in Outcome}

    def pending_count(self) -> int:
        return 0

    def last_seq(self) -> int:
        return 0

    def mark_synced(self, *_args: Any, **_kwargs: Any) -> int:
        return 0

    def purge(self, *_args: Any, **_kwargs: Any) -> int:
        return 0

    def verify_chain(self, *_args: Any, **_kwargs: Any) -> list[int]:
        return []

    def disk_status(self, budget_bytes: int) -> DiskStatus:
        return DiskStatus(0, 0, budget_bytes, True)

    def close(self) -> None:
        pass
