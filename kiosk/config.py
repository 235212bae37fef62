"""The site configuration (kiosk.toml): which devices, which policy, which languages, how the screen looks.

One strict, typed parse, done before anything starts: every table is a typed section (a pydantic model that
forbids unknown keys and coerces nothing), so a typo or a wrong type (`reader_baud = "fast"`) is a ConfigError
naming the key and its line in the file, never a traceback and never a silently different gate. Every key is
optional; an absent file means the defaults. docs/configuration.md documents every key with its default.

To add a table: write a `Section` subclass with typed, defaulted fields and give `KioskConfig` a field of that
type named after the table; to add a key to a table: one typed field in its section (and a row in the doc).
"""
from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError, model_validator

from kiosk.core.outcome.policy import Policy
from kiosk.core.outcome.verdicts import Outcome, Status, Verdict

_LAX = Strict(False)  # TOML has no tuples and no enums: lists and enum names are read as such, nothing else
Language = Literal["zh-Hans", "zh-Hant-HK", "en"]  # kiosk.core.outcome.strings.LANGUAGES (a test keeps them equal)


class ConfigError(ValueError):
    """A kiosk.toml that cannot be used; the message names the key (and its line, when read from a file)."""


class Section(BaseModel):
    """One table of kiosk.toml: unknown keys and wrong types are errors; values are immutable once read."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class DeviceConfig(Section):
    """[devices]: which inputs this kiosk has (docs/drivers.md)."""

    reader: str = ""  # pyserial URL, "auto", or "" for none
    reader_baud: int = Field(115200, ge=1200, le=4_000_000)
    reader_poll_s: float = Field(0.05, gt=0, le=5)  # a find is ~1 ms; 50 ms keeps tap-to-verdict near the floor
    scanner: str = ""  # pyserial URL, "auto", or ""
    scanner_baud: int = Field(9600, ge=1200, le=4_000_000)
    camera: str = ""  # V4L2 index/path, an image folder, a video file, or ""


class CameraConfig(Section):
    """[camera]: how the camera named in [devices] is opened (docs/camera.md)."""

    width: int = Field(1280, ge=16, le=7680)
    height: int = Field(720, ge=16, le=4320)
    fps: float = Field(30.0, gt=0, le=240)
    fourcc: str = Field("MJPG", min_length=4, max_length=4)


GATE_KINDS = ("lcus", "hid", "gpio")


class GateConfig(Section):
    """[gate]: the turnstile or door relay (docs/gate.md). An empty `relay` means no gate output."""

    relay: str = ""  # pyserial URL (lcus), hid or hid:NAME (hid), gpio:CHIP:LINE[:low] (gpio)
    kind: Literal["lcus", "hid", "gpio"] = "lcus"
    channel: int = Field(1, ge=1, le=8)  # relay channel on the board (ignored for gpio)
    pulse_ms: int = Field(3000, ge=100, le=60_000)  # a PASS keeps the contact closed, unless the sensor sees passage
    max_open_ms: int = Field(8000, ge=100, le=120_000)  # a second PASS never keeps it open longer than this
    sensor: str = Field("", pattern=r"^(gpio:.+)?$")  # passage sensor: gpio:CHIP:LINE[:low], or "" for none
    baud: int = Field(9600, ge=1200, le=115_200)  # LCUS boards talk at 9600

    @model_validator(mode="after")
    def _coherent(self) -> GateConfig:
        if self.max_open_ms < self.pulse_ms:
            raise ValueError("max_open_ms must be at least pulse_ms")
        if self.relay.strip().lower() == "auto":
            raise ValueError("relay must name its port: `auto` could pick the card reader's bridge")
        if self.kind == "gpio" and self.relay and not self.relay.startswith("gpio:"):
            raise ValueError(f"a gpio relay is gpio:CHIP:LINE, not {self.relay!r}")
        return self


class UiConfig(Section):
    """[ui]: the screen, the voice and staff/admin access (docs/ui.md). Defaults equal UiSettings' (tested)."""

    pixel_pitch_mm: float = Field(0.179, gt=0, le=5)
    hold_seconds: float = Field(3.0, ge=0, le=600)
    card_forgotten_seconds: float = Field(60.0, gt=0, le=3600)
    volume: float = Field(0.8, ge=0, le=1)
    voice_enabled: bool = True
    staff_pin_hash: str | None = Field(None, pattern=r"^pbkdf2_sha256\$\d+\$[0-9a-f]+\$[0-9a-f]+$")  # None: demo
    admin_pin_hash: str | None = Field(None, pattern=r"^pbkdf2_sha256\$\d+\$[0-9a-f]+\$[0-9a-f]+$")  # None: demo
    admin_max_failures: int = Field(3, ge=1, le=100)
    admin_lockout_seconds: float = Field(60.0, ge=0, le=86400)  # the first lockout; each further one doubles
    staff_timeout_seconds: float = Field(120.0, ge=20, le=3600)
    screen_size: Annotated[tuple[Annotated[int, Field(ge=320, le=16384)], ...], _LAX, Field(
        min_length=2, max_length=2)] = (1920, 1080)
    instruction_cap_mm: float = Field(7.5, gt=0, le=100)
    verdict_cap_mm: float = Field(25.0, gt=0, le=300)
    target_mm: float = Field(11.0, gt=0, le=100)
    staff_text_scale: float = Field(1.0, ge=0.5, le=4)
    reader_position: Literal["below", "above", "left", "right"] = "below"  # where the idle picture's arrow points
    camera_position: Literal["below", "above", "left", "right"] = "below"
    speak_all_languages: bool = False  # False: the primary language only; the others on the language button
    tone: bool = True  # a short tone before each verdict prompt
    staff_press_seconds: float = Field(3.0, ge=0.5, le=30)  # staff door: press and hold the top-left corner
    lockout_state_path: str = ""  # where PIN lockouts are kept across restarts ("" = the data directory's)
    volume_steps: Annotated[tuple[Annotated[float, Field(ge=0, le=1)], ...], _LAX, Field(
        min_length=1, max_length=10)] = (0.6, 0.8, 1.0)  # Louder walks up these levels

    def settings(self) -> dict[str, Any]:
        """The keys written in [ui], typed: the UiSettings keyword arguments (an unset key keeps the screen's
        default, which is the same as the one above; an unset PIN hash keeps the demo PIN)."""
        return self.model_dump(exclude_unset=True, exclude_none=True)

    # [ui] as a read-only mapping of the keys written: `UiSettings(**config.ui)`, `config.ui.get("volume")`
    def keys(self) -> list[str]:
        return list(self.settings())

    def __getitem__(self, key: str) -> Any:
        return self.settings()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.settings().get(key, default)


class PolicyConfig(Section):
    """[policy]: this site's layer of the gate policy, laid over the signed bundle's (docs/configuration.md)."""

    verdicts: dict[Annotated[Verdict, _LAX], Annotated[Outcome, _LAX]] = Field(default_factory=dict)
    statuses: dict[Annotated[Status, _LAX], Annotated[Outcome, _LAX]] = Field(default_factory=dict)
    valid_without_status: Annotated[Outcome, _LAX] | None = None
    grace_hours: float | None = Field(None, ge=0, le=24 * 365)
    pairing_window_seconds: float | None = Field(None, gt=0, le=3600)
    require_identity_pairing: bool | None = None

    def layer(self) -> dict[str, Any]:
        """The settings written in kiosk.toml, in the policy's JSON form (kiosk.core.outcome.policy)."""
        return self.model_dump(mode="json", exclude_none=True, exclude_defaults=True)

    def applied_to(self, policy: Policy) -> Policy:
        """`policy` (the built-in defaults and the bundle's layers) with this site's settings laid over it."""
        return policy.merged(self.layer())


class KioskConfig(Section):
    """The whole kiosk.toml: top-level keys, then one section per table."""

    site: str = Field("demo", min_length=1, max_length=200)
    languages: Annotated[tuple[Language, ...], _LAX, Field(min_length=1, max_length=3)] = ("zh-Hans", "zh-Hant-HK",
                                                                                          "en")
    fullscreen: bool = False
    data_dir: str = ""
    devices: DeviceConfig = DeviceConfig()
    camera: CameraConfig = CameraConfig()
    ui: UiConfig = UiConfig()
    policy: PolicyConfig = PolicyConfig()
    gate: GateConfig = GateConfig()
    demo: bool = False  # `demo = true`: `kiosk run` accepts demo roots, demo issuer keys and the demo PINs

    @property
    def policy_settings(self) -> dict[str, Any]:
        """[policy] as written, in the policy's JSON form (what `Policy.merged` takes)."""
        return self.policy.layer()


def load_config(path: str | Path | None) -> KioskConfig:
    """Read and check kiosk.toml; no path means the defaults. ConfigError names every bad key and its line."""
    if not path:
        return KioskConfig()
    try:
        text = Path(path).read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    return config_from_dict(data, text=text, source=str(path))


def config_from_dict(data: Mapping[str, Any], text: str = "", source: str = "kiosk.toml") -> KioskConfig:
    """Check an already-parsed configuration; `text` (the file's) lets errors name lines."""
    try:
        return KioskConfig.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(error, text, source) for error in exc.errors()]
        raise ConfigError("\n".join(problems)) from None


# -- error reports --------------------------------------------------------------------------------------------
def _describe(error: Mapping[str, Any], text: str, source: str) -> str:
    keys = [str(part) for part in error["loc"] if not isinstance(part, int) and part != "[key]"]
    name = _key_name(keys)
    if error["type"] == "extra_forbidden":
        known = _known_keys(keys[:-1])
        close = difflib.get_close_matches(keys[-1], known, n=1)
        what = f"unknown key{f' (did you mean {close[0]}?)' if close else ''} (known here: {', '.join(known)})"
    elif error["type"] == "enum" and "[key]" in error["loc"]:
        what = f"unknown name; {_lower_first(error['msg'])}"
    else:
        what = f"{_lower_first(error['msg'])}, got {error.get('input')!r}"
    line = _line_of(text, keys) if text else None
    return f"{source}{f' line {line}' if line else ''}: {name}: {what}"


def _key_name(keys: Sequence[str]) -> str:
    if not keys:
        return "(top level)"
    if len(keys) == 1:
        return f"[{keys[0]}]" if _known_keys(keys) else keys[0]  # a whole table (e.g. a rule across its keys)
    return f"[{keys[0]}] {'.'.join(keys[1:])}"


def _known_keys(table: Sequence[str]) -> list[str]:
    model: type[BaseModel] = KioskConfig
    for key in table:
        annotation = model.model_fields[key].annotation if key in model.model_fields else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return sorted(model.model_fields)


def _lower_first(message: str) -> str:
    return message[:1].lower() + message[1:]


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def _line_of(text: str, keys: Sequence[str]) -> int | None:
    """The line where the deepest findable part of `keys` is written: `key = ...` in its table, in an inline
    table of a parent, or the table's `[header]`. TOML readers give no positions; this is close enough to
    point a person at the right line."""
    lines: list[tuple[int, tuple[str, ...], str, bool]] = []
    table: tuple[str, ...] = ()
    for number, raw in enumerate(text.splitlines(), 1):
        header = _HEADER.match(raw)
        if header:
            table = tuple(part.strip().strip('"\'') for part in header.group(1).split("."))
        lines.append((number, table, raw.split("#", 1)[0], bool(header)))
    for depth in range(len(keys), 0, -1):
        path, key = tuple(keys[:depth]), keys[depth - 1]
        assigned = re.compile(rf"(^|[{{,\s.])[\"']?{re.escape(key)}[\"']?\s*=")
        for number, table, content, is_header in lines:
            if is_header and table[:depth] == path:
                return number
            if not is_header and path[:len(table)] == table and len(table) < depth and assigned.search(content):
                return number
    return None
