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
