"""Live-loop measurements for `python -m bench camera --only live`: idle CPU at 30 fps with no code in view, and
first-readable-frame to CodeSeen latency, through the real CameraCapture, the current idle behaviour beside the
previous one in the same run.

There is no camera on the machines this runs on, so the gate's V4L2 MJPEG camera is modelled by its closest
stand-in (`V4L2StandIn`): JPEG buffers in memory (as the driver's mmap'd buffers), grabbed at 30 fps for nothing
(grab() only dequeues a buffer), retrieved only when the decoder asks. "now" hands over the JPEG itself, as
CameraSource does with CAP_PROP_CONVERT_RGB=0, and the decoder decodes it (gray while idle) and skips still
scenes; "previous" decodes every retrieved buffer to BGR (what OpenCV's V4L2 backend does with CONVERT_RGB on)
and looks at every frame handed over, with the cascade and multi-frame reader as they were before the soft
symbol reader (bench.camera.real.previous_frame_decoder). The frames carry fresh sensor
noise each (a real sensor never repeats a frame) and are JPEG quality 85.
Scenes: `still` (an empty counter: one code-free scene, noise only) and `busy` (a different code-free scene
every frame: nothing is ever still; the worst case). The MJPEG video file and JPEG folder sources are measured
too (now only: their sources changed with this behaviour).
"""
from __future__ import annotations

import queue
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np

from bench.camera_corpus import corpus
from bench.camera.real import previous_frame_decoder
from drivers.camera.capture import CameraCapture
from drivers.camera.decoder import FrameDecoder, decode_frame
from drivers.camera.events import CameraUnavailable, CodeSeen
from drivers.camera.frames import EncodedFrame
from drivers.camera.sources import FrameSource, Retrieve, SourceEnded, retrieved_frame, _paced

FPS = 30.0
QUALITY = 85
IDLE = {"idle_stride": 3, "idle_full_every": 3}
BEHAVIOURS = {"now": {"decoded": False}, "previous": {"decoded": True}}


def _decoder(behaviour: str) -> FrameDecoder:
    if behaviour == "previous":
        decoder = previous_frame_decoder()
        decoder.idle_full_every = IDLE["idle_full_every"]
        return decoder
    return FrameDecoder(idle_full_every=IDLE["idle_full_every"])


class V4L2StandIn(FrameSource):
    """JPEG buffers played at 30 fps like a V4L2 MJPEG camera (grab is free, retrieve hands over the buffer)."""

    def __init__(self, jpegs: list[np.ndarray], decoded: bool, fps: float = FPS) -> None:
        self._jpegs = jpegs
        self._decoded = decoded
        self._fps = fps
        self._stop = threading.Event()

    def _retrieve(self, buffer: np.ndarray) -> Retrieve:
        if self._decoded:
            return lambda: cv2.imdecode(buffer, cv2.IMREAD_COLOR)
        return lambda: retrieved_frame(buffer.reshape(1, -1))   # as CameraSource._retrieve gets it in raw mode

    def frames(self, stopped: Callable[[], bool]) -> Iterator[Retrieve]:
        yield from _paced((self._retrieve(b) for b in self._jpegs), self._fps, stopped, self._stop.wait)
        raise SourceEnded("end of the stand-in's frames")

    def close(self) -> None:
        self._stop.set()


def _noisy_jpegs(images: list[np.ndarray], count: int, pick: Callable[[int], int], seed: int) -> list[np.ndarray]:
    """`count` JPEG buffers: frame i is images[pick(i)] with its own sensor noise (sigma 2 levels)."""
    rng = np.random.default_rng(seed)
    bank = [rng.normal(0, 2, images[0].shape).astype(np.float32) for _ in range(16)]
    out = []
    for i in range(count):
        noisy = np.clip(images[pick(i)].astype(np.float32) + bank[(i * 7) % 16], 0, 255).astype(np.uint8)
        out.append(cv2.imencode(".jpg", noisy, [cv2.IMWRITE_JPEG_QUALITY, QUALITY])[1].reshape(-1))
    return out


def _play(source, behaviour: str, on_frame=None, repeat_window_s: float = 3.0):
    events: queue.Queue = queue.Queue()
    arrivals: list[tuple[float, object]] = []

    def on_event(event) -> None:
        arrivals.append((time.monotonic(), event))
        events.put(event)

    cap = CameraCapture(source, on_event, on_frame=on_frame, repeat_window_s=repeat_window_s, lossless=False,
                        idle_stride=IDLE["idle_stride"], decoder=_decoder(behaviour))  # camera-like: unasked frames dropped
    wall, cpu = time.monotonic(), time.process_time()
    cap.start()
    while not isinstance(events.get(timeout=600), CameraUnavailable):
        pass
    wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    cap.stop()
    return cap, arrivals, wall, cpu


def _idle_line(label: str, cap: CameraCapture, wall: float, cpu: float, frames: int) -> str:
    s = cap.stats
    return (f"| {label} | {frames} | {100 * cpu / wall:.1f} | {100 * s.decode_cpu_s / wall:.1f} | "
            f"{100 * s.grab_cpu_s / wall:.1f} | {s.frames_decoded} | {cap.decoder.frames_still} |")


def idle_cpu(seed: int, seconds: float = 10.0) -> str:
    """Code-free frames at 30 fps: CPU time per wall second of the whole process, and per capture thread."""
    empties = [corpus.render(i, seed + 1000, "nocode").image for i in range(10)]
    count = int(seconds * FPS)
    scenes = {"still": _noisy_jpegs(empties, count, lambda i: 0, seed),
              "busy": _noisy_jpegs(empties, count, lambda i: i % len(empties), seed)}
    lines = [f"idle CPU, {count} code-free frames at 30 fps ({seconds:.0f} s), % of one core (CPU time / wall time)",
             "| source, scene, behaviour | frames | process % | decode thread % | grab thread % | frames decoded "
             "| of which skipped as still |", "|---|---|---|---|---|---|---|"]
    for scene, jpegs in scenes.items():
        for behaviour in BEHAVIOURS:
            source = V4L2StandIn(jpegs, decoded=BEHAVIOURS[behaviour]["decoded"])
            cap, _arrivals, wall, cpu = _play(source, behaviour)
            lines.append(_idle_line(f"V4L2 stand-in, {scene}, {behaviour}", cap, wall, cpu, count))
    with tempfile.TemporaryDirectory() as tmp:
        video, folder = Path(tmp) / "idle.avi", Path(tmp) / "frames"
        folder.mkdir()
        writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (corpus.FRAME_W, corpus.FRAME_H))
        for i, jpeg in enumerate(scenes["still"]):
            writer.write(cv2.imdecode(jpeg, cv2.IMREAD_COLOR))
            (folder / f"{i:05d}.jpg").write_bytes(jpeg.tobytes())
        writer.release()
        for label, path in (("MJPEG video file, still, now", video), ("JPEG folder, still, now", folder)):
            cap, _arrivals, wall, cpu = _play(path, "now")
            lines.append(_idle_line(label, cap, wall, cpu, count))
    return "\n".join(lines)


def latency(seed: int, trials: int = 40, blank: int = 30, shown: int = 8) -> str:
    """Codes appear after ~1 s of an empty, still scene (longer than FrameDecoder.keep_frames, so every code
    arrives while the decoder is idle and skipping still frames); latency = CodeSeen time - grab time of the
    first frame of the stretch that decode_frame reads on its own. The empty stretch is 30, 31 or 32 frames in
    turn, so a code does not always arrive at the same phase of the idle stride. Now beside previous, same
    frames."""
    empties = [corpus.render(i, seed + 2000, "nocode").image for i in range(4)]
    codes, images, starts = [], [], []
    i = 0
    while len(codes) < trials:
        f = corpus.render(i, seed + 3000)
        i += 1
        if f.text is None:
            continue
        images += [empties[len(codes) % 4]] * (blank + len(codes) % 3)
        starts.append(len(images))
        codes.append(f.text)
        images += [f.image] * shown
    jpegs = _noisy_jpegs(images, len(images), lambda k: k, seed)
    readable = _first_readable(jpegs, codes, starts, shown)
    lines = []
    for behaviour in BEHAVIOURS:
        stamps: dict[int, float] = {}
        source = V4L2StandIn(jpegs, decoded=BEHAVIOURS[behaviour]["decoded"])
        _cap, arrivals, _wall, _cpu = _play(source, behaviour, on_frame=lambda k, t: stamps.__setitem__(k, t),
                                            repeat_window_s=0.2)
        lines.append(_latency_line(behaviour, arrivals, stamps, readable, codes, starts, trials))
    return "\n".join(lines)


def _latency_line(behaviour, arrivals, stamps, readable, codes, starts, trials) -> str:
    seen = [(t, e.text) for t, e in arrivals if isinstance(e, CodeSeen)]
    lat, missed = [], 0
    for j, first in readable.items():
        start = stamps[first]
        end = starts[j + 1] if j + 1 < len(starts) else None   # until the next code appears
        until = stamps.get(end, 1e18) if end is not None else 1e18
        hits = [t for t, text in seen if text == codes[j] and start - 0.05 <= t <= until]
        if hits:
            lat.append((hits[0] - start) * 1000)
        else:
            missed += 1
    lat.sort()
    p95 = lat[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))] if lat else float("nan")
    med = lat[len(lat) // 2] if lat else float("nan")
    return (f"latency ({behaviour}, V4L2 stand-in), first readable frame -> CodeSeen at 30 fps: {len(readable)} of "
            f"{trials} shown codes readable in some frame; median {med:.0f} ms, p95 {p95:.0f} ms, max "
            f"{max(lat, default=0):.0f} ms; {missed} readable codes never announced")


def _first_readable(jpegs: list[np.ndarray], codes: list[str], starts: list[int], shown: int) -> dict[int, int]:
    first: dict[int, int] = {}
    for j, start in enumerate(starts):
        for k in range(start, start + shown):
            if decode_frame(EncodedFrame(jpegs[k])) == codes[j]:
                first[j] = k
                break
    return first


def run_live(seed: int) -> str:
    return "\n".join([idle_cpu(seed), latency(seed)])
