"""Regenerate the spoken prompts (assets/prompts/<key>.<language>.wav) with espeak-ng, reproducibly.

The phrases come from kiosk.core.outcome.strings (the same module the screens use), so screen and voice never drift.
Voices: Mandarin `cmn-latn-pinyin` (the plain `cmn` voice mispronounces tone digits), Cantonese `yue`, English
`en-gb`. Output is mono 16-bit 16 kHz PCM (small, and what QSoundEffect plays everywhere); the WAVs
are committed so the kiosk works where espeak-ng is absent. A human recording can replace any file (same name).

    python scripts/make_prompts.py [--out assets/prompts] [--check]

`--check` regenerates into memory and reports which committed files differ (exit 1 when any do).
"""
from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.core.outcome import strings  # noqa: E402

VOICES = {"zh-Hans": "cmn-latn-pinyin", "zh-Hant-HK": "yue", "en": "en-gb"}
SPEED_WPM = {"zh-Hans": 185, "zh-Hant-HK": 165, "en": 165}  # short prompts (issue 14)
SILENCE = 300  # |sample| below this at either end is trimmed: the first sample heard is speech
RATE = 16_000


def synthesise(text: str, language: str) -> bytes:
    """espeak-ng -> WAV bytes at 16 kHz mono 16-bit."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise SystemExit("espeak-ng is not installed (Debian: apt-get install espeak-ng)")
    raw = subprocess.run([espeak, "-v", VOICES[language], "-s", str(SPEED_WPM[language]), "--stdout", text],
                         check=True, capture_output=True).stdout
    with wave.open(io.BytesIO(raw)) as src:
        rate, frames = src.getframerate(), src.readframes(src.getnframes())
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float64)
    count = int(round(len(samples) * RATE / rate))
    resampled = np.interp(np.arange(count) * rate / RATE, np.arange(len(samples)), samples)
    pcm = np.clip(np.round(resampled), -32768, 32767).astype("<i2")
    loud = np.flatnonzero(np.abs(pcm) > SILENCE)
    if loud.size:
        pcm = pcm[max(0, loud[0] - RATE // 100): loud[-1] + RATE // 20]
    return _wav(pcm)


def _wav(pcm: "np.ndarray") -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as dst:
        dst.setnchannels(1)
        dst.setsampwidth(2)
        dst.setframerate(RATE)
        dst.writeframes(pcm.tobytes())
    return out.getvalue()


def tone(freqs: tuple[float, ...], seconds: float) -> bytes:
    """A short chime (each frequency in turn, faded in and out): the verdict tone, the staff-call alert."""
    parts = []
    for freq in freqs:
        t = np.arange(int(RATE * seconds)) / RATE
        envelope = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)
        parts.append(0.45 * 32767 * envelope * np.sin(2 * np.pi * freq * t))
    return _wav(np.concatenate(parts).astype("<i2"))


TONES = {"tone": ((880.0,), 0.1), "alert": ((988.0, 784.0, 988.0, 784.0), 0.18)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "assets" / "prompts")
    parser.add_argument("--check", action="store_true", help="compare with the committed files, write nothing")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    differing = []
    for key in strings.PROMPT_KEYS:
        for language in strings.LANGUAGES:
            data = synthesise(strings.spoken(key, language), language)
            path = args.out / f"{key}.{language}.wav"
            if args.check:
                if not path.exists() or path.read_bytes() != data:
                    differing.append(path.name)
            else:
                path.write_bytes(data)
                print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {len(data)} bytes")
    for name, (freqs, seconds) in TONES.items():
        data, path = tone(freqs, seconds), args.out / f"{name}.wav"
        if args.check:
            if not path.exists() or path.read_bytes() != data:
                differing.append(path.name)
        else:
            path.write_bytes(data)
    if differing:
        print("differ from espeak-ng output:", ", ".join(differing))
    return 1 if differing else 0


if __name__ == "__main__":
    raise SystemExit(main())
