"""The soft QR reader: the symbol's structure against an independent encoder (qrcode), Reed-Solomon with
erasures, reading through a glare spot zxing-cpp cannot, several views summed, and never a text from garbage."""
from __future__ import annotations

import random

import cv2
import numpy as np
import pytest
import qrcode
import qrcode.base
import qrcode.util

from bench.camera.decoders import plain_zxing
from drivers.camera import cascade
from drivers.camera.decoder import decode_frame
from drivers.camera.fusion import SymbolHistory
from drivers.camera.qrsoft import reader, rs, spec
from tests.drivers.camera.test_camera_decoder import render_qr

LEVELS = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M,
          "Q": qrcode.constants.ERROR_CORRECT_Q, "H": qrcode.constants.ERROR_CORRECT_H}
TEXT = "KP1:" + "SOFT-DECISION-ERASURES-0123456789" * 6


def test_block_tables_and_alignment_positions_match_an_independent_encoder():
    for version in range(1, 41):
        assert spec.alignment_positions(version) == list(qrcode.util.pattern_position(version))
        for level, constant in LEVELS.items():
            blocks = qrcode.base.rs_blocks(version, constant)
            lay = spec.layout(version, level)
            assert sorted(b.total_count for b in blocks) == list(lay.blocks)
            assert {b.total_count - b.data_count for b in blocks} == {lay.ecc}


@pytest.mark.parametrize("version, level, mask", [(1, "M", 0), (2, "L", 7), (5, "Q", 3), (8, "M", 3),
                                                  (7, "H", 1), (15, "L", 6), (22, "H", 5), (40, "L", 4)])
def test_function_patterns_and_codeword_placement_match_an_independent_encoder(version, level, mask):
    qr = qrcode.QRCode(version=version, error_correction=LEVELS[level], mask_pattern=mask, border=0)
    qr.add_data("HELLO WORLD 0123")
    qr.make(fit=False)
    matrix = np.array(qr.get_matrix(), bool)
    used, dark = spec.function_pattern(version, level, mask)
    assert (matrix[used] == dark[used]).all()
    rows, cols = spec.data_order(version)
    assert used.sum() + len(rows) == matrix.size
    bits = matrix[rows, cols] ^ spec.mask_pattern(mask, spec.size_of(version))[rows, cols]
    codewords = np.packbits(bits[:spec.layout(version, level).total * 8]).tolist()
    assert codewords == list(qrcode.util.create_data(version, LEVELS[level], qr.data_list))


def test_reed_solomon_corrects_erasures_beyond_half_the_parity():
    rng = random.Random(7)
    data = [rng.randrange(256) for _ in range(40)]
    word = np.array(data + rs.encode(data, 22))
    broken = word.copy()
    erased = rng.sample(range(len(word)), 18)          # 18 wrong codewords: more than 22 / 2
    for i in erased:
        broken[i] ^= rng.randrange(1, 256)
    assert rs.decode(broken, 22) is None or not np.array_equal(rs.decode(broken, 22), word)
    assert np.array_equal(rs.decode(broken, 22, sorted(erased)), word)
    for trial in range(100):
        errors = rng.randint(0, 11)
        spots = rng.sample(range(len(word)), errors)
        noisy = word.copy()
        for i in spots:
            noisy[i] ^= rng.randrange(1, 256)
        assert np.array_equal(rs.decode(noisy, 22), word)
        if errors > 3:
            assert rs.decode(noisy, 22, max_errors=3) is None


def _glare(cx: float, cy: float, radius: float, seed: int) -> np.ndarray:
    """The code under an additive specular spot (saturating at its core), defocus and sensor noise."""
    code = render_qr(TEXT, box=4).astype(np.float32)
    yy, xx = np.mgrid[0:code.shape[0], 0:code.shape[1]].astype(np.float32)
    spot = 320 * np.exp(-(((xx - cx) / radius) ** 2 + ((yy - cy) / (0.5 * radius)) ** 2))
    image = cv2.GaussianBlur(code + spot, (0, 0), 1.2) + np.random.default_rng(seed).normal(0, 3, code.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def test_a_code_under_a_glare_spot_is_read_from_soft_values_where_zxing_fails():
    frame = _glare(110, 120, 70, seed=0)
    assert plain_zxing(frame) is None, "precondition: plain zxing-cpp cannot read it"
    outcome = cascade.run(frame, frame, budget_ms=1e9)
    assert (outcome.text, outcome.step) == (TEXT, "symbol/soft")
    assert decode_frame(frame) == TEXT


def test_two_views_with_the_spot_elsewhere_are_read_summed():
    views = [_glare(80, 80, 115, seed=1), _glare(150, 160, 115, seed=2)]
    history = SymbolHistory()
    for view in views:
        outcome = cascade.run(view, view, budget_ms=1e9)
        assert outcome.text is None and outcome.symbols, "precondition: located, but no single view reads"
        history.add(view, outcome.symbols[0])
    assert history.read() == TEXT


def test_a_symbol_full_of_garbage_is_never_read():
    """Function patterns and format information intact, data modules random: zxing-cpp locates a symbol, and
    no amount of erasure decoding may turn it into a text."""
    version, level, mask = 8, "M", 3
    used, dark = spec.function_pattern(version, level, mask)
    rng = np.random.default_rng(3)
    located = 0
    for trial in range(12):
        matrix = np.where(used, dark, rng.random(dark.shape) < 0.5)
        image = np.full((matrix.shape[0] + 8, matrix.shape[1] + 8), 255, np.uint8)
        image[4:-4, 4:-4] = np.where(matrix, 0, 255)
        image = cv2.resize(image, None, fx=4, fy=4, interpolation=cv2.INTER_NEAREST)
        outcome = cascade.run(image, image, budget_ms=1e9)
        assert outcome.text is None
        for symbol in outcome.symbols:
            located += 1
            assert reader.decode(reader.soft_grid(image, symbol), symbol) is None
    assert located > 0


def test_a_bent_print_is_read_on_a_grid_fitted_to_its_modules():
    """A smooth wobble of about a third of a module bends the rows and columns: zxing-cpp's straight grid
    and the flat soft grid both fail, the fitted grid reads it."""
    text = "KP1:BENT-PRINT-" + "0123456789ABCDEF" * 5
    code = render_qr(text, box=5)
    yy, xx = np.mgrid[0:code.shape[0], 0:code.shape[1]].astype(np.float32)
    amp, wave = 1.6, 120.0
    map_x = xx + amp * np.sin(2 * np.pi * yy / wave) + 0.5 * amp * np.sin(2 * np.pi * xx / (wave * 1.3))
    map_y = yy + amp * np.sin(2 * np.pi * xx / wave + 1.0)
    bent = cv2.GaussianBlur(cv2.remap(code, map_x, map_y, cv2.INTER_LINEAR, borderValue=255), (0, 0), 1.0)
    assert plain_zxing(bent) is None, "precondition: plain zxing-cpp cannot read it"
    outcome = cascade.run(bent, bent, budget_ms=1e9)
    assert (outcome.text, outcome.step) == (text, "symbol/soft-bent")
