"""Live-loop measurements for `python -m bench camera`: idle CPU at 30 fps, and first-readable-frame to
CodeSeen latency, both through the real CameraCapture playing a video file at 30 fps.

The video is MJPEG (as the gate camera sends); the grab thread's CPU includes decoding the file, which a V4L2
camera also costs, so both threads are reported apart and together.
"""
from __future__ import annotations

import queue
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from bench.camera_corpus import corpus
from drivers.camera.capture import CameraCapture
from drivers.camera.decoder import decode_frame
from drivers.camera.events import CameraUnavailable, CodeSeen

FPS = 30.0


def _write(path: Path, frames: list[np.ndarray]) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (corpus.FRAME_W, corpus.FRAME_H))
    for frame in frames:
        writer.write(frame)
    writer.release()


IDLE = {"idle_stride": 3, "idle_full_every": 3}


def _play(path: Path, on_frame=None, repeat_window_s: float = 3.0):
    events: queue.Queue = queue.Queue()
    arrivals: list[tuple[float, object]] = []

    def on_event(event) -> None:
        arrivals.append((time.monotonic(), event))
        events.put(event)

    cap = CameraCapture(path, on_event, on_frame=on_frame, repeat_window_s=repeat_window_s, lossless=False,
                        **IDLE)  # camera-like: frames the decoder did not ask for are dropped
    wall, cpu = time.monotonic(), time.process_time()
    cap.start()
    while not isinstance(events.get(timeout=600), CameraUnavailable):
        pass
    wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    cap.stop()
    return cap, arrivals, wall, cpu


def idle_cpu(seed: int, seconds: float = 10.0) -> str:
    """Code-free frames at 30 fps: CPU per wall second, whole process and per capture thread. Twice: from an
    MJPEG video file (FFmpeg decodes every frame in grab()), and from a folder of JPEG frames, which costs like
    a V4L2 MJPEG camera (grab() is cheap, retrieve() decodes the JPEG, only for frames the decoder asks for)."""
    empties = [f.image for f in (corpus.render(i, seed + 1000, "nocode") for i in range(10))]
    frames = [empties[(i // 30) % len(empties)] for i in range(int(seconds * FPS))]
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        video, folder = Path(tmp) / "idle.avi", Path(tmp) / "frames"
        _write(video, frames)
        folder.mkdir()
        for i, frame in enumerate(frames):
            cv2.imwrite(str(folder / f"{i:05d}.jpg"), frame, [cv2.IMWRITE_JPEG_QUALITY, 90])
        for label, path in (("MJPEG video file", video), ("JPEG frame folder (camera-like)", folder)):
            cap, _arrivals, wall, cpu = _play(path)
            s = cap.stats
            lines.append(f"idle, {len(frames)} code-free frames at 30 fps from a {label} ({wall:.1f} s): process "
                         f"{100 * cpu / wall:.1f} % of one core; decode thread {100 * s.decode_cpu_s / wall:.1f} % "
                         f"({s.frames_decoded} frames decoded), grab thread {100 * s.grab_cpu_s / wall:.1f} %")
    return "\n".join(lines)


def latency(seed: int, trials: int = 40, blank: int = 30, shown: int = 8) -> str:
    """Codes appear after code-free stretches; latency = CodeSeen time - time the first readable frame was
    grabbed (first frame of the stretch that decode_frame reads as read back from the video). The stretches
    (1 s) are longer than FrameDecoder.keep_frames, so every code arrives while the decoder is idle."""
    empties = [corpus.render(i, seed + 2000, "nocode").image for i in range(4)]
    codes, frames = [], []
    i = 0
    while len(codes) < trials:
        f = corpus.render(i, seed + 3000)
        i += 1
        if f.text is None:
            continue
        codes.append(f.text)
        frames += [empties[len(codes) % 4]] * blank + [f.image] * shown
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "codes.avi"
        _write(path, frames)
        readable = _first_readable(path, codes, blank, shown)
        stamps: dict[int, float] = {}
        _cap, arrivals, _wall, _cpu = _play(path, on_frame=lambda k, t: stamps.__setitem__(k, t),
                                           repeat_window_s=0.2)
    seen = [(t, e.text) for t, e in arrivals if isinstance(e, CodeSeen)]
    lat, missed = [], 0
    for j, first in readable.items():
        start = stamps[first]
        end = (j + 1) * (blank + shown) + blank   # until the next code appears
        hits = [t for t, text in seen if text == codes[j] and start - 0.05 <= t <= stamps.get(end, 1e18)]
        if hits:
            lat.append((hits[0] - start) * 1000)
        else:
            missed += 1
    lat.sort()
    p95 = lat[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))] if lat else float("nan")
    med = lat[len(lat) // 2] if lat else float("nan")
    return (f"latency, first readable frame -> CodeSeen at 30 fps: {len(readable)} of {trials} shown codes "
            f"readable in some frame; median {med:.0f} ms, p95 {p95:.0f} ms, max {max(lat, default=0):.0f} ms; "
            f"{missed} readable codes never announced")


def _first_readable(path: Path, codes: list[str], blank: int, shown: int) -> dict[int, int]:
    cap = cv2.VideoCapture(str(path))
    first: dict[int, int] = {}
    k = 0
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        j, pos = divmod(k, blank + shown)
        if pos >= blank and j not in first and decode_frame(frame) == codes[j]:
            first[j] = k
        k += 1
    cap.release()
    return first


def run_live(seed: int) -> str:
    return "\n".join([idle_cpu(seed), latency(seed)])
