"""Spoken prompts: a non-silent WAV per state and language, interrupt/repeat/volume logic, nothing personal,
silent-but-working without an audio device, and real playback on a PulseAudio null sink."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from kiosk.core.outcome import strings
from kiosk.core.outcome.verdicts import Outcome
from kiosk.ui.shared.settings import DEFAULT_ASSETS, UiSettings
from kiosk.ui.citizen.voice import Voice, prompt_path

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("key", strings.PROMPT_KEYS)
@pytest.mark.parametrize("language", strings.LANGUAGES)
def test_every_prompt_has_a_small_non_silent_wav(key, language):
    path = prompt_path(DEFAULT_ASSETS, key, language)
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 16000)
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(float)
    assert 0.2 <= len(samples) / 16000 <= 8.0
    assert np.sqrt(np.mean(samples ** 2)) > 300  # not silence
    assert path.stat().st_size < 250_000


def test_every_citizen_state_and_outcome_has_a_prompt():
    parts = {part for key in strings.OUTCOME_PROMPTS.values() for part in strings.PROMPT_PARTS[key]}
    assert parts | {"idle", "reading", "unavailable", "paused", "lift", "help_called"} == set(strings.PROMPT_KEYS)


def _seconds(path: Path) -> float:
    with wave.open(str(path)) as wav:
        return wav.getnframes() / wav.getframerate()


@pytest.mark.parametrize("language", strings.LANGUAGES)
def test_the_verdict_is_heard_within_one_and_a_half_seconds(language):
    """The tone and the verdict word, in any primary language, last at most 1.5 s (the hint follows)."""
    tone = _seconds(DEFAULT_ASSETS / "prompts" / "tone.wav")
    for key in strings.OUTCOME_PROMPTS.values():
        assert tone + _seconds(prompt_path(DEFAULT_ASSETS, key, language)) <= 1.5, key
        whole = tone + sum(_seconds(prompt_path(DEFAULT_ASSETS, p, language)) for p in strings.PROMPT_PARTS[key])
        assert whole <= 3.5, key  # the whole primary prompt is over well before the next person


def test_spoken_phrases_hold_nothing_personal():
    for key in strings.PROMPT_KEYS:
        for language in strings.LANGUAGES:
            phrase = strings.spoken(key, language)
            assert not any(ch.isdigit() for ch in phrase) and "*" not in phrase


def test_voice_order_interrupt_repeat_and_volume(qapp):
    voice = Voice(UiSettings(languages=("zh-Hant-HK", "en", "zh-Hans"), volume=0.5))
    voice.say("pass")
    voice.say("stop")  # the primary language only, a tone first, the word before its hint
    assert voice.history[-1] == ("stop", "zh-Hant-HK")
    assert voice.queued == ["tone.wav", "stop.zh-Hant-HK.wav", "stop_hint.zh-Hant-HK.wav"]
    voice.say("11010519491231002X")  # not a prompt: nothing can make it read data aloud
    assert voice.history[-1] == ("stop", "zh-Hant-HK")
    voice.say_other_languages()  # the language button: the others, in order, no tone
    assert voice.history[-2:] == [("stop", "en"), ("stop", "zh-Hans")]
    assert voice.queued[0] == "stop.en.wav"
    voice.repeat()
    assert voice.history[-1] == ("stop", "zh-Hant-HK")
    assert [voice.louder() for _ in range(4)] == [1, 2, 3, 3]  # Louder walks up the steps and stays at the top
    assert voice.volume == pytest.approx(1.0)
    voice.reset_volume()
    assert voice.volume == pytest.approx(0.5)


def test_a_site_may_ask_for_every_language_and_the_lift_hint_is_spoken(qapp, make_window, card_result, qtbot):
    voice = Voice(UiSettings(languages=("en", "zh-Hans"), speak_all_languages=True))
    voice.say("pass")
    assert voice.history[-2:] == [("pass", "en"), ("pass", "zh-Hans")]
    win = make_window(hold_seconds=0.05)
    win.show_reading("card")
    win.show_result(card_result, Outcome.PASS)
    qtbot.waitUntil(lambda: win.voice.last_key == "lift", timeout=3000)
    assert any("hint.lift" not in t and ("请取回身份证" in t) for t in win.verdict_page.visible_text())


def test_window_speaks_each_verdict_and_resets_volume_per_person(make_window, valid_result):
    win = make_window(volume=0.4)
    win.bar.louder.click()
    assert win.voice.volume > 0.4
    win.show_reading("code")
    assert win.voice.volume == pytest.approx(0.4)
    win.show_result(valid_result, Outcome.STOP)
    assert win.voice.history[-1][0] == "stop"
    win.show_result(valid_result, Outcome.PASS)
    assert win.voice.history[-1][0] == "pass"
    win.bar.repeat.click()
    assert win.voice.history[-1] == ("pass", win.settings.primary_language)


def test_without_an_audio_device_the_kiosk_works_and_the_admin_panel_says_so(make_window, valid_result, qtbot):
    win = make_window()
    if win.voice.audio_ok:
        pytest.skip("this process has an audio device")
    win.show_result(valid_result, Outcome.PASS)
    assert win.current_state() == "verdict"
    win.staff.ask_pin("admin")
    win.staff.page.submit("135790")
    assert "No audio device" in win.staff.page.health.text() or "无音频设备" in win.staff.page.health.text()


@pytest.fixture
def null_sink(tmp_path):
    if shutil.which("pulseaudio") is None:
        pytest.skip("pulseaudio is not installed")
    runtime = tmp_path / "xdg"
    runtime.mkdir(mode=0o700)
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime), HOME=str(tmp_path))
    started = subprocess.run(["pulseaudio", "-n", "--daemonize=yes", "--exit-idle-time=-1", "-L",
                              "module-null-sink", "-L", "module-native-protocol-unix"],
                             env=env, capture_output=True, timeout=20)
    pid_file = runtime / "pulse" / "pid"
    if started.returncode != 0 or not pid_file.exists():
        pytest.skip(f"could not start a PulseAudio null sink: {started.stderr[-200:]!r}")
    yield env
    os.kill(int(pid_file.read_text().split()[0]), signal.SIGTERM)


def test_prompts_really_play_and_a_new_verdict_interrupts_on_a_null_sink(null_sink):
    probe = subprocess.run([sys.executable, str(REPO / "tests" / "ui" / "audio_probe.py")], cwd=REPO,
                           env=dict(null_sink, PYTHONPATH=str(REPO)), capture_output=True, text=True, timeout=600)
    report = json.loads(probe.stdout.strip().splitlines()[-1])
    assert report["audio_ok"], report
    assert report["pass_playing"] and report["pass_stopped"] and report["stop_playing"], report
    assert report["moved_on_to"] == "stop_hint.en.wav", report
    assert report["queued"] == ["tone.wav", "stop.en.wav", "stop_hint.en.wav"], report
