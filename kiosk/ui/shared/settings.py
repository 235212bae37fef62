"""UiSettings: what a site configures about the screen, the voice and the staff/admin access.

A plain dataclass with sensible defaults so `KioskWindow()` works out of the box (the demo, the tests). The
composition root builds one from kiosk.toml; the admin panel changes a copy and hands it back through
`UiServices.settings_changed` so the app can persist it.
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.core.outcome.strings import LANGUAGES
from kiosk.ui.staff.pins import hash_pin

POSITIONS = ("below", "above", "left", "right")  # where a device sits, seen by the citizen facing the screen
REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_ASSETS = REPO_ROOT / "assets"
# Demo PINs; every site sets its own (docs/ui.md). Fixed salts so the defaults are reproducible.
DEFAULT_STAFF_PIN = "2468"
DEFAULT_ADMIN_PIN = "135790"


# The six panels the kiosk is built for, with the pixel pitch of a typical panel of that resolution (mm per
# pixel): 15.6" 1920x1080, 15.6" 1366x768, 10.1" 1280x800, 15" 1024x768, 10.1" 800x1280, 21.5" 1080x1920.
# A site sets its own panel's size and pitch in [ui]; these are the defaults for `kiosk demo --screen WxH`.
PANELS: dict[tuple[int, int], float] = {(1920, 1080): 0.179, (1366, 768): 0.252, (1280, 800): 0.170,
                                        (1024, 768): 0.297, (800, 1280): 0.170, (1080, 1920): 0.248}


@functools.cache
def _demo_hash(pin: str, salt: bytes) -> str:
    return hash_pin(pin, salt)


@dataclass(frozen=True)
class UiSettings:
    languages: tuple[str, ...] = LANGUAGES  # display/speech order; the first is the primary screen language
    pixel_pitch_mm: float = 0.179  # 15.6" 1920x1080 panel; never QScreen.physicalDotsPerInch() (fake offscreen)
    hold_seconds: float = 3.0  # a verdict stays at least this long (and until the card is lifted)
    card_forgotten_seconds: float = 60.0  # a card left on the reader: clear the screen anyway after this long
    volume: float = 0.8  # 0..1, the level each new person starts at
    voice_enabled: bool = True
    staff_pin_hash: str = field(default_factory=lambda: _demo_hash(DEFAULT_STAFF_PIN, b"kiosk-staff-demo"))
    admin_pin_hash: str = field(default_factory=lambda: _demo_hash(DEFAULT_ADMIN_PIN, b"kiosk-admin-demo"))
    admin_max_failures: int = 3
    admin_lockout_seconds: float = 60.0  # the first lockout; each further one doubles (at most an hour)
    staff_timeout_seconds: float = 120.0  # staff screens return to idle; warned 20 s ahead, extendable
    kiosk_mode: bool = False  # full screen, no cursor, no exit without the admin PIN
    kiosk_id: str = "kiosk-demo"
    site_name: str = ""
    assets_dir: Path = DEFAULT_ASSETS
    screen_size: tuple[int, int] = (1920, 1080)  # the window size when not full screen (and for screenshots)
    instruction_cap_mm: float = 7.5  # capital H of instructions; target >= 7.33 mm at 600 mm
    verdict_cap_mm: float = 25.0  # the verdict word, "far larger"
    target_mm: float = 11.0  # touch targets; target >= 9.53 mm
    staff_text_scale: float = 1.0  # staff/admin text size (2.0 = 200 %); their screens scroll rather than clip
    reader_position: str = "below"  # where the card reader sits, seen from the citizen: below|above|left|right
    camera_position: str = "below"  # where the code camera/scanner window sits: below|above|left|right
    speak_all_languages: bool = False  # False: the primary language only; the others on the language button
    tone: bool = True  # a short tone before each verdict prompt (heard at once, whatever the language)
    staff_press_seconds: float = 3.0  # staff door: press and hold the top-left corner this long (or Ctrl+Alt+S)
    lockout_state_path: str = ""  # where PIN lockouts are kept across restarts ("" = memory only)
    volume_steps: tuple[float, ...] = (0.6, 0.8, 1.0)  # Louder walks up these levels, from the site level

    def __post_init__(self) -> None:
        langs = tuple(lang for lang in self.languages if lang in LANGUAGES) or LANGUAGES
        object.__setattr__(self, "languages", tuple(dict.fromkeys(langs)))
        object.__setattr__(self, "volume", min(1.0, max(0.0, float(self.volume))))
        object.__setattr__(self, "hold_seconds", max(0.0, float(self.hold_seconds)))
        object.__setattr__(self, "screen_size", tuple(int(v) for v in self.screen_size)[:2])
        object.__setattr__(self, "volume_steps", tuple(sorted(min(1.0, max(0.0, float(v)))
                                                               for v in self.volume_steps)) or (1.0,))
        for key in ("reader_position", "camera_position"):
            if getattr(self, key) not in POSITIONS:
                raise ValueError(f"{key} must be one of {', '.join(POSITIONS)}, not {getattr(self, key)!r}")
        if len(self.screen_size) != 2 or not all(200 <= side <= 8000 for side in self.screen_size):
            raise ValueError(f"screen_size must be [width, height] in pixels, not {self.screen_size!r}")
        if not self.pixel_pitch_mm or self.pixel_pitch_mm <= 0:
            object.__setattr__(self, "pixel_pitch_mm", 0.179)

    @property
    def primary_language(self) -> str:
        return self.languages[0]

    def strip_height_px(self) -> int:
        """The control strip's height: one touch target plus its margin."""
        return self.mm_to_px(max(self.target_mm, 9.53)) + self.mm_to_px(3)

    def mm_to_px(self, mm: float) -> int:
        return max(1, round(mm / self.pixel_pitch_mm))

    def for_panel(self, width: int, height: int, pitch_mm: float | None = None) -> UiSettings:
        """These settings on a WxH panel: its size, and its pitch (given, else a typical one, else unchanged)."""
        pitch = pitch_mm or PANELS.get((int(width), int(height)), self.pixel_pitch_mm)
        return self.replace(screen_size=(int(width), int(height)), pixel_pitch_mm=pitch)

    def replace(self, **changes) -> UiSettings:
        return dataclasses.replace(self, **changes)
