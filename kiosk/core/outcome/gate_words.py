"""The gate's words (staff controls, device name, the citizen's reason), merged into strings._TEXT.

Kept in their own module so the gate's vocabulary travels with the gate; the UI still looks every word up
through kiosk.core.outcome.strings.text.
"""
from __future__ import annotations

GATE_TEXT: dict[str, dict[str, str]] = {
    "device.gate": {"zh-Hans": "闸门", "zh-Hant-HK": "閘門", "en": "Gate"},
    "device.gate sensor": {"zh-Hans": "通行传感器", "zh-Hant-HK": "通行感應器", "en": "Passage sensor"},
    "gate.title": {"zh-Hans": "闸门", "zh-Hant-HK": "閘門", "en": "Gate"},
    "gate.open_once": {"zh-Hans": "开门一次", "zh-Hant-HK": "開門一次", "en": "Open once"},
    "gate.hold_open": {"zh-Hans": "保持开启", "zh-Hant-HK": "保持開啟", "en": "Hold open"},
    "gate.lock": {"zh-Hans": "锁定", "zh-Hant-HK": "鎖定", "en": "Lock"},
    "gate.normal": {"zh-Hans": "恢复正常", "zh-Hant-HK": "回復正常", "en": "Normal"},
    "gate.done.open_once": {"zh-Hans": "已开门一次", "zh-Hant-HK": "已開門一次", "en": "Gate opened once"},
    "gate.done.hold_open": {"zh-Hans": "闸门保持开启", "zh-Hant-HK": "閘門保持開啟", "en": "Gate held open"},
    "gate.done.lock": {"zh-Hans": "闸门已锁定", "zh-Hant-HK": "閘門已鎖定", "en": "Gate locked"},
    "gate.done.normal": {"zh-Hans": "闸门恢复正常", "zh-Hant-HK": "閘門已回復正常", "en": "Gate back to normal"},
    "gate.refused.locked": {"zh-Hans": "闸门已锁定，请先恢复正常", "zh-Hant-HK": "閘門已鎖定，請先回復正常",
                            "en": "The gate is locked: choose Normal first"},
    "gate.refused.unavailable": {"zh-Hans": "闸门继电器故障，无法开门", "zh-Hant-HK": "閘門繼電器故障，未能開門",
                                 "en": "The gate relay is not working: it cannot open"},
    "reason.GATE_UNAVAILABLE": {"zh-Hans": "闸门暂时无法开启", "zh-Hant-HK": "閘門暫時未能開啟",
                                "en": "The gate cannot open right now"},
}
