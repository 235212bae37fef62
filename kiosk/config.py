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
    demo: bool = False  # `demo = true`: `kiosk run` accepts demo roots, demo issuer keys and the demo PINs


_TOP_KEYS = {"site", "languages", "fullscreen", "data_dir", "devices", "policy", "ui", "camera", "demo"}
_DEVICE_KEYS = set(DeviceConfig.__dataclass_fields__)


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
        )
    except TypeError as exc:
        raise ConfigError(str(exc)) from None
