"""Image degradations a gate camera sees, for the benchmark corpus: paper damage, warps, light, optics, sensor.

Why here: the corpus generator (corpus.py) composes these per condition; each takes an explicit numpy Generator
so a seed reproduces the frame exactly. All images are float32 in [0, 1] (gray or BGR) unless stated.
"""
from __future__ import annotations

import cv2
import numpy as np


def smooth_noise(rng: np.random.Generator, h: int, w: int, cells: int) -> np.ndarray:
    """A smooth random field in [-1, 1] with about `cells` bumps across the longer side."""
    gh, gw = max(2, round(cells * h / max(h, w)) + 2), max(2, round(cells * w / max(h, w)) + 2)
    grid = rng.uniform(-1, 1, (gh, gw)).astype(np.float32)
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC).clip(-1, 1)


# -- on the paper ---------------------------------------------------------------------------------------------
def stain(rng: np.random.Generator, paper: np.ndarray, box: tuple[int, int, int, int]) -> None:
    """A coffee-ring stain: translucent brownish blot with a darker rim, somewhere over `box` (x, y, w, h)."""
    x, y, w, h = box
    cx, cy = rng.uniform(x, x + w), rng.uniform(y, y + h)
    r = rng.uniform(0.12, 0.3) * min(w, h)
    mask = np.zeros(paper.shape[:2], np.float32)
    axes = (int(r * rng.uniform(0.7, 1.3)), int(r * rng.uniform(0.7, 1.3)))
    cv2.ellipse(mask, (int(cx), int(cy)), axes, rng.uniform(0, 180), 0, 360, 1.0, -1)
    rim = np.zeros_like(mask)
    cv2.ellipse(rim, (int(cx), int(cy)), axes, 0, 0, 360, 1.0, max(2, int(r * 0.06)))
    k = max(3, int(r * 0.15)) | 1
    mask = cv2.GaussianBlur(mask * rng.uniform(0.25, 0.55) + rim * 0.35, (k, k), 0)
    tint = np.array([0.55, 0.7, 0.85], np.float32)[: paper.shape[2]] if paper.ndim == 3 else 0.7
    paper *= 1 - mask[..., None] * (1 - tint) if paper.ndim == 3 else 1 - mask * (1 - tint)


def pen_marks(rng: np.random.Generator, paper: np.ndarray, box: tuple[int, int, int, int], width: float) -> None:
    """A few ballpoint scribbles (ticks, underlines, a signature) crossing `box`; `width` in paper pixels.

    Pen ink is transparent dye: it darkens the paper and leaves printed black modules black."""
    x, y, w, h = box
    colour = np.array([(0.55, 0.15, 0.1), (0.1, 0.1, 0.12), (0.15, 0.1, 0.6)][rng.integers(3)], np.float32)
    mask = np.zeros(paper.shape[:2], np.uint8)
    for _ in range(rng.integers(1, 4)):
        t = np.linspace(0, 1, 40)
        p = rng.uniform([x, y], [x + w, y + h], (4, 2))
        curve = ((1 - t) ** 3)[:, None] * p[0] + (3 * (1 - t) ** 2 * t)[:, None] * p[1] \
            + (3 * (1 - t) * t ** 2)[:, None] * p[2] + (t ** 3)[:, None] * p[3]
        cv2.polylines(mask, [np.round(curve * 4).astype(np.int32)], False, 255, max(1, int(width)), cv2.LINE_AA,
                      shift=2)
    m = (mask.astype(np.float32) / 255)[..., None]
    paper *= 1 - m * (1 - colour)  # ink on ink stays dark: transmittances multiply


# -- geometry -------------------------------------------------------------------------------------------------
def crumple_maps(rng: np.random.Generator, h: int, w: int, amount: float, creases: int) -> tuple:
    """Remap fields and a shading field for crumpled paper: smooth wobble plus sharp crease lines."""
    height = smooth_noise(rng, h, w, 6) * 0.5
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    for _ in range(creases):
        ang = rng.uniform(0, np.pi)
        nx, ny = np.cos(ang), np.sin(ang)
        d = (xx - rng.uniform(0, w)) * nx + (yy - rng.uniform(0, h)) * ny
        height += rng.uniform(-1, 1) * np.abs(d) / max(h, w) * 2
    gx = cv2.Sobel(height, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(height, cv2.CV_32F, 0, 1, ksize=3)
    scale = amount * max(h, w) * 0.02
    map_x = xx + smooth_noise(rng, h, w, 5) * scale + height * scale * 0.6
    map_y = yy + smooth_noise(rng, h, w, 5) * scale
    lx, ly = rng.normal(size=2)
    shade = 1 + (gx * lx + gy * ly) * 60 * amount / max(h, w) * 8
    return map_x, map_y, np.clip(shade, 0.55, 1.25).astype(np.float32)


def curl_maps(h: int, w: int, bend: float, vertical: bool) -> tuple:
    """Remap fields for paper curled round a cylinder (foreshortened towards the edges, bowed lines)."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if vertical:
        xx, yy, h, w = yy, xx, w, h
    u = (xx / (w - 1)) * 2 - 1                               # -1..1 across the curl
    theta = u * bend                                          # angle on the cylinder
    src_u = np.sin(theta) / np.sin(bend) if bend > 1e-3 else u
    map_a = (src_u + 1) / 2 * (w - 1)
    map_b = yy + (1 - np.cos(theta)) * h * 0.08 * np.sign(bend) * ((yy / (h - 1)) * 2 - 1)
    shade = (0.75 + 0.25 * np.cos(theta)).astype(np.float32)
    if vertical:
        return map_b, map_a, shade
    return map_a, map_b, shade


# -- light, optics, sensor (camera space) ---------------------------------------------------------------------
def cast_shadow(rng: np.random.Generator, shape: tuple[int, int], box, depth: float) -> np.ndarray:
    """A multiplicative shadow field: a soft-edged half-plane or blob (a hand, a visor) across `box`."""
    h, w = shape
    x, y, bw, bh = box
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ang = rng.uniform(0, 2 * np.pi)
    cx, cy = x + bw * rng.uniform(0.3, 0.7), y + bh * rng.uniform(0.3, 0.7)
    d = (xx - cx) * np.cos(ang) + (yy - cy) * np.sin(ang)
    soft = max(2.0, rng.uniform(0.01, 0.08) * bw)
    inside = 1 / (1 + np.exp(-d / soft))
    return (1 - depth * inside).astype(np.float32)


def glare(rng: np.random.Generator, shape: tuple[int, int], box, strength: float) -> np.ndarray:
    """An additive specular highlight (gloss, laminate) elongated along a random direction over `box`."""
    h, w = shape
    x, y, bw, bh = box
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = x + bw * rng.uniform(0.2, 0.8), y + bh * rng.uniform(0.2, 0.8)
    ang = rng.uniform(0, np.pi)
    a = (xx - cx) * np.cos(ang) + (yy - cy) * np.sin(ang)
    b = -(xx - cx) * np.sin(ang) + (yy - cy) * np.cos(ang)
    sa, sb = bw * rng.uniform(0.15, 0.45), bw * rng.uniform(0.04, 0.15)
    core = np.exp(-(a / sa) ** 2 - (b / sb) ** 2)
    return (strength * np.clip(core * 1.6, 0, 1.3)).astype(np.float32)


def defocus(img: np.ndarray, radius: float) -> np.ndarray:
    r = max(1, int(round(radius)))
    k = np.zeros((2 * r + 1, 2 * r + 1), np.float32)
    cv2.circle(k, (r, r), r, 1.0, -1, cv2.LINE_AA)
    return cv2.filter2D(img, -1, k / k.sum())


def motion_blur(img: np.ndarray, length: float, angle_deg: float) -> np.ndarray:
    n = max(3, int(round(length)) | 1)
    k = np.zeros((n, n), np.float32)
    k[n // 2, :] = 1
    rot = cv2.getRotationMatrix2D((n / 2 - 0.5, n / 2 - 0.5), angle_deg, 1.0)
    k = cv2.warpAffine(k, rot, (n, n))
    return cv2.filter2D(img, -1, k / max(k.sum(), 1e-6))


def sensor(rng: np.random.Generator, img: np.ndarray, gain: float, noise: float, jpeg_quality: int) -> np.ndarray:
    """Exposure gain, shot + read noise, gamma, 8-bit quantisation and MJPEG compression; returns uint8 BGR."""
    lin = np.clip(img.astype(np.float32) * np.float32(gain), 0, 1)
    sigma = cv2.sqrt(lin * np.float32(noise * 0.002) + np.float32((noise * 0.004) ** 2))
    lin += rng.standard_normal(size=lin.shape, dtype=np.float32) * sigma
    out = cv2.convertScaleAbs(cv2.pow(np.clip(lin, 0, 1), 1 / 2.2), alpha=255)
    ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(jpeg_quality)])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)
