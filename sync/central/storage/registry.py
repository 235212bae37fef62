"""Devices, one-time enrollment tokens, admin credentials and request nonces in the central store.

Why: only enrolled devices may write, each with the public key it registered through a one-time token an admin
created; admin endpoints need a credential; nonces make a captured device request useless a second time. Only
hashes of tokens and credentials are stored. Functions take an open Tx; request threads call them.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any

from sync.central.storage.store import Tx

UTC_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class EnrollmentError(Exception):
    """The token is unknown, used or expired, or the device id is taken by another key."""


def utc_text(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime(UTC_FORMAT)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_enrollment_token(tx: Tx, site: str, now: datetime, valid_for: timedelta = timedelta(days=7),
                            device_id: str | None = None) -> str:
    """A one-time token for a new kiosk at `site`; with `device_id`, a re-enrollment token for that device only
    (it may replace a disabled device's key, e.g. after a stolen kiosk was recovered or replaced)."""
    token = ("ren_" if device_id else "enr_") + secrets.token_urlsafe(24)
    tx.execute("INSERT INTO enrollment_tokens (token_hash, site, created_at, expires_at, device_id) "
               "VALUES (?, ?, ?, ?, ?)", (_digest(token), site, utc_text(now), utc_text(now + valid_for), device_id))
    return token


def create_admin_credential(tx: Tx, now: datetime) -> str:
    credential = "adm_" + secrets.token_urlsafe(32)
    tx.execute("INSERT INTO admin_credentials (cred_hash, created_at) VALUES (?, ?)", (_digest(credential), utc_text(now)))
    return credential


ADMIN_CREDENTIAL_LIFETIME = timedelta(days=30)


def admin_credential_valid(tx: Tx, credential: str, now: datetime | None = None,
                           lifetime: timedelta = ADMIN_CREDENTIAL_LIFETIME) -> bool:
    """Known and younger than `lifetime` (admin credentials expire: a leaked one is not good forever)."""
    now = now or datetime.now(timezone.utc)
    return tx.execute("SELECT 1 FROM admin_credentials WHERE cred_hash = ? AND created_at > ?",
                      (_digest(credential), utc_text(now - lifetime))).fetchone() is not None


def enroll(tx: Tx, token: str, device_id: str, public_key: str, now: datetime) -> str:
    """Consume `token` and register (device_id, public_key); returns the device's site. Idempotent for a retry
    by the same device with the same key (its first answer may have been lost). A re-enrollment token (made for
    one device) replaces that device's key and lifts its disabling; no other token can take an enrolled id."""
    row = tx.execute("SELECT site, expires_at, used_by, device_id FROM enrollment_tokens WHERE token_hash = ?",
                     (_digest(token),)).fetchone()
    if row is None:
        raise EnrollmentError("unknown enrollment token")
    site, expires_at, used_by, bound_to = row
    if bound_to is not None and bound_to != device_id:
        raise EnrollmentError("this re-enrollment token is for another device")
    existing = tx.execute("SELECT public_key, site, disabled_at FROM devices WHERE device_id = ?"
                          + (" FOR UPDATE" if tx.postgres else ""), (device_id,)).fetchone()
    if used_by is not None:
        if used_by == device_id and existing and existing[0] == public_key and existing[2] is None:
            return existing[1]
        raise EnrollmentError("enrollment token already used")
    if expires_at < utc_text(now):
        raise EnrollmentError("enrollment token expired")
    if existing is not None and bound_to is None:
        raise EnrollmentError("device id already enrolled")
    updated = tx.execute("UPDATE enrollment_tokens SET used_by = ?, used_at = ? WHERE token_hash = ? AND used_by IS NULL",
                         (device_id, utc_text(now), _digest(token))).rowcount
    if updated != 1:
        raise EnrollmentError("enrollment token already used")
    if existing is None:
        inserted = tx.execute("INSERT INTO devices (device_id, public_key, site, enrolled_at) VALUES (?, ?, ?, ?) "
                              "ON CONFLICT (device_id) DO NOTHING",
                              (device_id, public_key, site, utc_text(now))).rowcount
        if inserted != 1:  # a concurrent enrolment of the same id won (PostgreSQL): a 403 here, never a 500
            raise EnrollmentError("device id already enrolled")
    else:
        tx.execute("UPDATE devices SET public_key = ?, site = ?, enrolled_at = ?, disabled_at = NULL, "
                   "disabled_reason = NULL WHERE device_id = ?", (public_key, site, utc_text(now), device_id))
        tx.execute("DELETE FROM nonces WHERE device_id = ?", (device_id,))
    return site


class UnknownDevice(Exception):
    """No enrolled device has this id."""


def disable_device(tx: Tx, device_id: str, now: datetime, reason: str = "") -> None:
    """Refuse every further request signed by this device (a stolen kiosk), until it is re-enrolled."""
    if tx.execute("UPDATE devices SET disabled_at = ?, disabled_reason = ? WHERE device_id = ?",
                  (utc_text(now), reason[:200], device_id)).rowcount != 1:
        raise UnknownDevice(f"no enrolled device {device_id}")


def reenrollment_token(tx: Tx, device_id: str, now: datetime, valid_for: timedelta = timedelta(days=7),
                       site: str | None = None) -> tuple[str, str]:
    """A one-time token that re-enrolls `device_id` (new key; its site, or `site`); the device stays disabled until
    it is used. Disabling first is the admin's choice: re-enrolling a working kiosk replaces its key as well."""
    row = tx.execute("SELECT site FROM devices WHERE device_id = ?", (device_id,)).fetchone()
    if row is None:
        raise UnknownDevice(f"no enrolled device {device_id}")
    site = site or row[0]
    return create_enrollment_token(tx, site, now, valid_for, device_id=device_id), site


def device_access(tx: Tx, device_id: str) -> tuple[str, bool] | None:
    """(public key, disabled) of an enrolled device, or None."""
    row = tx.execute("SELECT public_key, disabled_at FROM devices WHERE device_id = ?", (device_id,)).fetchone()
    return None if row is None else (row[0], row[1] is not None)


def device_public_key(tx: Tx, device_id: str) -> str | None:
    row = tx.execute("SELECT public_key FROM devices WHERE device_id = ?", (device_id,)).fetchone()
    return row[0] if row else None


def use_nonce(tx: Tx, device_id: str, nonce: str, now_s: int, lifetime_s: int) -> bool:
    """Record a request nonce; False when it was seen before (a replay)."""
    tx.execute("DELETE FROM nonces WHERE device_id = ? AND expires_at < ?", (device_id, now_s))
    return tx.execute("INSERT INTO nonces (device_id, nonce, expires_at) VALUES (?, ?, ?) "
                      "ON CONFLICT (device_id, nonce) DO NOTHING",
                      (device_id, nonce, now_s + lifetime_s)).rowcount == 1


def list_devices(tx: Tx) -> list[dict[str, Any]]:
    """Every device with last-seen time, event count, missing sequence numbers and flagged chain breaks."""
    rows = tx.execute(
        "SELECT d.device_id, d.site, d.enrolled_at, d.last_seen, d.event_count, d.max_seq, "
        "(SELECT COUNT(*) FROM chain_flags f WHERE f.device_id = d.device_id), d.disabled_at, d.signs_since "
        "FROM devices d ORDER BY d.device_id").fetchall()
    gaps = missing_by_device(tx)
    return [{"device_id": r[0], "site": r[1], "enrolled_at": r[2], "last_seen": r[3], "events": r[4],
             "max_seq": r[5], "missing": gaps.get(r[0], 0), "chain_flags": r[6], "disabled_at": r[7],
             "signs_since": r[8]} for r in rows]


def missing_by_device(tx: Tx) -> dict[str, int]:
    """Sequence numbers never received, per device, counted within each log epoch (a reset kiosk's new log
    numbers from epoch * 2**40; see sync/logfile.py), so an epoch jump is no gap."""
    span = 1 << 40
    rows = tx.execute(f"SELECT device_id, SUM(top - base - n) FROM (SELECT device_id, (seq / {span}) * {span} AS base, "
                      f"MAX(seq) AS top, COUNT(*) AS n FROM events GROUP BY device_id, seq / {span}) AS epochs "
                      "GROUP BY device_id").fetchall()
    return {r[0]: int(r[1] or 0) for r in rows}


def daily_counts(tx: Tx, since: str, until: str) -> list[dict[str, Any]]:
    rows = tx.execute("SELECT day, site, verdict, COUNT(*) FROM events WHERE day >= ? AND day <= ? "
                      "GROUP BY day, site, verdict ORDER BY day, site, verdict", (since, until)).fetchall()
    return [{"day": r[0], "site": r[1], "verdict": r[2], "count": r[3]} for r in rows]


def chain_flags(tx: Tx, device_id: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT device_id, seq, kind, detail, flagged_at FROM chain_flags"
    rows = (tx.execute(sql + " WHERE device_id = ? ORDER BY seq", (device_id,)) if device_id
            else tx.execute(sql + " ORDER BY device_id, seq")).fetchall()
    return [dict(zip(("device_id", "seq", "kind", "detail", "flagged_at"), r)) for r in rows]
