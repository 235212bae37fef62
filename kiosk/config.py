"""The site configuration (kiosk.toml): which devices, which policy, which languages.

Every key is optional; an absent file means the defaults (no hardware, default policy). Example in
docs/configuration.md. Unknown keys are rejected so that a typo never silently changes a gate's behaviour.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.core.outcome.policy import Policy


class ConfigError(ValueError):
    """A kiosk.toml that cannot be used; the message names the key."""


@dataclass(frozen=True)
class DeviceConfig:
    reader: str = ""       # pyserial URL, "auto", or "" for none
    reader_baud: int = 115200
    reader_poll_s: float = 0.05  # a find is ~1 ms on the wire; 50 ms keeps tap-to-verdict within 30 ms of the floor
    scanner: str = ""      # pyserial URL, "auto", or ""
    scanner_baud: int = 9600
    camera: str = ""       # V4L2 index/path, an image folder, a video file, or ""


GATE_KINDS = ("lcus", "hid", "gpio")


@dataclass(frozen=True)
class GateConfig:
    """[gate]: the turnstile or door relay (docs/gate.md). An empty `relay` means no gate output."""

    relay: str = ""          # pyserial URL (lcus), hid or hid:NAME (hid), gpio:CHIP:LINE[:low] (gpio)
    kind: str = "lcus"       # lcus | hid | gpio
    channel: int = 1         # relay channel on the board, 1..8 (ignored for gpio)
    pulse_ms: int = 3000     # how long a PASS keeps the contact closed, unless the sensor sees the person pass
    max_open_ms: int = 8000  # a second PASS during a pulse never keeps it open longer than this from its start
    sensor: str = ""         # passage sensor: gpio:CHIP:LINE[:low], or "" for none
    baud: int = 9600         # LCUS boards talk at 9600

    def __post_init__(self) -> None:
        if self.kind not in GATE_KINDS:
            raise ConfigError(f"[gate] kind is one of {', '.join(GATE_KINDS)}, not {self.kind!r}")
        for key, low, high in (("channel", 1, 8), ("pulse_ms", 100, 60_000), ("max_open_ms", 100, 120_000),
                               ("baud", 1200, 115_200)):
            value = getattr(self, key)
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise ConfigError(f"[gate] {key} must be a whole number {low}..{high}, not {value!r}")
        if self.max_open_ms < self.pulse_ms:
            raise ConfigError("[gate] max_open_ms must be at least pulse_ms")
        for key in ("relay", "sensor"):
            if not isinstance(getattr(self, key), str):
                raise ConfigError(f"[gate] {key} must be a string")
        if self.relay.strip().lower() == "auto":
            raise ConfigError("[gate] relay must name its port: `auto` could pick the card reader's bridge")
        if self.kind == "gpio" and self.relay and not self.relay.startswith("gpio:"):
            raise ConfigError(f"[gate] a gpio relay is gpio:CHIP:LINE, not {self.relay!r}")
        if self.sensor and not self.sensor.startswith("gpio:"):
            raise ConfigError(f"[gate] sensor is gpio:CHIP:LINE[:low], not {self.sensor!r}")


@dataclass(frozen=True)
class KioskConfig:
    site: str = "demo"
    languages: tuple[str, ...] = ("zh-Hans", "zh-Hant-HK", "en")
    fullscreen: bool = False
    devices: DeviceConfig = field(default_factory=DeviceConfig)
    policy: Policy = field(default_factory=Policy)
    data_dir: str = ""
    ui: dict[str, Any] = field(default_factory=dict)  # UiSettings keys: pixel_pitch_mm, volume, PIN hashes, ...
    camera: dict[str, Any] = field(default_factory=dict)  # [camera]: width, height, fps, fourcc (docs/camera.md)
    policy_settings: dict[str, Any] = field(default_factory=dict)  # [policy] as written, layered over the bundle's
    gate: GateConfig = field(default_factory=GateConfig)  # [gate]: turnstile/door relay and passage sensor
    demo: bool = False  # `demo = true`: `kiosk run` accepts demo roots, demo issuer keys and the demo PINs


_TOP_KEYS = {"site", "languages", "fullscreen", "data_dir", "devices", "policy", "ui", "camera", "gate", "demo"}
_DEVICE_KEYS = set(DeviceConfig.__dataclass_fields__)
_GATE_KEYS = set(GateConfig.__dataclass_fields__)


def load_config(path: str | Path | None) -> KioskConfig:
    if not path:
        return KioskConfig()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    return config_from_dict(data)


def config_from_dict(data: dict[str, Any]) -> KioskConfig:
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise ConfigError(f"unknown key(s): {', '.join(sorted(unknown))}")
    devices = data.get("devices", {})
    unknown = set(devices) - _DEVICE_KEYS
    if unknown:
        raise ConfigError(f"unknown device key(s): {', '.join(sorted(unknown))}")
    gate = data.get("gate", {})
    unknown = set(gate) - _GATE_KEYS if isinstance(gate, dict) else {"(not a table)"}
    if unknown:
        raise ConfigError(f"unknown [gate] key(s): {', '.join(sorted(unknown))}")
    try:
        policy = Policy.from_dict(data.get("policy", {}))
    except ValueError as exc:
        raise ConfigError(f"[policy]: {exc}") from None
    if not isinstance(data.get("demo", False), bool):
        raise ConfigError("demo: expected true or false")
    try:
        return KioskConfig(
            demo=data.get("demo", False),
            site=str(data.get("site", "demo")),
            languages=tuple(data.get("languages", KioskConfig.languages)),
            fullscreen=bool(data.get("fullscreen", False)),
            devices=DeviceConfig(**devices),
            policy=policy,
            policy_settings=dict(data.get("policy", {})),
            data_dir=str(data.get("data_dir", "")),
            ui=dict(data.get("ui", {})),
            camera=dict(data.get("camera", {})),
            gate=GateConfig(**gate),
        )
    except TypeError as exc:
        raise ConfigError(str(exc)) from None
