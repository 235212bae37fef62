"""The admin panel: device health, trust data ages, log and sync, sync now, export, language, voice, volume,
panel pixel pitch, kiosk identity, and the only way out of kiosk mode.

Everything it shows comes from `UiServices.health()` (a kiosk.core.checks.health.KioskHealth) and the window's own
device and audio state; everything it changes goes back through UiServices callbacks. GUI thread only.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDoubleSpinBox, QGridLayout, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.core.outcome import strings
from kiosk.core.checks.health import KioskHealth, format_age
from kiosk.ui.shared import theme
from kiosk.ui.shared.services import UiServices
from kiosk.ui.shared.settings import UiSettings
from kiosk.ui.staff.common import Sizes, add_closing_rows, button, call_safely, label
from kiosk.ui.shared.widgets import Page, clip


class AdminPage(Page):
    close_requested = Signal()
    exit_requested = Signal()
    settings_edited = Signal(object)  # a new UiSettings
    more_time = Signal()

    def __init__(self, settings: UiSettings, services: UiServices, devices: dict[str, tuple[bool, str]],
                 audio: tuple[bool, str], parent: QWidget | None = None) -> None:
        super().__init__(theme.STAFF, parent)
        self._settings, self._services = settings, services
        self._devices, self._audio = devices, audio
        self.sizes = sizes = Sizes(settings)
        lang = self._lang = sizes.language
        grid = QGridLayout(self)
        m = settings.mm_to_px(5)
        grid.setContentsMargins(m, m, m, m)
        grid.setHorizontalSpacing(m)
        self._title = label(self, sizes, strings.text("admin.title", lang), title=True)
        left, middle, right = QVBoxLayout(), QVBoxLayout(), QVBoxLayout()
        width, height = settings.screen_size
        if width < height:  # portrait: the status across, export and settings side by side under it
            places = ((left, 1, 0, 1, 2), (middle, 2, 0), (right, 2, 1))
        elif width * settings.pixel_pitch_mm >= 210:  # a wide panel: three columns
            places = ((left, 1, 0), (middle, 1, 1), (right, 1, 2))
        else:
            places = ((left, 1, 0), (middle, 2, 0), (right, 1, 1, 2, 1))
        for layout, *where in places:
            grid.addLayout(layout, *where)
        grid.addWidget(self._title, 0, 0, 1, 3)
        self._build_status(left)
        self._build_export(middle)
        self._build_settings(right)
        self.set_timeout_warning(None)
        self._show_volume()
        self.refresh()

    def _build_status(self, left: QVBoxLayout) -> None:
        sizes, lang = self.sizes, self._lang
        self.health = label(self, sizes)
        self.health.setAccessibleName(strings.text("admin.devices", lang))
        left.addWidget(self.health)
        row = QHBoxLayout()
        row.addWidget(button(self, sizes, "button.refresh", self.refresh))
        row.addWidget(button(self, sizes, "button.sync", self._sync_now))
        left.addLayout(row)
        left.addStretch(1)

    def _build_export(self, left: QVBoxLayout) -> None:
        sizes, lang = self.sizes, self._lang
        self.export_dir = QLineEdit(str(Path("/media")), self)
        self.export_dir.setFont(theme.language_font(lang, sizes.text))
        self.export_dir.setMinimumHeight(sizes.target)
        self.export_dir.setAccessibleName(strings.text("admin.export_to", lang))
        left.addWidget(label(self, sizes, strings.text("admin.usb_folder", lang), bold=True))
        left.addWidget(self.export_dir)
        left.addWidget(button(self, sizes, "button.export", self._export))
        left.addWidget(button(self, sizes, "button.import_trust", self._import))
        self.message = label(self, sizes, bold=True)
        left.addWidget(self.message)
        left.addStretch(1)

    def _build_settings(self, right: QVBoxLayout) -> None:
        sizes, lang, settings = self.sizes, self._lang, self._settings
        right.addWidget(label(self, sizes, strings.text("admin.settings", lang), bold=True))
        langs = QHBoxLayout()
        for code in strings.LANGUAGES:
            chooser = button(self, sizes, "", lambda c=code: self._choose_language(c))
            chooser.set_label(strings.LANGUAGE_SHORT[code], code)
            chooser.setAccessibleName(strings.LANGUAGE_NAMES[code])
            langs.addWidget(chooser)
        right.addLayout(langs)
        self.voice = button(self, sizes, "button.voice_on" if settings.voice_enabled else "button.voice_off",
                            self._toggle_voice)
        right.addWidget(self.voice)
        volume = QHBoxLayout()
        volume.addWidget(button(self, sizes, "button.quieter", lambda: self._nudge_volume(-0.1)))
        self.volume = label(self, sizes)
        volume.addWidget(self.volume)
        volume.addWidget(button(self, sizes, "button.louder", lambda: self._nudge_volume(0.1)))
        right.addLayout(volume)
        right.addWidget(label(self, sizes, strings.text("admin.pitch", lang)))
        self.pitch = QDoubleSpinBox(self)
        self.pitch.setDecimals(3)
        self.pitch.setRange(0.05, 1.0)
        self.pitch.setSingleStep(0.001)
        self.pitch.setValue(settings.pixel_pitch_mm)
        self.pitch.setFont(theme.language_font(lang, sizes.text))
        self.pitch.setMinimumHeight(sizes.target)
        self.pitch.setAccessibleName(strings.text("admin.pitch", lang))
        self.pitch.editingFinished.connect(self._pitch_edited)
        right.addWidget(self.pitch)
        self.identity = label(self, sizes, strings.text("admin.kiosk_id", lang, kiosk_id=clip(settings.kiosk_id)))
        right.addWidget(self.identity)
        self.timeout, self.more = add_closing_rows(self, right, sizes, "button.exit", self._exit_pressed)
        self._exit_armed = False

    def _exit_pressed(self) -> None:
        """Stopping the gate is confirmed: the first press asks, the second (on the same screen) exits."""
        exit_button = self.findChild(type(self.voice), "button.exit")
        if not self._exit_armed:
            self._exit_armed = True
            exit_button.set_label(strings.text("button.exit_confirm", self._lang), self._lang)
            exit_button.setStyleSheet(exit_button.styleSheet() + " QPushButton { background: #A50021; }")
            return
        self.exit_requested.emit()

    def focus_entry(self) -> None:
        self.focusNextChild()

    def set_timeout_warning(self, seconds: int | None) -> None:
        self.timeout.setVisible(seconds is not None)
        self.more.setVisible(seconds is not None)
        if seconds is not None:
            self.timeout.setText(strings.text("staff.timeout", self._lang, seconds=seconds))

    def refresh(self) -> None:
        ok, health = call_safely(self._services.health)
        lines = [strings.text("admin.devices", self._lang) + ":"]
        devices = dict(self._devices)
        if ok and isinstance(health, KioskHealth):
            devices.update({d.name: (d.ok, d.detail) for d in health.devices})
        devices["audio"] = self._audio if self._audio[0] else (False, strings.text("admin.audio_none", self._lang))
        for name, (device_ok, detail) in sorted(devices.items()):
            state = strings.text("admin.ok" if device_ok else "admin.fault", self._lang)
            lines.append(f"  {strings.text('device.' + name, self._lang)}: {state}  {clip(detail, 70)}".rstrip())
        if ok and isinstance(health, KioskHealth):
            lines += self._health_lines(health)
            if health.kiosk_id:
                self.identity.setText(strings.text("admin.kiosk_id", self._lang, kiosk_id=clip(health.kiosk_id)))
        elif not ok and health:
            lines.append(strings.text("staff.error", self._lang, message=health))
        else:
            lines.append(strings.text("staff.unavailable", self._lang))
        self.health.setText("\n".join(lines))

    def _health_lines(self, health: KioskHealth) -> list[str]:
        lang = self._lang
        lines = [strings.text("admin.data", lang) + ":"]
        for item in health.data:
            fresh = strings.text("admin.fresh" if item.is_fresh(health.now) else "admin.stale", lang)
            age = strings.text("admin.age", lang, age=format_age(item.age(health.now)))
            name = strings.text(f"data.{item.name.replace(' ', '_')}", lang)
            name = clip(item.name, 30) if name.startswith("data.") else name
            lines.append(f"  {name} {clip(item.version, 20)}: {age}, {fresh}")
        lines += [f"  {strings.text('admin.fault', lang)}: {clip(problem, 90)}" for problem in health.problems]
        clock = strings.text("admin.ok" if health.clock_ok else "admin.fault", lang)
        lines.append(f"  {strings.text('admin.clock', lang)}: {clock} {clip(health.clock_detail, 60)}".rstrip())
        sync = health.sync
        lines.append(strings.text("admin.log", lang) + ":")
        lines.append("  " + strings.text("admin.log_line", lang, entries=sync.log_entries,
                                         size=_size(sync.log_bytes), pending=sync.pending))
        when = (format_age(health.now - sync.last_sync_at) if sync.last_sync_at else
                strings.text("admin.never", lang))
        result = "" if sync.last_sync_ok is None else strings.text("admin.ok" if sync.last_sync_ok else
                                                                   "admin.fault", lang)
        lines.append("  " + strings.text("admin.last_sync", lang, when=when,
                                         result=f"{result} {clip(sync.last_sync_message, 60)}".strip()))
        return lines

    def _say(self, ok: bool, value: object) -> None:
        if ok:
            self.message.setText(clip(value, 120) or strings.text("admin.ok", self._lang))
        elif value is None:
            self.message.setText(strings.text("staff.unavailable", self._lang))
        else:
            self.message.setText(strings.text("staff.error", self._lang, message=value))

    def _sync_now(self) -> None:
        self._say(*call_safely(self._services.sync_now))
        self.refresh()

    def _export(self) -> None:
        self._say(*call_safely(self._services.export_to, Path(self.export_dir.text().strip() or ".")))

    def _import(self) -> None:
        self._say(*call_safely(self._services.import_from, Path(self.export_dir.text().strip() or ".")))
        self.refresh()

    def _edit(self, **changes: object) -> None:
        self._settings = self._settings.replace(**changes)
        self.settings_edited.emit(self._settings)

    def _choose_language(self, code: str) -> None:
        order = (code,) + tuple(lang for lang in self._settings.languages if lang != code)
        self._edit(languages=order)

    def _toggle_voice(self) -> None:
        self._edit(voice_enabled=not self._settings.voice_enabled)
        key = "button.voice_on" if self._settings.voice_enabled else "button.voice_off"
        self.voice.set_label(strings.text(key, self._lang), self._lang)

    def _nudge_volume(self, delta: float) -> None:
        self._edit(volume=round(min(1.0, max(0.0, self._settings.volume + delta)), 2))
        self._show_volume()

    def _show_volume(self) -> None:
        self.volume.setText(strings.text("admin.volume", self._lang, percent=round(self._settings.volume * 100)))

    def _pitch_edited(self) -> None:
        if abs(self.pitch.value() - self._settings.pixel_pitch_mm) > 1e-9:
            self._edit(pixel_pitch_mm=self.pitch.value())


def _size(count: int) -> str:
    value = float(max(0, int(count or 0)))
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
