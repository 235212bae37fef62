"""The central's answer-signing key (Ed25519), kept in its own store so every worker and restart uses one key.

Why in the store: SQLite or PostgreSQL is the one thing all workers share. It sits in the `files` table under a
name the file routes can never address (their names must start with a letter or digit), so no device can
download it and no admin upload can replace it. Called once per app (create_app), any thread.
"""
from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.central.storage.registry import utc_text
from sync.central.storage.store import Store

KEY_NAME = "_central-answer-key"


def load_or_create_answer_key(store: Store, now) -> Ed25519PrivateKey:
    fresh = Ed25519PrivateKey.generate()
    pem = fresh.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption())
    with store.tx() as tx:
        tx.execute("INSERT INTO files (name, etag, body, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
                   (KEY_NAME, "-", pem, utc_text(now)))
        row = tx.execute("SELECT body FROM files WHERE name = ?", (KEY_NAME,)).fetchone()
    key = serialization.load_pem_private_key(bytes(row[0]), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the stored answer key is not Ed25519")
    return key
