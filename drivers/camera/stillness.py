"""Is the camera still looking at the same empty scene? A cheap test on a thumbnail, for the idle decoder.

Why: a kiosk camera spends most of its life looking at an empty counter. Once the whole cascade has looked at a
frame and found nothing (no code, not even an unreadable one), a later frame whose every 16 x 16 block has the
same mean brightness shows nothing new, and looking again would cost ~1.5-5 ms for nothing. The test costs
~0.2 ms: an area-averaged thumbnail (each cell the mean of 256 pixels, so sensor and JPEG noise average out),
compared cell by cell after removing the common brightness change (auto-exposure, light flicker). A card coming
into view changes the cells it covers by tens of levels; noise moves a cell by well under one.

A change after a still stretch is a hint that someone is coming: the next idle frames get the whole cascade
instead of one in three (FrameDecoder.alert_frames), so a code that only the recoveries read is read on the
first frame it shows instead of up to two idle frames later. A scene that never stays still (a busy hall)
never raises that hint, so its cost stays that of the usual idle schedule.

Safety: nothing is skipped for long. After `refresh` skipped frames the next one is looked at in full anyway
(and becomes the new reference), so a code that somehow appeared without changing any cell is read at most
about a second later; and the decoder leaves idle, where nothing is ever skipped, as soon as a code is seen.
"""
from __future__ import annotations

import cv2
import numpy as np

from drivers.camera.qrsoft.reader import median

CELL = 16          # pixels per thumbnail cell (side)
LEVEL = 8.0        # a cell whose mean moved by more than this many gray levels (after the common shift) changed


def thumbnail(gray: np.ndarray) -> np.ndarray:
    """The frame as cell means (float32), one per CELL x CELL block."""
    h, w = gray.shape[:2]
    size = (max(1, w // CELL), max(1, h // CELL))
    return cv2.resize(gray, size, interpolation=cv2.INTER_AREA).astype(np.float32)


def changed(reference: np.ndarray, thumb: np.ndarray, level: float = LEVEL) -> bool:
    """Some cell differs from the reference by more than `level`, beyond the change common to all cells."""
    if reference.shape != thumb.shape:
        return True
    diff = thumb - reference
    diff -= median(diff)
    return bool(np.abs(diff).max() > level)


class StillScene:
    """The reference: the thumbnail of the last frame the whole cascade looked at and found nothing in.

    `look(gray)` says what the decoder should do with an idle frame: STILL (the same empty scene: skip it),
    MOVED (something changed after a still stretch: look hard for a while, a card is probably coming) or
    LOOK (no reference yet, the refresh is due, or the scene keeps changing: the usual idle schedule).
    """

    def __init__(self, refresh: int = 10, level: float = LEVEL) -> None:
        self.refresh = refresh      # at most this many frames in a row are skipped
        self.level = level
        self._reference: np.ndarray | None = None
        self._skipped = 0
        self._was_still = False

    def look(self, gray: np.ndarray) -> str:
        if self._reference is None:
            self._was_still = False
            return LOOK
        if changed(self._reference, thumbnail(gray), self.level):
            moved, self._was_still = self._was_still, False
            return MOVED if moved else LOOK
        self._was_still = True
        if self._skipped >= self.refresh:
            return LOOK
        self._skipped += 1
        return STILL

    def looked(self, gray: np.ndarray) -> None:
        """The whole cascade found nothing in this frame: it is the new reference."""
        self._reference = thumbnail(gray)
        self._skipped = 0

    def forget(self) -> None:
        """Something was seen: no frame may be skipped until an empty scene has been looked at again."""
        self._reference = None
        self._skipped = 0
        self._was_still = False


STILL, MOVED, LOOK = "still", "moved", "look"
