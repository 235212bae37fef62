"""A deterministic corpus of camera frames showing printed passes, for the decoding benchmark and tests.

Why: decoder choices must be made by measurement on frames like those at the gate — prints held up tilted,
curled, crumpled, glossy, in shadow, stained, out of focus — and on code-free frames (false reads). Frame i of
seed s is always the same image (numpy Generator seeded with (s, i)); conditions cycle so every run of N frames
holds the same mix. Payloads: our KP1 pass (really sealed, deterministic key and signatures), and HC1- and
SHC-sized random texts of the same length and QR mode; error correction M and Q.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache

import numpy as np
import qrcode

from bench.camera_corpus.scene import Scene, compose
from kiosk.core.trust import keys
from kiosk.core.passes import offline_pass
from kiosk.core.outcome.verdicts import Status

FRAME_W, FRAME_H = 1280, 720
BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

CONDITIONS: tuple[str, ...] = (
    "clean", "perspective", "rotation", "defocus", "motion", "lowlight", "glare", "shadow",
    "stains", "curl", "crumple", "small", "combo", "nocode",
)


@dataclass(frozen=True)
class CorpusFrame:
    index: int
    condition: str
    kind: str               # KP1 / HC1 / SHC / none
    ec: str                 # M / Q / -
    text: str | None        # what a correct decoder returns; None for code-free frames
    image: np.ndarray = field(repr=False)


class _DeterministicKey:
    """An ES256 key whose signatures are RFC 6979 deterministic, so sealed passes are reproducible."""

    def __init__(self, secret: int) -> None:
        from cryptography.hazmat.primitives.asymmetric import ec
        self._key = ec.derive_private_key(secret, ec.SECP256R1())

    def public_key(self):
        return self._key.public_key()

    def sign(self, data: bytes, algorithm) -> bytes:
        from cryptography.hazmat.primitives.asymmetric import ec
        return self._key.sign(data, ec.ECDSA(algorithm.algorithm, deterministic_signing=True))


@lru_cache(maxsize=4)
def kp1_passes(seed: int, count: int = 8) -> tuple[str, ...]:
    """`count` sealed KP1 pass texts, identical for the same seed."""
    rng = np.random.default_rng([seed, 0xC0DE])
    key = _DeterministicKey(int(rng.integers(1, 2 ** 62)))
    kid = keys.kid_for_public_key(key.public_key())
    now = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)
    texts = []
    for i in range(count):
        idn = "11010519491231002X" if i % 2 else "110105194912310021"
        claims = offline_pass.new_claims(idn, ["张三", "李小龙", "Anna Berg"][i % 3], Status.GREEN, now,
                                         pass_id=bytes(rng.integers(0, 256, 12, dtype=np.uint8)).hex(),
                                         salt=bytes(rng.integers(0, 256, 16, dtype=np.uint8)))
        texts.append(offline_pass.seal(claims, key, kid))
    return tuple(texts)


def payload(rng: np.random.Generator, seed: int) -> tuple[str, str]:
    """(kind, text): our pass, or HC1 (~500-600 base45 chars) or SHC (~1200 digits) sized random text."""
    kind = ("KP1", "KP1", "HC1", "SHC")[rng.integers(4)]
    if kind == "KP1":
        passes = kp1_passes(seed)
        return kind, passes[rng.integers(len(passes))]
    if kind == "HC1":
        n = int(rng.integers(500, 600))
        return kind, "HC1:" + "".join(rng.choice(list(BASE45), n))
    n = int(rng.integers(1100, 1300)) // 2 * 2
    return kind, "shc:/" + "".join(str(d) for d in rng.integers(0, 10, n))


@lru_cache(maxsize=64)
def qr_modules(text: str, ec: str) -> np.ndarray:
    """The module matrix (True = dark) with a 4-module quiet zone."""
    level = {"M": qrcode.constants.ERROR_CORRECT_M, "Q": qrcode.constants.ERROR_CORRECT_Q}[ec]
    qr = qrcode.QRCode(error_correction=level, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    return np.array(qr.get_matrix(), dtype=bool)


def scene_for(condition: str, rng: np.random.Generator) -> Scene:
    """Draw the degradations of one condition (every frame also gets a hand-held baseline)."""
    s = Scene(rotation=rng.uniform(-20, 20), tilt=rng.uniform(0, 0.12), ppm=rng.uniform(3.2, 6.0),
              gain=rng.uniform(0.6, 1.0), noise=rng.uniform(0.5, 1.5), jpeg=int(rng.integers(75, 93)),
              defocus=rng.uniform(0, 0.8))
    apply = {
        "clean": lambda: None,
        "perspective": lambda: s.set(tilt=rng.uniform(0.25, 0.45)),
        "rotation": lambda: s.set(rotation=rng.uniform(-180, 180)),
        "defocus": lambda: s.set(defocus=rng.uniform(1.3, 2.6) * s.ppm / 4),
        "motion": lambda: s.set(motion=rng.uniform(2.5, 5.5) * s.ppm / 4, motion_angle=rng.uniform(0, 180)),
        "lowlight": lambda: s.set(gain=rng.uniform(0.07, 0.16), noise=rng.uniform(2, 4)),
        "glare": lambda: s.set(glare=rng.uniform(0.7, 1.6)),
        "shadow": lambda: s.set(shadow=rng.uniform(0.6, 0.85)),
        "stains": lambda: s.set(stains=int(rng.integers(1, 3)), pens=int(rng.integers(1, 3))),
        "curl": lambda: s.set(curl=rng.uniform(0.6, 1.1) * rng.choice([-1, 1])),
        "crumple": lambda: s.set(crumple=rng.uniform(0.08, 0.3), creases=int(rng.integers(1, 4))),
        "small": lambda: s.set(ppm=rng.uniform(1.7, 2.5)),
        "nocode": lambda: s.set(code=False, decoy=bool(rng.integers(2))),
    }
    if condition == "combo":
        for name in rng.choice([c for c in apply if c not in ("clean", "nocode", "small")], 2, replace=False):
            apply[name]()
        s.set(gain=s.gain * 0.8)
    else:
        apply[condition]()
    return s


def render(index: int, seed: int = 0, condition: str | None = None) -> CorpusFrame:
    """Frame `index` of corpus `seed` (its condition cycles through CONDITIONS unless given)."""
    condition = condition or CONDITIONS[index % len(CONDITIONS)]
    rng = np.random.default_rng([seed, index])
    kind, text = payload(rng, seed)
    ec = ("M", "Q")[rng.integers(2)]
    scene = scene_for(condition, rng)
    modules = qr_modules(text, ec) if scene.code else None
    image = compose(rng, scene, modules, FRAME_W, FRAME_H)
    if not scene.code:
        return CorpusFrame(index, condition, "none", "-", None, image)
    return CorpusFrame(index, condition, kind, ec, text, image)


def frames(count: int, seed: int = 0, conditions: tuple[str, ...] | None = None) -> Iterator[CorpusFrame]:
    """`count` frames; with `conditions`, only frames whose cycle position falls on those conditions."""
    for i in range(count):
        cond = CONDITIONS[i % len(CONDITIONS)]
        if conditions is None or cond in conditions:
            yield render(i, seed)
