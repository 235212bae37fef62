"""Text from a pass, made safe to show and speak: no control, bidi or invisible formatting characters.

A signed pass is genuine, not harmless: a name can carry a right-to-left override (U+202E) that makes the
screen show "Anna" for "annA", line breaks that push the verdict off the screen, or zero-width characters
that defeat the operator's comparison with an ID card. Before display every character of Unicode category
Cc (controls), Cf (format: bidi embeddings, overrides and isolates, zero-width joiners, BOM), Co/Cs/Cn
(private, surrogate, unassigned) and the line/paragraph separators (Zl, Zp) is removed, runs of white space
become one space, and the text is cut to a length. (Unicode TR #9 and TR #36, "bidirectional spoofing".)
"""
from __future__ import annotations

import unicodedata

_DROP = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})


def neutral_text(text: str, limit: int = 200) -> str:
    if not isinstance(text, str):
        return ""
    if text.isascii() and text.isprintable():
        return " ".join(text.split())[:limit]
    kept = "".join(" " if ch.isspace() else ch for ch in text
                   if ch.isspace() or unicodedata.category(ch) not in _DROP)
    return " ".join(kept.split())[:limit]


def has_hidden_characters(text: str) -> bool:
    """True when neutral_text would change more than white space (for tests and the conformance report)."""
    return isinstance(text, str) and any(unicodedata.category(ch) in _DROP and not ch.isspace() for ch in text)
