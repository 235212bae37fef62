"""The capture loop on real sources: an image folder, a video file written with cv2.VideoWriter, a camera
device that is not there. Events are awaited on a queue with timeouts; nothing sleeps to synchronise, and no
assertion depends on how fast the machine is (file sources are lossless; pacing is tested on a fake clock)."""
from __future__ import annotations

import queue

import cv2
import numpy as np
import pytest
import qrcode

from drivers.camera.announce import Announcer
from drivers.camera.capture import CameraCapture
from drivers.camera.events import CameraAvailable, CameraUnavailable, CodeSeen


def qr_frame(text: str, size=(360, 640)) -> np.ndarray:
    code = np.array(qrcode.make(text, box_size=4, border=2).convert("L"))
    frame = np.full(size + (3,), 170, np.uint8)
    y, x = (size[0] - code.shape[0]) // 2, (size[1] - code.shape[1]) // 2
    frame[y:y + code.shape[0], x:x + code.shape[1]] = code[:, :, None]
    return frame


def blank_frame(size=(360, 640)) -> np.ndarray:
    return np.full(size + (3,), 170, np.uint8)


class Events:
    def __init__(self) -> None:
        self.q: queue.Queue = queue.Queue()

    def __call__(self, event) -> None:
        self.q.put(event)

    def next_of(self, kind, timeout: float = 30.0):
        while True:
            event = self.q.get(timeout=timeout)
            if isinstance(event, kind):
                return event

    def drain(self) -> list:
        out = []
        while not self.q.empty():
            out.append(self.q.get_nowait())
        return out


def test_folder_reports_each_accepted_code_once(tmp_path):
    frames = [blank_frame()] + [qr_frame("KP1:ONE")] * 3 + [qr_frame("BAD:X")] * 3 + \
        [qr_frame("KP1:TWO")] * 3 + [blank_frame()]
    for i, f in enumerate(frames):
        cv2.imwrite(str(tmp_path / f"{i:03d}.png"), f)
    (tmp_path / "999.png").write_bytes(b"broken")  # skipped, not fatal
    events = Events()
    with CameraCapture(tmp_path, events, accept=lambda t: t.startswith("KP1:"),
                       settings=_settings(fps=10)) as cap:
        assert events.next_of(CameraAvailable).source == str(tmp_path)
        assert events.next_of(CodeSeen).text == "KP1:ONE"
        assert events.next_of(CodeSeen).text == "KP1:TWO"
        end = events.next_of(CameraUnavailable)
        assert "end" in end.reason
    later = [e for e in events.drain() if isinstance(e, CodeSeen)]
    assert later == []
    assert cap.stats.frames_grabbed == len(frames) + 1  # the broken file is grabbed, gives no image


def _clip(path, frames=30):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (640, 360))
    for i in range(frames):
        writer.write(qr_frame("shc:/5678") if 10 <= i < 20 else blank_frame())
    writer.release()


def test_video_file_hands_every_frame_to_the_decoder(tmp_path):
    """A file is a test source: however loaded the machine, no frame is dropped before the decoder saw it."""
    path = tmp_path / "clip.avi"
    _clip(path)
    events = Events()
    with CameraCapture(path, events) as cap:
        assert isinstance(events.next_of(CameraAvailable), CameraAvailable)
        assert events.next_of(CodeSeen).text == "shc:/5678"
        events.next_of(CameraUnavailable)
    s = cap.stats
    assert s.frames_grabbed == s.frames_retrieved == s.frames_decoded == 30


def test_a_one_image_folder_is_read_even_when_the_decoder_starts_late(tmp_path, monkeypatch):
    """The flaky case: the grab thread passed the only frame before the decode thread had asked for one."""
    import threading

    import drivers.camera.capture as capture
    cv2.imwrite(str(tmp_path / "0.png"), qr_frame("KP1:ONLY"))
    grabbed = threading.Event()
    real_loop = capture.CameraCapture._decode_loop

    def late_decoder(self):
        grabbed.wait(10)  # the decode thread starts only after the frame was grabbed
        real_loop(self)
    monkeypatch.setattr(capture.CameraCapture, "_decode_loop", late_decoder)
    events = Events()
    with CameraCapture(tmp_path, events, on_frame=lambda i, t: grabbed.set()):
        assert events.next_of(CodeSeen).text == "KP1:ONLY"
        assert "end" in events.next_of(CameraUnavailable).reason


def test_camera_like_mode_retrieves_only_requested_frames(tmp_path):
    """lossless=False (the benchmark's camera-like mode): frames are retrieved only on the decoder's request,
    never queued; idle frames are skipped."""
    path = tmp_path / "clip.avi"
    _clip(path, frames=60)
    events = Events()
    with CameraCapture(path, events, lossless=False) as cap:
        events.next_of(CameraUnavailable)
    s = cap.stats
    assert s.frames_grabbed == 60
    assert s.frames_retrieved <= s.frames_decoded + 1 and s.frames_decoded < s.frames_grabbed


def test_file_sources_are_paced_on_a_fixed_schedule():
    """30 fps: frames are due every 1/30 s on the source's clock (a fake clock here: no wall-clock timing)."""
    from drivers.camera.sources import _paced
    now = [100.0]
    waits: list[float] = []

    def wait(seconds):
        waits.append(seconds)
        now[0] += seconds
        return False
    stamps = []
    for _ in _paced(iter(range(30)), 30.0, lambda: False, wait, clock=lambda: now[0]):
        stamps.append(now[0])
    assert len(stamps) == 30
    assert stamps[-1] - stamps[0] == pytest.approx(29 / 30)
    late = []
    for index, _ in enumerate(_paced(iter(range(6)), 30.0, lambda: False, wait, clock=lambda: now[0])):
        late.append(now[0])
        if index == 1:
            now[0] += 5.0  # the consumer was busy: missed frames are not made up by a burst
    gaps = [b - a for a, b in zip(late, late[1:])]
    assert gaps[1] == pytest.approx(5.0) and gaps[2] == pytest.approx(0.0)
    assert gaps[3:] == [pytest.approx(1 / 30)] * 2


def test_missing_source_reported_unavailable_then_reconnected(tmp_path):
    """A source that is absent is reported and retried; once it appears, frames flow and codes are read."""
    where = tmp_path / "video0"
    events = Events()
    cap = CameraCapture(str(where), events, reconnect_s=0.05, settings=_settings(fps=30))
    cap.start()
    try:
        assert "no device" in events.next_of(CameraUnavailable).reason
        staging = tmp_path / "staging"
        staging.mkdir()
        cv2.imwrite(str(staging / "0.png"), qr_frame("KP1:BACK"))
        staging.rename(where)  # "plugged in"
        assert events.next_of(CameraAvailable).source == str(where)
        assert events.next_of(CodeSeen).text == "KP1:BACK"
    finally:
        cap.stop()
    assert all(not t.is_alive() for t in cap._threads)


def test_announcer_repeat_window_and_accept_errors():
    now = [0.0]
    calls = []

    def accept(text):
        calls.append(text)
        if text == "BOOM":
            raise RuntimeError("verifier broke")
        return text != "BAD"

    a = Announcer(accept, repeat_window_s=3.0, clock=lambda: now[0])
    assert a.offer("KP1:A") is True
    now[0] = 2.0
    assert a.offer("KP1:A") is False           # still in view
    now[0] = 4.5
    assert a.offer("KP1:A") is False           # seen 2.5 s ago: same presentation
    now[0] = 8.0
    assert a.offer("KP1:A") is True            # gone for > 3 s: a new presentation
    assert a.offer("BAD") is False and a.offer("BAD") is False
    assert a.offer("BOOM") is False
    assert calls == ["KP1:A", "KP1:A", "BAD", "BOOM"]


def _settings(fps: float):
    from drivers.camera.sources import CameraSettings
    return CameraSettings(fps=fps)
