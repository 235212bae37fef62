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
    "reason.GATE_UNAVAILABLE": {"zh-Hans": "闸门暂时无法开启", "zh-Hant-HK": "閘門暫時未能開啟",
                                "en": "The gate cannot open right now"},
}
