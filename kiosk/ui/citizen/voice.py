"""The loudspeaker: fixed prompts (WAV per state and language) played with QSoundEffect, in the site's order.

A prompt plays once per configured language, one after the other; `say()` of a new prompt interrupts whatever
is playing (a new verdict cuts the old one); `repeat()` says the last prompt again; the volume a staff member or
citizen raises is reset to the site level for the next person (`reset_volume`). Prompts are fixed sentences:
nothing personal (name, ID number, birth date) can ever be spoken. Without an audio device the kiosk stays
silent, keeps working, and `audio_ok`/`audio_detail` say why (the admin panel shows it).
GUI thread only.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtMultimedia import QMediaDevices, QSoundEffect

from kiosk.core.outcome import strings
from kiosk.ui.shared.settings import UiSettings


def prompt_path(assets_dir: Path, key: str, language: str) -> Path:
    return Path(assets_dir) / "prompts" / f"{key}.{language}.wav"


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
        self.audio_ok, self.audio_detail = self._probe()

    # ----------------------------------------------------------------- public
    @property
    def volume(self) -> float:
        return self._volume

    def apply_settings(self, settings: UiSettings) -> None:
        self._settings = settings
        self.reset_volume()

    def say(self, key: str) -> None:
        """Interrupt whatever is playing and say prompt `key` in every configured language, in order."""
        if key not in strings.PROMPT_KEYS:
            return
        self.stop()
        self._last_key = key
        if not self._settings.voice_enabled:
            return
        self._queue = []
        for language in self._settings.languages:
            self.history.append((key, language))
            path = prompt_path(self._settings.assets_dir, key, language)
            if path.is_file():
                self._queue.append(path)
        del self.history[:-200]
        self._play_next()

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

    def louder(self) -> None:
        self.set_volume(self._volume + 0.2)

    def reset_volume(self) -> None:
        self._volume = self._settings.volume

    def is_speaking(self) -> bool:
        return self._current is not None

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
