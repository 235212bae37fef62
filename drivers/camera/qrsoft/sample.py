"""Where the modules of a located QR symbol lie in the frame.

Given where zxing-cpp found the symbol (its four corners, even when it could not decode it) and its version, each
module centre is mapped into the frame through the perspective transform of the corners (reader.soft_grid samples
there). Pure functions of numpy arrays; any thread.
"""
from __future__ import annotations

import cv2
import numpy as np

from drivers.camera.qrsoft import spec

Quad = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]


def module_centres(quad: Quad, version: int) -> np.ndarray:
    """(n, n, 2) float32 image coordinates of every module centre, from the symbol's corners TL, TR, BR, BL (as
    zxing-cpp gives them: pixel edges, where OpenCV counts from pixel centres, hence the half pixel)."""
    n = spec.size_of(version)
    src = np.float32([[0, 0], [n, 0], [n, n], [0, n]])
    h = cv2.getPerspectiveTransform(src, np.float32(quad) - 0.5)
    grid = np.stack(np.meshgrid(np.arange(n) + 0.5, np.arange(n) + 0.5), axis=-1).astype(np.float32)
    return cv2.perspectiveTransform(grid.reshape(-1, 1, 2), h).reshape(n, n, 2)


def _contrast(values: np.ndarray, patch: int) -> np.ndarray:
    """For a stack of module grids: each module's distance from its 5 x 5 mean, averaged over `patch` x `patch`
    modules; the grids are padded apart (mirrored) and filtered as one image."""
    k, n, _ = values.shape
    pad = patch // 2 + 1
    tall = np.pad(values, ((0, 0), (pad, pad), (0, 0)), mode="symmetric").reshape(k * (n + 2 * pad), n)
    local = np.abs(cv2.blur(tall, (5, 5), borderType=cv2.BORDER_REFLECT) - tall)
    spread = cv2.blur(local, (patch, patch), borderType=cv2.BORDER_REFLECT)
    return spread.reshape(k, n + 2 * pad, n)[:, pad:pad + n, :]


def refined_centres(gray: np.ndarray, centres: np.ndarray, patch: int = 17, reach: float = 0.3,
                    steps: int = 5, smooth: float = 4.0, rounds: int = 2) -> np.ndarray:
    """Module centres moved to where the modules really are on a bent or creased print.

    A grid sampled off the module centres (between modules) sees mid-gray; on them, clear black and white. So
    for each module, small shifts (up to `reach` of a module along the local grid directions) are tried and the
    one giving the most contrast over the surrounding `patch` x `patch` modules is kept; the shift field is then
    smoothed (paper bends smoothly) and applied, twice. Shifts stay under half a module, so a module is never
    mistaken for its neighbour. Parameters chosen on the bent and crumpled frames of corpus seeds 1 and 2."""
    n = centres.shape[0]
    grid = np.linspace(-reach, reach, steps).astype(np.float32)
    shifts = np.array([(a, b) for a in grid for b in grid], np.float32)
    for _ in range(rounds):
        along_x, along_y = np.gradient(centres, axis=1), np.gradient(centres, axis=0)
        maps = (centres[None] + shifts[:, 0, None, None, None] * along_x[None]
                + shifts[:, 1, None, None, None] * along_y[None]).astype(np.float32)
        flat = maps.reshape(-1, n, 2)
        values = cv2.remap(gray, flat[..., 0], flat[..., 1], cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_REPLICATE).reshape(len(shifts), n, n).astype(np.float32)
        best = shifts[np.argmax(_contrast(values, patch), axis=0)]
        dx, dy = (cv2.GaussianBlur(np.ascontiguousarray(best[..., k]), (0, 0), smooth) for k in (0, 1))
        centres = (centres + dx[..., None] * along_x + dy[..., None] * along_y).astype(np.float32)
    return centres
