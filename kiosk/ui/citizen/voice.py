"""The loudspeaker: fixed prompts (WAV per state and language) played with QSoundEffect, in the site's order.

A prompt plays in the site's primary language (every configured language when `speak_all_languages` is set);
a verdict starts with a short tone and its word, so it is heard within 1.5 s, then its hint; the strip's
language button says it in the other languages (`say_other_languages`). `say()` of a new prompt interrupts
whatever is playing (a new verdict cuts the old one); `repeat()` says the last prompt again; Louder walks up the
site's volume steps and the level is reset for the next person (`reset_volume`). The audio outputs are looked at
again when they change, every 30 s, and before a prompt while audio is marked missing. Prompts are fixed sentences:
nothing personal (name, ID number, birth date) can ever be spoken. Without an audio device the kiosk stays
silent, keeps working, and `audio_ok`/`audio_detail` say why (the admin panel shows it).
GUI thread only.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtMultimedia import QMediaDevices, QSoundEffect

from kiosk.core.outcome import strings
from kiosk.ui.shared.settings import UiSettings


def prompt_path(assets_dir: Path, key: str, language: str) -> Path:
    return Path(assets_dir) / "prompts" / f"{key}.{language}.wav"


def tone_path(assets_dir: Path, name: str = "tone") -> Path:
    return Path(assets_dir) / "prompts" / f"{name}.wav"


AUDIO_RECHECK_MS = 30_000  # besides the device-change signal: a sound card that failed once is tried again


class Voice(QObject):
    audio_changed = Signal(bool, str)  # ok, detail

    def __init__(self, settings: UiSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._volume = settings.volume
        self._effects: dict[Path, QSoundEffect] = {}
        self._queue: list[Path] = []
        self._current: QSoundEffect | None = None
        self._last_key = ""
        self.history: list[tuple[str, str]] = []  # (prompt key, language) of every prompt started; for staff/tests
        self.queued: list[str] = []  # file names of the last prompt's queue, in order (for tests and staff)
        self.audio_ok, self.audio_detail = self._probe()
        self._devices = QMediaDevices(self)
        self._devices.audioOutputsChanged.connect(self.recheck_audio)
        self._recheck = QTimer(self)
        self._recheck.timeout.connect(self.recheck_audio)
        self._recheck.start(AUDIO_RECHECK_MS)

    # ----------------------------------------------------------------- public
    @property
    def volume(self) -> float:
        return self._volume

    @property
    def last_key(self) -> str:
        return self._last_key

    def apply_settings(self, settings: UiSettings) -> None:
        self._settings = settings
        self.reset_volume()

    def say(self, key: str) -> None:
        """Interrupt whatever is playing and say prompt `key`: a tone first for a verdict, then its parts in the
        primary language (every configured language when the site asks for it)."""
        languages = self._settings.languages if self._settings.speak_all_languages else self._settings.languages[:1]
        self._say(key, languages, tone=self._settings.tone and key in strings.TONED_PROMPTS)

    def say_other_languages(self) -> None:
        """The last prompt again in every language but the primary (the strip's language button)."""
        if self._last_key:
            self._say(self._last_key, self._settings.languages[1:] or self._settings.languages, tone=False)

    def alert(self) -> None:
        """The staff-call chime, then the spoken confirmation in the primary language."""
        self._say("help_called", self._settings.languages[:1], tone=False, chime="alert")

    def repeat(self) -> None:
        if self._last_key:
            self.say(self._last_key)

    def stop(self) -> None:
        self._queue = []
        if self._current is not None:
            current, self._current = self._current, None
            current.stop()

    def set_volume(self, volume: float) -> None:
        """A temporary level for the person at the kiosk now."""
        self._volume = min(1.0, max(0.0, float(volume)))
        if self._current is not None:
            self._current.setVolume(self._volume)

    def louder(self) -> int:
        """One step up the site's volume steps (stays at the top); returns the step now reached (1-based)."""
        steps = self._settings.volume_steps
        higher = [level for level in steps if level > self._volume + 1e-6]
        self.set_volume(higher[0] if higher else max(steps[-1], self._volume))
        return self.volume_step()

    def volume_step(self) -> int:
        return sum(1 for level in self._settings.volume_steps if level <= self._volume + 1e-6)

    def reset_volume(self) -> None:
        self._volume = self._settings.volume

    def recheck_audio(self) -> None:
        """Look at the audio outputs again (device plugged, unplugged, or a sound server back)."""
        ok, detail = self._probe()
        if ok and not self.audio_ok:
            for effect in self._effects.values():
                effect.deleteLater()
            self._effects.clear()  # effects that failed on the old device load again on the new one
        self._set_audio(ok, detail)

    def _say(self, key: str, languages: tuple[str, ...], tone: bool, chime: str = "") -> None:
        if key not in strings.PROMPT_KEYS:
            return
        self.stop()
        self._last_key = key
        if not self._settings.voice_enabled:
            return
        if not self.audio_ok:
            self.recheck_audio()
        self._queue = []
        if tone or chime:
            path = tone_path(self._settings.assets_dir, chime or "tone")
            if path.is_file():
                self._queue.append(path)
        for language in languages:
            self.history.append((key, language))
            for part in strings.PROMPT_PARTS.get(key, (key,)):
                path = prompt_path(self._settings.assets_dir, part, language)
                if path.is_file():
                    self._queue.append(path)
        del self.history[:-200]
        self.queued = [path.name for path in self._queue]
        self._play_next()

    # ----------------------------------------------------------------- internals
    def _probe(self) -> tuple[bool, str]:
        outputs = QMediaDevices.audioOutputs()
        if not outputs:
            return False, "no audio output device: prompts are silent"
        return True, QMediaDevices.defaultAudioOutput().description() or "audio output"

    def _effect(self, path: Path) -> QSoundEffect:
        effect = self._effects.get(path)
        if effect is None:
            effect = QSoundEffect(self)
            effect.setSource(QUrl.fromLocalFile(str(path)))
            effect.playingChanged.connect(self._on_playing_changed)
            effect.statusChanged.connect(lambda e=effect: self._on_status(e))
            self._effects[path] = effect
        return effect

    def _play_next(self) -> None:
        if not self._queue or not self.audio_ok:
            self._queue = []
            self._current = None
            return
        effect = self._effect(self._queue.pop(0))
        self._current = effect
        effect.setVolume(self._volume)
        effect.play()

    def _on_playing_changed(self) -> None:
        current = self._current
        if current is not None and self.sender() is current and not current.isPlaying():
            self._play_next()

    def _on_status(self, effect: QSoundEffect) -> None:
        if effect.status() == QSoundEffect.Status.Error:
            self._set_audio(False, f"cannot play {Path(effect.source().toLocalFile()).name}")
            if effect is self._current:
                self._play_next()

    def _set_audio(self, ok: bool, detail: str) -> None:
        if (ok, detail) != (self.audio_ok, self.audio_detail):
            self.audio_ok, self.audio_detail = ok, detail
            self.audio_changed.emit(ok, detail)
