"""SMART Health Card revocation by `rid`, including the timestamped `rid.<epoch>` form.

An issuer's CRL (`<iss>/.well-known/crl/<kid>.json`: {kid, method: "rid", ctr, rids}) lists revocation ids
per key. `rid` revokes every card carrying it; `rid.<epoch>` revokes only cards issued (nbf) before epoch.
In the trust store an entry is "<kid>/<rid>" or "<kid>/<rid>.<epoch>"; lookups go through an index built
once per revocation set, so a check is a dictionary lookup however long the list.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

MAX_RIDS = 1_000_000
_RID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class CrlError(ValueError):
    """A CRL document this kiosk cannot read."""


def parse_crl(crl: Any) -> frozenset[str]:
    """Trust-store entries for one CRL document."""
    if not isinstance(crl, Mapping) or crl.get("method") != "rid" or not isinstance(crl.get("kid"), str):
        raise CrlError("a CRL is {kid, method: 'rid', rids: [...]}")
    rids = crl.get("rids")
    if not isinstance(rids, list) or len(rids) > MAX_RIDS:
        raise CrlError("rids must be a list")
    kid = crl["kid"]
    if not _RID.match(kid):
        raise CrlError("kid must be base64url")
    entries = set()
    for item in rids:
        rid, cutoff = _split(item)
        entries.add(f"{kid}/{rid}" if cutoff is None else f"{kid}/{rid}.{cutoff}")
    return frozenset(entries)


def _split(item: Any) -> tuple[str, int | None]:
    if not isinstance(item, str):
        raise CrlError("a rid is a string")
    rid, dot, stamp = item.partition(".")
    if not _RID.match(rid) or (dot and not stamp.isdigit()):
        raise CrlError(f"malformed rid {item!r}")
    return rid, (int(stamp) if dot else None)


@functools.lru_cache(maxsize=4)
def _index(entries: frozenset[str]) -> dict[str, int | None]:
    """"kid/rid" -> None (always revoked) or the latest cut-off epoch."""
    index: dict[str, int | None] = {}
    for entry in entries:
        key, dot, stamp = entry.partition(".")
        cutoff = int(stamp) if dot and stamp.isdigit() else None
        if key in index and (index[key] is None or cutoff is None):
            index[key] = None
        else:
            index[key] = cutoff if key not in index else max(index[key], cutoff)  # type: ignore[type-var]
    return index


def is_revoked(entries: frozenset[str], kid: str, rid: str, issued_at: float) -> bool:
    """True when the card with this rid, signed by kid and issued (nbf) at issued_at, is revoked."""
    if not entries:
        return False
    key = f"{kid}/{rid}"
    index = _index(entries)
    if key not in index:
        return False
    cutoff = index[key]
    return cutoff is None or issued_at < cutoff
