"""`kiosk decode` contract: one line per image, JSON keys, exit codes 0 / 1 / 2."""
from __future__ import annotations

import json

import cv2
import numpy as np
import qrcode

from kiosk import cli


def run(argv: list[str]) -> int:
    return cli.main(argv)


def write_qr(path, text: str) -> str:
    img = np.array(qrcode.make(text, box_size=4).convert("L"))
    cv2.imwrite(str(path), img)
    return str(path)


def write_blank(path) -> str:
    cv2.imwrite(str(path), np.full((240, 320), 200, np.uint8))
    return str(path)


def lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_all_decoded_exit_0(tmp_path, capsys):
    a = write_qr(tmp_path / "a.png", "KP1:AAAA")
    b = write_qr(tmp_path / "b.png", "shc:/0123456789")
    assert run(["decode", "--json", a, b]) == 0
    out = lines(capsys)
    assert [r["file"] for r in out] == [a, b]
    assert [r["text"] for r in out] == ["KP1:AAAA", "shc:/0123456789"]
    assert all(isinstance(r["ms"], float) and "error" not in r for r in out)


def test_some_not_decoded_exit_1(tmp_path, capsys):
    a = write_qr(tmp_path / "a.png", "KP1:AAAA")
    blank = write_blank(tmp_path / "blank.png")
    assert run(["decode", "--json", a, blank]) == 1
    out = lines(capsys)
    assert out[1] == {"file": blank, "text": None, "ms": out[1]["ms"]}


def test_missing_or_unreadable_exit_2_with_a_line_each(tmp_path, capsys):
    a = write_qr(tmp_path / "a.png", "KP1:AAAA")
    junk = tmp_path / "junk.jpg"
    junk.write_text("no image here")
    missing = str(tmp_path / "missing.png")
    blank = write_blank(tmp_path / "blank.png")
    assert run(["decode", "--json", a, str(junk), missing, blank]) == 2
    out = lines(capsys)
    assert len(out) == 4
    assert out[0]["text"] == "KP1:AAAA"
    for record in out[1:3]:
        assert record["text"] is None and record["error"]
    assert out[3]["text"] is None and "error" not in out[3]


def test_readable_lines_without_json(tmp_path, capsys):
    a = write_qr(tmp_path / "a.png", "KP1:AAAA")
    missing = str(tmp_path / "missing.png")
    assert run(["decode", a, missing]) == 2
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2
    assert out[0].startswith(f"{a}: KP1:AAAA")
    assert out[1].startswith(f"{missing}: ERROR")


def test_registered_with_the_kiosk_command():
    assert "kiosk.commands.camera" in cli.command_modules()
