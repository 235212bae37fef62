"""The cascade on real corpus frames: it reads frames plain zxing-cpp misses, never reads code-free frames,
and the corpus is deterministic. A handful of frames only (each renders in ~0.2 s); the long run is the bench."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from bench.camera.decoders import plain_zxing
from drivers.camera import cascade
from bench.camera_corpus import corpus
from drivers.camera.decoder import FrameDecoder, decode_frame


def test_corpus_is_deterministic_and_labelled():
    a, b = corpus.render(3, seed=7), corpus.render(3, seed=7)
    assert a.condition == corpus.CONDITIONS[3] and a.text == b.text
    assert np.array_equal(a.image, b.image)
    assert a.image.shape == (720, 1280, 3) and a.image.dtype == np.uint8
    assert not np.array_equal(a.image, corpus.render(3, seed=8).image)


def test_corpus_payloads_have_the_promised_shapes():
    rng = np.random.default_rng(5)
    kinds = {}
    for _ in range(40):
        kind, text = corpus.payload(rng, 1)
        kinds.setdefault(kind, text)
    assert kinds["KP1"].startswith("KP1:") and 250 < len(kinds["KP1"]) < 400
    assert kinds["HC1"].startswith("HC1:") and 500 <= len(kinds["HC1"]) - 4 < 600
    assert set(kinds["HC1"][4:]) <= set(corpus.BASE45)
    assert kinds["SHC"].startswith("shc:/") and kinds["SHC"][5:].isdigit() and 1100 <= len(kinds["SHC"]) - 5 < 1300


def test_kp1_corpus_passes_are_really_sealed():
    from kiosk.core.passes import offline_pass
    sign1 = offline_pass.open_envelope(corpus.kp1_passes(1)[0])
    claims = offline_pass.decode_claims(sign1.payload)
    assert claims.issuer == "CN-DEMO"


@pytest.mark.parametrize("index, step", [(6, "symbol/soft"), (50, "frame/half-brightest"),
                                         (52, "region/global-histogram"), (103, "frame/median3")])
def test_cascade_reads_frames_plain_zxing_misses(index, step):
    frame = corpus.render(index, seed=1)
    assert frame.text is not None
    assert plain_zxing(frame.image) is None
    outcome = cascade.run(frame.image, cv2.cvtColor(frame.image, cv2.COLOR_BGR2GRAY), budget_ms=1e9)
    assert (outcome.text, outcome.step) == (frame.text, step)
    assert decode_frame(frame.image, budget_ms=1e9) == frame.text


def test_no_false_reads_on_code_free_frames():
    for i in range(4):
        frame = corpus.render(i, seed=11, condition="nocode")
        assert frame.text is None
        assert decode_frame(frame.image, budget_ms=1e9) is None


def test_frame_decoder_tracks_the_region_then_goes_idle():
    code = corpus.render(0, seed=1)  # a clean frame
    blank = corpus.render(13, seed=1)
    assert blank.text is None
    decoder = FrameDecoder(keep_frames=2)
    assert decoder.idle
    assert decoder.decode(code.image) == code.text and decoder.last_step == "first"
    assert not decoder.idle
    for _ in range(3):
        assert decoder.decode(blank.image) is None
    assert decoder.idle
