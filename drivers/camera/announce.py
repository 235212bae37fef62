"""Decide which decoded texts become CodeSeen events: only accepted texts, each once per repeat window.

Why: a pass held in front of the camera is read on every frame; the person must hear one verdict, and a
text of no known format must not be re-checked thirty times a second (the app's `accept` is a format check;
the verdict is the GUI thread's, once per announcement). Called only from the capture's decode thread.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class Announcer:
    """Filters decoded texts: `offer(text)` is True when the text should be announced now.

    A text is judged (accept() called) when it comes into view; while it stays in view, or returns within
    `repeat_window_s` of last being seen, it is neither judged nor announced again.
    """

    def __init__(self, accept: Callable[[str], bool] | None = None, *, repeat_window_s: float = 3.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._accept = accept
        self._window = repeat_window_s
        self._clock = clock
        self._last_seen: dict[str, float] = {}  # text -> last time it was in view (accepted or not)

    def offer(self, text: str) -> bool:
        now = self._clock()
        self._expire(now)
        seen_recently = text in self._last_seen
        self._last_seen[text] = now
        if seen_recently:
            return False
        return self._judge(text)

    def _judge(self, text: str) -> bool:
        if self._accept is None:
            return True
        try:
            return bool(self._accept(text))
        except Exception:  # the app's check must never stop the camera
            log.exception("accept() raised; treating the code as not accepted")
            return False

    def _expire(self, now: float) -> None:
        stale = [t for t, seen in self._last_seen.items() if now - seen > self._window]
        for text in stale:
            del self._last_seen[text]
