"""Compose one camera frame: a printed page (with or without a QR code) held in front of a background.

Why separate from corpus.py: this is the physical pipeline — print, damage the paper, bend it, place it in the
camera's view, light it, blur it, sense it — while corpus.py decides what goes wrong in each condition.
Everything before the sensor is linear light, float32 BGR in [0, 1].
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from bench.camera_corpus import distort

PAPER_PPM = 6  # paper pixels per QR module (rendered finer than the camera sees it)


@dataclass
class Scene:
    rotation: float = 0.0        # degrees
    tilt: float = 0.0            # keystone strength, 0..0.5
    ppm: float = 4.0             # camera pixels per module
    gain: float = 1.0            # exposure (1 = well lit)
    noise: float = 1.0           # sensor noise multiplier
    jpeg: int = 90
    defocus: float = 0.0         # blur disk radius, camera px
    motion: float = 0.0          # motion blur length, camera px
    motion_angle: float = 0.0
    glare: float = 0.0           # highlight strength (added light)
    shadow: float = 0.0          # shadow depth 0..1
    stains: int = 0
    pens: int = 0
    curl: float = 0.0            # radians of bend, signed
    crumple: float = 0.0
    creases: int = 0
    code: bool = True
    decoy: bool = False          # code-free page with QR-like texture

    def set(self, **kw) -> None:
        for k, v in kw.items():
            setattr(self, k, v)


def background(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """A cluttered gate scene: gradient walls, boxes, lines and bits of signage text."""
    c0, c1 = rng.uniform(20, 200, 3), rng.uniform(20, 200, 3)
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    img = np.ascontiguousarray(((c0 * (1 - t) + c1 * t) * np.ones((1, w, 1))).astype(np.uint8))
    for _ in range(rng.integers(3, 9)):
        p = rng.integers([0, 0], [w, h], 2)
        q = p + rng.integers(20, 400, 2)
        cv2.rectangle(img, tuple(int(v) for v in p), tuple(int(v) for v in q), rng.uniform(0, 230, 3).tolist(), -1)
    for _ in range(rng.integers(2, 6)):
        org = tuple(int(v) for v in rng.integers([0, 30], [w - 200, h]))
        cv2.putText(img, "EXIT 3 GATE B", org, cv2.FONT_HERSHEY_SIMPLEX, rng.uniform(0.5, 2),
                    rng.uniform(0, 255, 3).tolist(), int(rng.integers(1, 4)), cv2.LINE_AA)
    return cv2.pow(img.astype(np.float32) / 255, 2.2)


def page(rng: np.random.Generator, scene: Scene, modules: np.ndarray | None) -> tuple[np.ndarray, tuple]:
    """The printed page (float BGR) and the code's box (x, y, w, h) on it."""
    n = modules.shape[0] if modules is not None else int(rng.integers(45, 110))
    code_px = n * PAPER_PPM
    margin = int(code_px * rng.uniform(0.08, 0.2))
    text_h = int(code_px * rng.uniform(0.15, 0.4))
    ph, pw = code_px + 2 * margin + text_h, code_px + 2 * margin
    white = rng.uniform(0.75, 0.9) * rng.uniform(0.93, 1.0, 3)
    paper = np.ones((ph, pw, 3), np.float32) * white.astype(np.float32)
    ink = float(rng.uniform(0.02, 0.08))
    box = (margin, margin, code_px, code_px)
    if modules is not None:
        cells = cv2.resize(modules.astype(np.uint8), (code_px, code_px), interpolation=cv2.INTER_NEAREST)
        dots = np.zeros((ph, pw), np.float32)
        dots[margin:margin + code_px, margin:margin + code_px] = cells
        spread = cv2.GaussianBlur(dots, (5, 5), rng.uniform(0.5, 1.5))[..., None]
        paper = paper * (1 - spread) + ink * spread
    elif scene.decoy:
        grid = rng.random((n // 3, n // 3)) < 0.5
        cells = cv2.resize(grid.astype(np.uint8), (code_px // 2, code_px // 2), interpolation=cv2.INTER_NEAREST)
        region = paper[margin:margin + code_px // 2, margin:margin + code_px // 2]
        region[cells > 0] = ink
    lines = np.zeros((ph, pw), np.uint8)
    for i in range(4):
        y = margin + code_px + int(text_h * (i + 1) / 5)
        cv2.putText(lines, "Pass 7 days  KP1  valid", (margin, y), cv2.FONT_HERSHEY_SIMPLEX,
                    max(0.4, text_h / 150), 255, max(1, text_h // 60), cv2.LINE_AA)
    t = (lines.astype(np.float32) / 255)[..., None]
    paper = paper * (1 - t) + ink * t
    for _ in range(scene.stains):
        distort.stain(rng, paper, box)
    for _ in range(scene.pens):
        distort.pen_marks(rng, paper, box, PAPER_PPM * rng.uniform(0.6, 1.6))
    return paper, box


def bend(rng: np.random.Generator, scene: Scene, paper: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Curl or crumple the page; returns the page and its alpha (1 where paper is)."""
    h, w = paper.shape[:2]
    alpha = np.ones((h, w), np.float32)
    maps = None
    if scene.crumple > 0:
        maps = distort.crumple_maps(rng, h, w, scene.crumple, scene.creases)
    elif scene.curl != 0:
        maps = distort.curl_maps(h, w, abs(scene.curl), bool(rng.integers(2)))
    if maps is None:
        return paper, alpha
    mx, my, shade = (np.ascontiguousarray(m, dtype=np.float32) for m in maps)
    paper = cv2.remap(np.ascontiguousarray(paper, dtype=np.float32), mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))
    alpha = cv2.remap(alpha, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    return paper * shade[..., None], alpha


def placement(rng: np.random.Generator, scene: Scene, size: tuple[int, int], box, w: int, h: int) -> np.ndarray:
    """Homography from page pixels to frame pixels: scale to ppm, rotate, keystone, place in view."""
    ph, pw = size
    s = scene.ppm / PAPER_PPM
    bx, by, bw, bh = box
    centre = np.array([bx + bw / 2, by + bh / 2])
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float32)
    rel = (src - centre) * s
    a = np.deg2rad(scene.rotation)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    rel = rel @ rot.T
    d = rng.normal(size=2)
    d /= np.linalg.norm(d) + 1e-9
    span = np.abs(rel).max()
    along = (rel @ d) / (span + 1e-9)                       # -1..1 along the tilt direction
    rel = rel * (1 - scene.tilt * along)[:, None]           # far side shrinks
    rel += rng.normal(scale=scene.tilt * span * 0.05, size=rel.shape)
    code_half = bw * s * 0.75
    cx = rng.uniform(min(code_half, w / 2), max(w - code_half, w / 2))
    cy = rng.uniform(min(code_half, h / 2), max(h - code_half, h / 2))
    dst = (rel + [cx, cy]).astype(np.float32)
    return cv2.getPerspectiveTransform(src, dst)


def compose(rng: np.random.Generator, scene: Scene, modules: np.ndarray | None, w: int, h: int) -> np.ndarray:
    """The camera frame (uint8 BGR, h x w) for `scene` showing `modules` (or a code-free page)."""
    img = background(rng, w, h)
    paper, box = page(rng, scene, modules)
    paper, alpha = bend(rng, scene, paper)
    m = placement(rng, scene, paper.shape[:2], box, w, h)
    warped = cv2.warpPerspective(paper, m, (w, h), flags=cv2.INTER_AREA if scene.ppm < PAPER_PPM else cv2.INTER_LINEAR)
    a = cv2.warpPerspective(alpha, m, (w, h), flags=cv2.INTER_LINEAR)[..., None]
    img = img * (1 - a) + warped * a
    corners = cv2.perspectiveTransform(np.array([[[box[0], box[1]], [box[0] + box[2], box[1] + box[3]]]],
                                                np.float32), m)[0]
    cbox = (*corners.min(0), *np.abs(corners[1] - corners[0]))
    light = distort.smooth_noise(rng, h, w, 2) * 0.25 + 1
    if scene.shadow > 0:
        light *= distort.cast_shadow(rng, (h, w), cbox, scene.shadow)
    img *= light[..., None]
    if scene.glare > 0:
        img += distort.glare(rng, (h, w), cbox, scene.glare)[..., None] * a / max(scene.gain, 0.05)
    if scene.defocus > 0.5:
        img = distort.defocus(img, scene.defocus)
    if scene.motion > 0:
        img = distort.motion_blur(img, scene.motion, scene.motion_angle)
    return distort.sensor(rng, img, scene.gain, scene.noise, scene.jpeg)
