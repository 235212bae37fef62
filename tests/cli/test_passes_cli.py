"""The `kiosk issue` / `kiosk verify` contract, run as a real process (exit codes and JSON keys are relied on)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

ID = "11010519491231002X"
JSON_KEYS = {"verdict", "reason", "format", "outcome", "status", "valid_until", "holder", "kid"}


def kiosk(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "KIOSK_DATA_DIR": str(data_dir), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=REPO_ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def issued(tmp_path_factory) -> dict:
    """One data directory with a green pass issued now and one issued 10 days ago, as text and as a PNG."""
    root = tmp_path_factory.mktemp("kiosk")
    data = root / "data"
    paths = {"txt": root / "pass.txt", "png": root / "pass.png", "old": root / "old.txt"}
    for key in ("txt", "png"):
        done = kiosk(data, "issue", "--id", ID, "--name", "张三", "--status", "green", "--out", str(paths[key]))
        assert done.returncode == 0, done.stderr
    done = kiosk(data, "issue", "--id", ID, "--name", "张三", "--status", "green", "--now", "2026-01-01T00:00:00Z",
                 "--out", str(paths["old"]))
    assert done.returncode == 0, done.stderr
    return {"data": data, **paths, "text": paths["txt"].read_text().strip()}


def verify_json(issued: dict, *args: str) -> tuple[int, dict]:
    done = kiosk(issued["data"], "verify", "--json", *args)
    assert done.returncode in (0, 1), done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout
    return done.returncode, json.loads(lines[0])


def test_a_fresh_pass_is_valid_with_exit_0(issued):
    code, out = verify_json(issued, issued["text"])
    assert code == 0
    assert JSON_KEYS <= out.keys()
    assert (out["verdict"], out["format"], out["status"], out["outcome"]) == ("VALID", "KP1", "green", "PASS")
    assert out["holder"]["masked_name"] == "张*"
    assert ID not in json.dumps(out, ensure_ascii=False)


def test_the_printed_png_verifies_through_the_decoder(issued):
    code, out = verify_json(issued, "--image", str(issued["png"]))
    assert (code, out["verdict"]) == (0, "VALID")


def test_now_moves_the_clock_past_expiry(issued):
    code, out = verify_json(issued, "--now", "2099-01-01T00:00:00Z", issued["text"])
    assert (code, out["verdict"], out["reason"], out["outcome"]) == (1, "EXPIRED", "PASS_EXPIRED", "STOP")


def test_an_old_pass_is_expired_today(issued):
    code, out = verify_json(issued, issued["old"].read_text().strip())
    assert (code, out["verdict"]) == (1, "EXPIRED")


def test_a_tampered_pass_never_passes(issued):
    text = issued["text"]
    middle = len(text) // 2
    tampered = text[:middle] + ("A" if text[middle] != "A" else "B") + text[middle + 1:]
    code, out = verify_json(issued, tampered)
    assert code == 1
    assert out["verdict"] in ("INVALID", "UNTRUSTED_ISSUER") and out["outcome"] != "PASS"


def test_another_kiosks_trust_store_does_not_know_the_issuer(issued, tmp_path):
    code, out = verify_json(issued, "--trust", str(write_empty_trust(tmp_path)), issued["text"])
    assert (code, out["verdict"], out["reason"]) == (1, "UNTRUSTED_ISSUER", "KEY_UNKNOWN")


def write_empty_trust(tmp_path: Path) -> Path:
    path = tmp_path / "trust.json"
    path.write_text(json.dumps({"version": 1, "keys": []}))
    return path


def test_text_from_stdin(issued):
    done = kiosk(issued["data"], "verify", "--json", "-", stdin=issued["text"] + "\n")
    assert done.returncode == 0 and json.loads(done.stdout)["verdict"] == "VALID"


@pytest.mark.parametrize("args", [
    ["verify"],                                           # neither text nor image
    ["verify", "x", "--image", "y.png"],                  # both
    ["verify", "--now", "yesterday", "KP1:AB"],           # bad clock
    ["verify", "--image", "/nonexistent.png"],            # missing file
    ["verify", "--trust", "/nonexistent.json", "KP1:AB"],
    ["issue", "--id", "110105194912310021", "--name", "x", "--status", "green", "--out", "x.txt"],  # bad check char
    ["issue", "--id", ID, "--name", "x", "--status", "green", "--out", "x.docx"],
    ["issue", "--id", ID, "--name", "x", "--status", "blue", "--out", "x.txt"],
])
def test_unusable_arguments_exit_2_with_a_message(issued, args):
    done = kiosk(issued["data"], *args)
    assert done.returncode == 2
    assert done.stderr.strip() and "Traceback" not in done.stderr


@pytest.mark.parametrize("text", ["garbage", "HC2:ABC", "KP1:", "KP1:!!!", "KP1:" + "A" * 9000])
def test_junk_gets_a_typed_verdict_not_a_crash(issued, text):
    code, out = verify_json(issued, text)
    assert code == 1 and out["verdict"] != "VALID" and out["reason"]


def test_pdf_output_is_a_pdf(issued, tmp_path):
    out = tmp_path / "pass.pdf"
    done = kiosk(issued["data"], "issue", "--id", ID, "--name", "张三", "--status", "yellow", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF")
