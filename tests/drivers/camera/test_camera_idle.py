"""The idle economy: encoded frames decoded on demand (gray while idle), still scenes skipped but never for long,
a change after a still scene escalating to the whole cascade, and camera buffers checked before decoding."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from bench.camera_corpus import corpus
from drivers.camera import stillness
from drivers.camera.capture import CameraCapture
from drivers.camera.decoder import FrameDecoder, decode_frame
from drivers.camera.frames import MAX_FRAME_SIDE, EncodedFrame, camera_jpeg, jpeg_size, pixels
from drivers.camera.sources import CameraSource, CameraSettings, retrieved_frame
from tests.drivers.camera.test_camera_decoder import render_qr


def _jpeg(image: np.ndarray, quality: int = 85) -> np.ndarray:
    return cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])[1].reshape(-1)


def _noisy(image: np.ndarray, seed: int) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(0, 2, image.shape)
    return np.clip(image + noise, 0, 255).astype(np.uint8)


EMPTY = corpus.render(13, seed=1).image          # a code-free scene of the corpus
HARD = corpus.render(103, seed=1)                # low light: the fast pass sees nothing, the whole cascade reads it


def test_jpeg_size_reads_the_frame_header_and_refuses_anything_else():
    data = _jpeg(np.zeros((90, 160, 3), np.uint8))
    assert jpeg_size(data) == (160, 90)
    assert jpeg_size(data.tobytes()) == (160, 90)
    assert jpeg_size(cv2.imencode(".png", np.zeros((9, 9), np.uint8))[1]) is None
    assert jpeg_size(b"\xff\xd8") is None and jpeg_size(b"") is None
    assert jpeg_size(data[:20]) is None           # cut before the frame header


def test_a_camera_buffer_claiming_a_huge_frame_is_refused_before_decoding():
    data = bytearray(_jpeg(np.zeros((90, 160, 3), np.uint8)).tobytes())
    at = data.index(b"\xff\xc0")
    data[at + 5:at + 9] = (60000).to_bytes(2, "big") + (60000).to_bytes(2, "big")
    assert camera_jpeg(np.frombuffer(bytes(data), np.uint8)) is None
    assert MAX_FRAME_SIDE < 60000
    assert retrieved_frame(np.frombuffer(bytes(data), np.uint8).reshape(1, -1)) is None
    assert retrieved_frame(np.zeros((1, 50), np.uint8)) is None          # not a JPEG at all


def test_encoded_frames_decode_in_gray_or_colour_on_demand():
    frame = EncodedFrame(_jpeg(cv2.cvtColor(render_qr("KP1:ENCODED"), cv2.COLOR_GRAY2BGR)))
    assert pixels(frame, colour=False).ndim == 2
    assert pixels(frame, colour=True).shape[2] == 3
    assert decode_frame(frame) == "KP1:ENCODED"
    assert FrameDecoder().decode(frame) == "KP1:ENCODED"
    assert FrameDecoder().decode(EncodedFrame(np.frombuffer(b"\xff\xd8junk", np.uint8))) is None


class FakeV4L2:
    """cv2.VideoCapture as the V4L2 backend behaves with CAP_PROP_CONVERT_RGB=0: retrieve gives the raw buffer.
    `agreed` is the format the camera accepts (a camera without MJPEG stays in YUYV)."""

    def __init__(self, buffer: np.ndarray, agreed: str = "MJPG") -> None:
        self.buffer, self.props, self.agreed = buffer, {}, agreed

    def set(self, prop, value):
        self.props[prop] = value
        return True

    def get(self, prop):
        return float(cv2.VideoWriter_fourcc(*self.agreed)) if prop == cv2.CAP_PROP_FOURCC else 0.0

    def retrieve(self):
        return True, self.buffer.reshape(1, -1)


def test_an_mjpeg_camera_hands_the_jpeg_itself_to_the_decoder(monkeypatch):
    fake = FakeV4L2(_jpeg(cv2.cvtColor(render_qr("KP1:RAW-V4L2"), cv2.COLOR_GRAY2BGR)))
    monkeypatch.setattr(cv2, "VideoCapture", lambda *a: type("Opened", (), {"isOpened": lambda s: True})())
    source = CameraSource(0, CameraSettings())
    monkeypatch.setattr(source, "_open", lambda: fake)
    source._cap = fake
    frame = source._retrieve()
    assert isinstance(frame, EncodedFrame)
    assert decode_frame(frame) == "KP1:RAW-V4L2"


def test_camera_open_asks_for_raw_mjpeg_buffers(monkeypatch, tmp_path):
    fake = FakeV4L2(np.zeros(1, np.uint8))
    fake.isOpened = lambda: True
    monkeypatch.setattr(cv2, "VideoCapture", lambda *a: fake)
    CameraSource(0, CameraSettings())._open()
    assert fake.props[cv2.CAP_PROP_CONVERT_RGB] == 0
    fake.props.clear()
    CameraSource(0, CameraSettings(fourcc="YUYV"))._open()
    assert cv2.CAP_PROP_CONVERT_RGB not in fake.props      # not MJPEG: OpenCV converts as before
    fake.agreed = "YUYV"
    CameraSource(0, CameraSettings())._open()
    assert cv2.CAP_PROP_CONVERT_RGB not in fake.props      # asked for MJPEG, the camera only does YUYV


def test_the_capture_loop_uses_the_multi_frame_reader_by_default(tmp_path):
    cap = CameraCapture(tmp_path, lambda event: None)
    assert isinstance(cap.decoder, FrameDecoder)


def _settle(decoder: FrameDecoder, count: int = 6, encoded: bool = True) -> None:
    """Idle frames of one empty scene with fresh noise each, until the decoder skips them as still."""
    for i in range(count):
        frame = _noisy(EMPTY, i)
        assert decoder.decode(EncodedFrame(_jpeg(frame)) if encoded else frame) is None


def test_a_still_empty_scene_is_skipped_but_never_for_long():
    decoder = FrameDecoder(still_refresh=4)
    _settle(decoder, 3)                      # the third idle frame gets the whole cascade: the reference
    steps = []
    for i in range(12):
        decoder.decode(EncodedFrame(_jpeg(_noisy(EMPTY, 100 + i))))
        steps.append(decoder.last_step)
    assert decoder.idle and decoder.frames_still > 0
    runs, run = [], 0
    for step in steps:
        run = run + 1 if step == "still" else 0
        runs.append(run)
    assert max(runs) == 4                    # at most `still_refresh` frames in a row are skipped
    assert steps.count("still") < len(steps)


def test_without_skipping_every_idle_frame_is_looked_at():
    decoder = FrameDecoder(skip_still=False)
    _settle(decoder, 9)
    assert decoder.frames_still == 0


def test_a_code_appearing_in_a_still_scene_gets_the_whole_cascade_at_once():
    """The fast pass sees nothing of HARD; only the recoveries read it. After a still stretch, the first frame
    that shows it is read, though the idle schedule would have given that frame the fast pass only."""
    assert HARD.text is not None
    scheduled = FrameDecoder(skip_still=False)
    _settle(scheduled, 3, encoded=False)
    assert scheduled.decode(HARD.image) is None, "precondition: the schedule gives this frame the fast pass only"
    decoder = FrameDecoder()
    _settle(decoder, 6, encoded=False)
    assert decoder.frames_still > 0
    assert decoder.decode(HARD.image) == HARD.text


def test_a_code_is_never_skipped_once_seen():
    """After a code was read the decoder is engaged: nothing is skipped until it has been idle and looked at an
    empty scene again."""
    decoder = FrameDecoder()
    _settle(decoder, 6)
    code = cv2.cvtColor(render_qr("KP1:STAY", box=5), cv2.COLOR_GRAY2BGR)
    scene = EMPTY.copy()
    scene[100:100 + code.shape[0], 300:300 + code.shape[1]] = code
    texts = [decoder.decode(EncodedFrame(_jpeg(_noisy(scene, i)))) for i in range(8)]
    assert texts == ["KP1:STAY"] * 8
    before = decoder.frames_still
    for i in range(8):
        decoder.decode(EncodedFrame(_jpeg(_noisy(scene, 50 + i))))
    assert decoder.frames_still == before


def test_stillness_ignores_noise_and_common_brightness_but_not_a_card():
    base = cv2.cvtColor(EMPTY, cv2.COLOR_BGR2GRAY)
    reference = stillness.thumbnail(base)
    assert not stillness.changed(reference, stillness.thumbnail(cv2.cvtColor(_noisy(EMPTY, 7), cv2.COLOR_BGR2GRAY)))
    assert not stillness.changed(reference, stillness.thumbnail(cv2.add(base, 12)))
    card = base.copy()
    card[300:360, 600:660] = 250                    # a small white card: a few cells change a lot
    assert stillness.changed(reference, stillness.thumbnail(card))
    assert stillness.changed(reference, stillness.thumbnail(base[:-32]))   # another size: not the same scene


@pytest.mark.parametrize("refresh", [1, 3])
def test_still_scene_refresh_bounds_the_skipped_run(refresh):
    scene = stillness.StillScene(refresh=refresh)
    gray = cv2.cvtColor(EMPTY, cv2.COLOR_BGR2GRAY)
    assert scene.look(gray) == stillness.LOOK       # no reference yet
    scene.looked(gray)
    assert [scene.look(gray) for _ in range(refresh + 1)] == [stillness.STILL] * refresh + [stillness.LOOK]
    scene.forget()
    assert scene.look(gray) == stillness.LOOK


@pytest.mark.parametrize("fourcc, suffix, encoded", [("MJPG", "avi", True), ("FFV1", "avi", False)])
def test_an_mjpeg_file_is_read_as_packets_other_codecs_decoded(tmp_path, fourcc, suffix, encoded):
    import threading

    from drivers.camera.sources import SourceEnded, VideoFileSource
    path = tmp_path / f"clip.{suffix}"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), 30.0, (320, 240))
    code = cv2.cvtColor(render_qr("KP1:PACKET", box=3), cv2.COLOR_GRAY2BGR)
    frame = np.full((240, 320, 3), 200, np.uint8)
    frame[20:20 + code.shape[0], 40:40 + code.shape[1]] = code
    for _ in range(3):
        writer.write(frame)
    writer.release()
    frames = []
    with pytest.raises(SourceEnded):
        for retrieve in VideoFileSource(path, threading.Event().wait, fps=1000).frames(lambda: False):
            frames.append(retrieve())
    assert len(frames) == 3
    assert all(isinstance(f, EncodedFrame) == encoded for f in frames)
    assert decode_frame(frames[0]) == "KP1:PACKET"


def test_an_idle_frame_whose_fast_pass_sees_a_code_gets_everything_at_once():
    """Corpus frame 6 (glare): the fast pass sees the code but cannot read it. The first idle frame would get the
    fast pass only; seeing a code escalates that same frame to the whole cascade."""
    frame = corpus.render(6, seed=1)
    decoder = FrameDecoder(skip_still=False)
    assert decoder.idle
    assert decoder.decode(frame.image) == frame.text
    assert not decoder.idle
