"""Console accounts: users with a role, slow salted password hashes (Argon2id), escalating lockout, sessions.

Why: the administrators' console (docs/console.md) needs people, not one shared bearer credential: each action
in the audit log names who did it, and a viewer must not publish. Passwords are hashed with argon2-cffi's
Argon2id (salted, memory-hard, parameters below); the lock after five wrong passwords is stored in the user's row, so a restart
does not lift it. Sessions are random tokens of which only a SHA-256 is stored. Any thread; the slow hash runs
outside a transaction so a login never holds the database's write lock.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from sync.central.storage.registry import utc_text
from sync.central.storage.store import Store, Tx

ROLES = ("viewer", "operator", "admin")  # each may do what the ones before it may
USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MIN_PASSWORD, MAX_PASSWORD = 10, 1024
LOCK_AFTER = 5  # wrong passwords in a row
FIRST_LOCK = timedelta(minutes=1)  # then 2, 4, 8 ... minutes, at most a day
MAX_LOCK = timedelta(days=1)
SESSION_LIFETIME = timedelta(hours=8)

# Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): memory-hard, yet a sign-in on a busy
# 2-core server takes a fraction of a second (the library default, 64 MiB x 3 x 4 lanes, took 1.3 s here).
# Hashes made with other parameters still verify and are re-hashed at the next sign-in.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_DUMMY = _hasher.hash("not a real password, for equal timing")


class AccountError(Exception):
    """A user cannot be added or changed as asked (bad name, role or password, exists, unknown)."""


@dataclass(frozen=True)
class User:
    name: str
    role: str

    def may(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    problem: str = ""  # "", "bad" (unknown user or wrong password), "locked", "disabled"
    locked_until: str | None = None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_password(password: str) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(f"a password has {MIN_PASSWORD} to {MAX_PASSWORD} characters")


def add_user(tx: Tx, name: str, role: str, password: str, now: datetime) -> User:
    if not USER_NAME.match(name):
        raise AccountError("a user name is 1-64 letters, digits or . _ @ - (starting with a letter or digit)")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    _check_password(password)
    if tx.execute("SELECT 1 FROM console_users WHERE name = ?", (name,)).fetchone():
        raise AccountError(f"user {name} exists")
    tx.execute("INSERT INTO console_users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
               (name, role, _hasher.hash(password), utc_text(now)))
    return User(name, role)


def disable_user(tx: Tx, name: str, now: datetime) -> None:
    """Disable an account and end its sessions at once."""
    if tx.execute("UPDATE console_users SET disabled_at = ? WHERE name = ?", (utc_text(now), name)).rowcount != 1:
        raise AccountError(f"no user {name}")
    tx.execute("DELETE FROM console_sessions WHERE user_name = ?", (name,))


def list_users(tx: Tx) -> list[dict]:
    rows = tx.execute("SELECT name, role, created_at, disabled_at, last_login, locked_until, failed_logins "
                      "FROM console_users ORDER BY name").fetchall()
    keys = ("name", "role", "created_at", "disabled_at", "last_login", "locked_until", "failed_logins")
    return [dict(zip(keys, r)) for r in rows]


def authenticate(store: Store, name: str, password: str, now: datetime) -> LoginResult:
    """Check a password. A locked or disabled account is refused even with the right password; the fifth wrong
    password in a row locks the account for FIRST_LOCK, doubling with each further lock."""
    with store.tx() as tx:
        row = tx.execute("SELECT role, password_hash, disabled_at, locked_until FROM console_users WHERE name = ?",
                         (name,)).fetchone()
    if row is None or len(password) > MAX_PASSWORD:
        _verify(_DUMMY, password[:MAX_PASSWORD])  # as slow as a real check: no user enumeration by timing
        return LoginResult(None, "bad")
    role, stored, disabled_at, locked_until = row
    if disabled_at:
        return LoginResult(None, "disabled")
    if locked_until and locked_until > utc_text(now):
        return LoginResult(None, "locked", locked_until)
    if _verify(stored, password):
        with store.tx() as tx:
            tx.execute("UPDATE console_users SET failed_logins = 0, lockouts = 0, locked_until = NULL, last_login = ? "
                       "WHERE name = ?", (utc_text(now), name))
            if _hasher.check_needs_rehash(stored):
                tx.execute("UPDATE console_users SET password_hash = ? WHERE name = ?", (_hasher.hash(password), name))
        return LoginResult(User(name, role))
    with store.tx() as tx:
        return _count_failure(tx, name, now)


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _count_failure(tx: Tx, name: str, now: datetime) -> LoginResult:
    tx.execute("UPDATE console_users SET failed_logins = failed_logins + 1 WHERE name = ?", (name,))
    failed, lockouts = tx.execute("SELECT failed_logins, lockouts FROM console_users WHERE name = ?",
                                  (name,)).fetchone()
    if failed < LOCK_AFTER:
        return LoginResult(None, "bad")
    until = utc_text(now + min(FIRST_LOCK * (2 ** min(lockouts, 20)), MAX_LOCK))
    tx.execute("UPDATE console_users SET failed_logins = 0, lockouts = lockouts + 1, locked_until = ? WHERE name = ?",
               (until, name))
    return LoginResult(None, "locked", until)


def create_session(tx: Tx, user: User, now: datetime, address: str) -> str:
    token = secrets.token_urlsafe(32)
    tx.execute("DELETE FROM console_sessions WHERE expires_at < ?", (utc_text(now),))
    tx.execute("INSERT INTO console_sessions (token_hash, user_name, created_at, expires_at, address) "
               "VALUES (?, ?, ?, ?, ?)", (_digest(token), user.name, utc_text(now), utc_text(now + SESSION_LIFETIME),
                                          address[:64]))
    return token


def session_user(tx: Tx, token: str, now: datetime) -> User | None:
    """The signed-in user of a session token, or None (unknown, expired, or the account disabled since)."""
    if not token or len(token) > 128:
        return None
    row = tx.execute("SELECT u.name, u.role FROM console_sessions s JOIN console_users u ON u.name = s.user_name "
                     "WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled_at IS NULL",
                     (_digest(token), utc_text(now))).fetchone()
    return User(row[0], row[1]) if row else None


def end_session(tx: Tx, token: str) -> None:
    tx.execute("DELETE FROM console_sessions WHERE token_hash = ?", (_digest(token),))
