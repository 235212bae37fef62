"""Hand-held sequences: a pass (or a real photograph of a code) brought to the camera and held there.

Why a second generator: the single-frame corpus (bench/camera_corpus) is the material the cascade was tuned
on. These sequences share none of its code: their own card texture, their own motion model (the card slides in
from an edge, then shakes with a hand's tremor), focus that hunts, a glare spot that wanders across a glossy
card, exposure that drifts, sensor noise and MJPEG. Time to first correct read is measured in simulated real
time at 30 fps: the decoder always takes the newest frame that has arrived when it is free, and each decode
costs its measured CPU time, as in the capture loop (drivers/camera/capture.py).

Sources: `synthetic` (a QR code of a pass-sized text, drawn cleanly and moved by the model) and `real` (the
ZXing black-box photographs in ../shared/testdata/qr-real, each used as the card's picture, so the code carries
its own real blur, glare and print defects before the motion model adds more).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import qrcode

W, H, FPS = 1280, 720, 30.0
FRAMES = 45            # 1.5 s: a person holds a pass up for a second or more
BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


@dataclass
class Sequence:
    source: str
    text: str
    steady: int                      # first frame with the card stopped and the focus settled
    frames: list[np.ndarray] = field(repr=False)


def qr_card(text: str, module_px: int = 6) -> np.ndarray:
    """A printed card: the code with its quiet zone on white paper, 8-bit gray."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    modules = np.array(qr.get_matrix(), dtype=np.uint8)
    card = np.where(modules, 25, 235).astype(np.uint8)
    card = cv2.resize(card, None, fx=module_px, fy=module_px, interpolation=cv2.INTER_NEAREST)
    return cv2.copyMakeBorder(card, 40, 90, 40, 40, cv2.BORDER_CONSTANT, value=235)


def _text(rng: np.random.Generator) -> str:
    """A pass-sized text (KP1/HC1 length, base45 alphabet): the code's density, not its meaning, matters here."""
    n = int(rng.integers(180, 420))
    return "KP1:" + "".join(rng.choice(list(BASE45), size=n))


def _background(rng: np.random.Generator) -> np.ndarray:
    base = rng.uniform(40, 160)
    noise = cv2.resize(rng.normal(0, 25, (9, 16)).astype(np.float32), (W, H), interpolation=cv2.INTER_CUBIC)
    return np.clip(base + noise, 0, 255).astype(np.float32)


def _pose_track(rng: np.random.Generator, steady: int, count: int) -> np.ndarray:
    """(x, y, angle, scale) per frame: slide in from an edge until `steady`, then a hand's tremor."""
    target = np.array([W / 2 + rng.uniform(-200, 200), H / 2 + rng.uniform(-80, 80)])
    side = rng.integers(4)
    start = {0: (-400, target[1]), 1: (W + 400, target[1]), 2: (target[0], H + 400), 3: (target[0], -400)}[side]
    poses = np.zeros((count, 4), np.float32)
    angle0, scale0 = rng.uniform(-25, 25), 1.0
    tremor = np.zeros(4)
    for i in range(count):
        if i < steady:
            f = (i + 1) / steady
            ease = 1 - (1 - f) ** 3
            xy = np.array(start) + (target - np.array(start)) * ease
            poses[i] = (*xy, angle0 * (1 - ease) + rng.normal(0, 1), scale0)
        else:
            tremor = 0.7 * tremor + rng.normal(0, [2.5, 2.5, 0.6, 0.006])
            poses[i] = (target[0] + tremor[0], target[1] + tremor[1], tremor[2], scale0 + tremor[3])
    return poses


def _place(card: np.ndarray, pose: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray]:
    """The card warped into the frame (float gray) and its mask."""
    h, w = card.shape
    k = size / max(h, w) * pose[3]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), float(pose[2]), k)
    m[:, 2] += (pose[0] - w / 2, pose[1] - h / 2)
    img = cv2.warpAffine(card.astype(np.float32), m, (W, H), flags=cv2.INTER_LINEAR)
    mask = cv2.warpAffine(np.ones_like(card, np.float32), m, (W, H), flags=cv2.INTER_LINEAR)
    return img, mask


def _blur(img: np.ndarray, speed: np.ndarray, focus: float) -> np.ndarray:
    length = float(np.hypot(*speed)) * 0.5           # half the frame interval is exposure
    if length >= 2:
        n = int(length) | 1
        k = np.zeros((n, n), np.float32)
        k[n // 2, :] = 1
        rot = cv2.getRotationMatrix2D((n / 2 - 0.5, n / 2 - 0.5), float(np.degrees(np.arctan2(*speed[::-1]))), 1)
        k = cv2.warpAffine(k, rot, (n, n))
        img = cv2.filter2D(img, -1, k / max(float(k.sum()), 1e-6))
    if focus >= 0.6:
        img = cv2.GaussianBlur(img, (0, 0), focus)
    return img


def _add_glare(img: np.ndarray, mask: np.ndarray, pos: np.ndarray, strength: float, radius: float) -> None:
    """Add an elongated specular spot at `pos` to the card (in place), computed only where it is visible."""
    x0, x1 = int(max(0, pos[0] - 3 * radius)), int(min(W, pos[0] + 3 * radius))
    y0, y1 = int(max(0, pos[1] - 1.5 * radius)), int(min(H, pos[1] + 1.5 * radius))
    if x1 <= x0 or y1 <= y0:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    spot = strength * np.exp(-(((xx - pos[0]) / radius) ** 2 + ((yy - pos[1]) / (radius * 0.45)) ** 2))
    img[y0:y1, x0:x1] += mask[y0:y1, x0:x1] * spot


def render(rng: np.random.Generator, card: np.ndarray, size: float, source: str, text: str,
           noise_seed: int = 0) -> Sequence:
    """The sequence drawn from `rng`; the sensor noise from OpenCV's generator seeded with `noise_seed`, so a
    sequence is the same whichever sequences were rendered before it in the process."""
    cv2.setRNGSeed(noise_seed)
    steady = int(rng.integers(6, 13))
    poses = _pose_track(rng, steady, FRAMES)
    background = _background(rng)
    glossy = rng.random() < 0.6
    glare_pos = poses[steady, :2] + rng.uniform(-size / 2, size / 2, 2)
    glare_vel = rng.normal(0, 4, 2)
    focus = rng.uniform(0.5, 4.0)
    settled_focus = rng.uniform(0.0, 1.6)
    gain = rng.uniform(0.7, 1.2)
    frames = []
    for i in range(FRAMES):
        speed = poses[i, :2] - poses[max(i - 1, 0), :2]
        img, mask = _place(card, poses[i], size)
        img = img * mask + background * (1 - mask)
        if glossy:
            glare_pos = glare_pos + glare_vel
            _add_glare(img, mask, glare_pos, 255 * rng.uniform(0.7, 1.3), size * 0.3)
        # autofocus hunts while the card moves in, then settles within a few frames of it stopping
        settle = settled_focus if i >= steady + 3 else focus + rng.normal(0, 0.5)
        focus = float(np.clip(settle + (rng.normal(0, 0.15) if i >= steady + 3 else 0), 0, 4.5))
        gain = float(np.clip(gain + rng.normal(0, 0.03), 0.55, 1.3))
        img = _blur(img, speed, focus) * gain
        noise = np.empty_like(img)
        cv2.randn(noise, 0, 3 + 4 * (1.2 - gain))
        img += noise
        gray = np.clip(img, 0, 255).astype(np.uint8)
        ok, buf = cv2.imencode(".jpg", cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), [cv2.IMWRITE_JPEG_QUALITY, 80])
        frames.append(cv2.imdecode(buf, cv2.IMREAD_COLOR))
    return Sequence(source, text, steady + 3, frames)


def synthetic(count: int, seed: int) -> Iterator[Sequence]:
    for i in range(count):
        yield synthetic_one(seed, i)


def synthetic_one(seed: int, i: int) -> Sequence:
    """Synthetic sequence `i` of `seed` (the same frames however many were rendered before it)."""
    rng = np.random.default_rng((seed, i, 1))
    text = _text(rng)
    return render(rng, qr_card(text), rng.uniform(240, 460), "synthetic", text, noise_seed=seed * 100003 + i)


def real_photographs(root: Path) -> list[tuple[Path, str]]:
    """(image, expected text) pairs of the real photographs; the text byte-exact (CR LF kept)."""
    pairs = []
    for image in sorted(root.glob("*/*")):
        if image.suffix.lower() in (".png", ".jpg", ".jpeg", ".gif") and image.with_suffix(".txt").exists():
            pairs.append((image, image.with_suffix(".txt").read_bytes().decode("utf-8", "replace")))
    return pairs


def real(count: int, seed: int, root: Path) -> Iterator[Sequence]:
    pairs = real_photographs(root)
    for i in range(min(count, len(pairs))):
        rng = np.random.default_rng((seed, i, 2))
        path, text = pairs[(i * 7919 + seed) % len(pairs)]
        card = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        yield render(rng, card, rng.uniform(380, 620), "real", text, noise_seed=seed * 100003 + 50000 + i)


Decoder = Callable[[np.ndarray], "str | None"]


def first_read_ms(sequence: Sequence, decode: Decoder) -> tuple[float | None, int]:
    """(ms from the steady frame's arrival to the first correct text, or None; frames decoded), simulated at
    30 fps: the decoder takes the newest frame that has arrived when it is free; a decode costs its CPU time."""
    free, last, decoded = 0.0, -1, 0
    while True:
        index = min(int(free * FPS), len(sequence.frames) - 1)
        if index == last:
            if index == len(sequence.frames) - 1:
                return None, decoded
            free = (index + 1) / FPS
            continue
        start = time.thread_time()
        text = decode(sequence.frames[index])
        free = max(free, index / FPS) + (time.thread_time() - start)
        last, decoded = index, decoded + 1
        if text == sequence.text:
            return max(0.0, free - sequence.steady / FPS) * 1000, decoded


def first_readable_ms(sequence: Sequence) -> float | None:
    """The physics floor: ms from the steady frame to the first frame (at or after it) that the full cascade
    reads on its own, with no time limit and no CPU cost counted; None when no frame is readable."""
    from drivers.camera.decoder import decode_frame
    for index in range(sequence.steady, len(sequence.frames)):
        if decode_frame(sequence.frames[index], budget_ms=1e9) == sequence.text:
            return (index - sequence.steady) * 1000 / FPS
    return None
