"""Fictitious cards for the emulator and the tests, one per card type, plus cards loaded from JSON files.

Why fictitious but valid: the drivers check ID numbers, so demo cards must carry correct check characters,
yet no real person may appear in code, logs or screenshots. Pure; any thread.
"""
from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

from kiosk.core.identity.card import CardIdentity, CardType

PRESETS: dict[str, CardIdentity] = {
    "resident": CardIdentity(
        card_type=CardType.RESIDENT, name="测试样", id_number="110101199003071233", sex="1",
        birth_date="19900307", valid_from="20200101", valid_to="20400101", authority="北京市公安局东城分局",
        extra=(("ethnic_code", "01"), ("address", "北京市东城区示例路1号"), ("ethnic", "汉"))),
    "hmt": CardIdentity(
        card_type=CardType.HMT_PERMIT, name="示例港", id_number="810000199408230021", sex="2",
        birth_date="19940823", valid_from="20210601", valid_to="20260601", authority="深圳市公安局",
        extra=(("address", "广东省深圳市福田区示例街2号"), ("pass_number", "H00000000"), ("issue_count", "01"))),
    "foreign2017": CardIdentity(
        card_type=CardType.FOREIGN_2017, name="样例", english_name="SAMPLE, ALEX", id_number="KAZ110090123105",
        sex="1", nationality="KAZ", birth_date="19901231", valid_from="20170315", valid_to="20270315",
        authority="1500", extra=(("card_version", "01"),)),
    "foreign2023": CardIdentity(
        card_type=CardType.FOREIGN_2023, name="范例", english_name="EXAMPLE, JORDAN LEE", id_number="911398199012310021",
        sex="2", nationality="KAZ", birth_date="19901231", valid_from="20230601", valid_to="20330601",
        extra=(("renewal_count", "00"),)),
}

_TYPE_ALIASES = {"hmt": "hmt_permit", "foreign2017": "foreign_2017", "foreign2023": "foreign_2023"}
_FIELDS = {f.name for f in fields(CardIdentity)}


class CardFileError(ValueError):
    """A card file that is not a JSON object of CardIdentity fields."""


def card_from_dict(data: dict) -> CardIdentity:
    if not isinstance(data, dict):
        raise CardFileError("a card file holds one JSON object")
    unknown = set(data) - _FIELDS
    if unknown:
        raise CardFileError(f"unknown card fields: {', '.join(sorted(unknown))}")
    values = dict(data)
    try:
        kind = str(values.get("card_type", "resident"))
        values["card_type"] = CardType(_TYPE_ALIASES.get(kind, kind))
    except ValueError:
        raise CardFileError(f"card_type must be one of {', '.join(t.value for t in CardType)}") from None
    extra = values.get("extra", {})
    values["extra"] = tuple((str(k), str(v)) for k, v in (extra.items() if isinstance(extra, dict) else extra))
    for key in ("name", "id_number"):
        if not isinstance(values.get(key, ""), str):
            raise CardFileError(f"{key} must be a string")
    values.setdefault("name", "")
    values.setdefault("id_number", "")
    return CardIdentity(**values)


def load_card_file(path: str | Path) -> CardIdentity:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CardFileError(f"cannot read card file {path}: {exc}") from None
    return card_from_dict(data)


def card_by_name(name_or_path: str) -> CardIdentity:
    """A preset name, or the path of a JSON card file."""
    if name_or_path in PRESETS:
        return PRESETS[name_or_path]
    return load_card_file(name_or_path)
