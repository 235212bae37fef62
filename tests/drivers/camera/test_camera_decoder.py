"""decode_frame / decode_image_file on real rendered QR codes (generated here, no fixtures on disk)."""
from __future__ import annotations

import cv2
import numpy as np
import pytest
import qrcode
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from drivers.camera.decoder import DecodeResult, ImageUnreadable, decode_frame, decode_image_file


def render_qr(text: str, box: int = 4) -> np.ndarray:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    img = np.array(qr.make_image(fill_color="black", back_color="white").convert("L"))
    return img


def test_decodes_grayscale_and_bgr_frames():
    gray = render_qr("KP1:HELLO-WORLD-0123456789")
    assert decode_frame(gray) == "KP1:HELLO-WORLD-0123456789"
    assert decode_frame(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)) == "KP1:HELLO-WORLD-0123456789"


def test_blank_frame_reads_nothing():
    assert decode_frame(np.full((720, 1280, 3), 128, np.uint8)) is None


def test_other_frame_layouts():
    gray = render_qr("KP1:LAYOUTS")
    assert decode_frame(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGRA)) == "KP1:LAYOUTS"
    assert decode_frame(gray[:, :, None]) == "KP1:LAYOUTS"
    assert decode_frame(gray.astype(np.uint16) * 257) == "KP1:LAYOUTS"
    assert decode_frame(gray.astype(np.float32) / 255) == "KP1:LAYOUTS"
    assert decode_frame(np.asfortranarray(gray)) == "KP1:LAYOUTS"


def test_rejects_non_image_frames():
    with pytest.raises(ValueError):
        decode_frame(np.zeros((0, 0), np.uint8))
    with pytest.raises(ValueError):
        decode_frame(np.zeros((4, 4, 2), np.uint8))
    with pytest.raises(ValueError):
        decode_frame(np.zeros((4, 4, 3, 1), np.uint8))
    with pytest.raises(ValueError):
        decode_frame("not an array")


def test_decode_image_file(tmp_path):
    path = tmp_path / "pass.png"
    cv2.imwrite(str(path), render_qr("HC1:ABC$%*+-./: 0123"))
    result = decode_image_file(path)
    assert isinstance(result, DecodeResult)
    assert result.text == "HC1:ABC$%*+-./: 0123"
    assert result.ms >= 0.0


def test_unreadable_and_missing_files_raise_typed_error(tmp_path):
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not an image at all")
    with pytest.raises(ImageUnreadable):
        decode_image_file(junk)
    with pytest.raises(ImageUnreadable):
        decode_image_file(tmp_path / "missing.png")
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(ImageUnreadable):
        decode_image_file(empty)


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(dtype=st.sampled_from([np.uint8, np.uint16, np.float32, np.int32]),
                  shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=64)))
def test_any_array_reads_nothing_or_raises_value_error(array):
    try:
        text = decode_frame(array)
    except ValueError:
        return
    assert text is None or isinstance(text, str)
