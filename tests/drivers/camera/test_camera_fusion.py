"""Several frames, one reading: alignment, the glare-dropping median, and FrameDecoder using them."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from drivers.camera import cascade, fusion
from drivers.camera.decoder import FrameDecoder, decode_frame
from tests.drivers.camera.test_camera_decoder import render_qr

TEXT = "KP1:" + "FUSION-OF-SEVERAL-FRAMES-0123456789" * 4


def _frame(code: np.ndarray, at: tuple[int, int]) -> np.ndarray:
    frame = np.full((720, 1280), 90, np.uint8)
    y, x = at
    frame[y:y + code.shape[0], x:x + code.shape[1]] = code
    return frame


def _glare(frame: np.ndarray, centre: tuple[int, int], radius: int) -> np.ndarray:
    out = frame.copy()
    cv2.circle(out, centre, radius, 255, -1)
    return out


def test_shift_between_finds_the_translation_that_aligns_two_views():
    rng = np.random.default_rng(1)
    texture = cv2.GaussianBlur(rng.integers(0, 255, (300, 300), dtype=np.uint8), (0, 0), 2)
    moved = cv2.warpAffine(texture, np.float32([[1, 0, 6], [0, 1, -4]]), (300, 300), borderMode=cv2.BORDER_REPLICATE)
    dx, dy = fusion.shift_between(texture, moved)
    assert (round(dx), round(dy)) == (-6, 4)


def test_views_of_different_things_do_not_align():
    rng = np.random.default_rng(2)
    a = cv2.GaussianBlur(rng.integers(0, 255, (200, 200), dtype=np.uint8), (0, 0), 2)
    b = cv2.GaussianBlur(rng.integers(0, 255, (200, 200), dtype=np.uint8), (0, 0), 2)
    assert fusion.shift_between(a, b) is None


def test_median3_is_the_middle_value_per_pixel():
    a, b, c = (np.array([[v1, v2, v3]], np.uint8) for v1, v2, v3 in ((1, 9, 5), (5, 1, 9), (9, 5, 1)))
    assert fusion.median3(a, b, c).tolist() == [[5, 5, 5]]


def _glare_sequence() -> list[np.ndarray]:
    """The same code, trembling by a few pixels, with a glare spot that wanders over its data."""
    code = render_qr(TEXT, box=5)
    h = code.shape[0]
    spots = [(0.45, 0.55), (0.62, 0.35), (0.35, 0.7), (0.6, 0.65)]
    frames = []
    for i, (fx, fy) in enumerate(spots):
        y, x = 150 + (i % 2) * 3, 400 - i * 2
        frames.append(_glare(_frame(code, (y, x)), (x + int(fx * h), y + int(fy * h)), h // 5))
    return frames


IMAGE_STEPS = tuple(step for step in cascade.STEPS if not step[0].startswith("symbol/"))


def test_a_wandering_glare_spot_is_read_through_the_fused_frames():
    """Image fusion on its own (the soft symbol reader reads these frames one by one, so it is left out)."""
    frames = _glare_sequence()
    assert all(cascade.run(f, f, budget_ms=1e9, steps=IMAGE_STEPS).text is None for f in frames), \
        "precondition: no single frame is readable by the image steps"
    decoder = FrameDecoder(steps=IMAGE_STEPS, symbol_fusion=False)
    texts = [decoder.decode(f) for f in frames]
    assert TEXT in texts
    assert decoder.last_step.startswith("fusion/")
    assert all(t in (None, TEXT) for t in texts)
    assert all(FrameDecoder().decode(f) in (None, TEXT) for f in frames)


def test_the_history_starts_again_when_the_code_moves_away():
    history = fusion.RegionHistory()
    gray = np.zeros((720, 1280), np.uint8)
    history.add(gray, (100, 100, 300, 300))
    history.add(gray, (100, 100, 300, 300))
    history.add(gray, (700, 300, 900, 500))
    assert history.box == (700, 300, 900, 500)
    assert history.fused() == []  # one view of the new place: nothing to fuse yet


def test_a_region_larger_than_the_cap_is_fused_at_the_cap():
    history = fusion.RegionHistory()
    history.add(np.zeros((2000, 2000), np.uint8), (0, 0, 1900, 1900))
    x0, y0, x1, y1 = history.box
    assert x1 - x0 <= fusion.MAX_SIDE and y1 - y0 <= fusion.MAX_SIDE


@pytest.mark.parametrize("side", [2560, 4000])
def test_a_large_code_close_to_the_lens_reads_at_any_resolution(side):
    code = render_qr("KP1:CLOSE-TO-THE-LENS-0123456789", box=4)
    big = cv2.resize(code, (side, side), interpolation=cv2.INTER_CUBIC)
    big = cv2.GaussianBlur(big, (0, 0), side / 400)
    assert decode_frame(big) == "KP1:CLOSE-TO-THE-LENS-0123456789"
