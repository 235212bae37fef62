"""The one door from worker threads into the GUI thread.

Drivers and the sync worker run on their own threads; they call `EventBridge.post(event)` (the bridge's `post`
is the callback the composition root hands them). `post` only emits `received`; Qt's AutoConnection queues the
emission to the thread the receiver lives in, so slots always run on the GUI thread.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class EventBridge(QObject):
    """Created on the GUI thread; `post` may be called from any thread."""

    received = Signal(object)

    def post(self, event: object) -> None:
        """Any thread: hand `event` to whatever is connected to `received` (queued to the GUI thread)."""
        self.received.emit(event)
