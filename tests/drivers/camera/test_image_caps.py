"""Byte and pixel caps on image files and command-line inputs (drivers/camera/imagecaps.py, read_input):
a decompression bomb and /dev/zero are refused with a typed error, in a process held under 1 GB of memory."""
from __future__ import annotations

import os
import resource
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.camera.decoder import ImageTooLarge, ImageUnreadable, read_image
from drivers.camera.imagecaps import MAX_IMAGE_BYTES, ImageRefused, checked_image_bytes, read_capped

REPO = Path(__file__).resolve().parents[3]
GIB = 1024 ** 3


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims width x height (the rows it carries are few: a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = zlib.compress(b"\x00" * (1 + width) * 64, 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", rows) + chunk(b"IEND", b""))


def _under_1_gib() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (GIB, GIB))


def _kiosk(*argv: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "KIOSK_DATA_DIR": str(tmp_path / "data"),
           "QT_QPA_PLATFORM": "offscreen", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "kiosk", *argv], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=300, preexec_fn=_under_1_gib)


def test_the_32000_square_png_bomb_is_refused_by_kiosk_verify_under_1_gib(tmp_path):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_claiming(32000, 32000))
    proc = _kiosk("verify", "--image", str(bomb), tmp_path=tmp_path)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "image refused" in proc.stderr and "Traceback" not in proc.stderr


def test_bundle_install_from_dev_zero_is_refused_under_1_gib(tmp_path):
    proc = _kiosk("bundle", "install", "/dev/zero", tmp_path=tmp_path)
    assert proc.returncode == 2 and "larger than" in proc.stderr and "Traceback" not in proc.stderr


def test_caps_in_process(tmp_path):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_claiming(19000, 19000))  # under 20,000 a side, over our pixel cap
    with pytest.raises(ImageTooLarge, match="pixel"):
        read_image(bomb)
    with pytest.raises(ImageRefused, match="larger than"):
        read_capped("/dev/zero", 1024)
    with pytest.raises(ImageUnreadable):
        read_image(tmp_path)
    text = tmp_path / "no.png"
    text.write_bytes(b"hello")
    with pytest.raises(ImageTooLarge, match="not a readable image"):
        read_image(text)
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), np.full((120, 160, 3), 200, np.uint8))
    assert read_image(good).shape == (120, 160, 3)
    assert len(checked_image_bytes(good)) < MAX_IMAGE_BYTES


def test_a_camera_folder_skips_a_bomb_frame_and_reads_the_next(tmp_path):
    from drivers.camera.capture import CameraCapture
    from drivers.camera.events import CameraUnavailable, CodeSeen
    from tests.drivers.camera.test_camera_capture import Events, qr_frame
    (tmp_path / "0.png").write_bytes(png_claiming(32000, 32000))
    cv2.imwrite(str(tmp_path / "1.png"), qr_frame("KP1:AFTER"))
    events = Events()
    with CameraCapture(tmp_path, events) as cap:
        assert events.next_of(CodeSeen).text == "KP1:AFTER"
        events.next_of(CameraUnavailable)
    assert cap.stats.frames_grabbed == 2
