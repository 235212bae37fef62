"""ID numbers: validation (GB 11643-1999 check character) and the masked forms shown on screen and logged.

Why here, pure: every number a card reader returns (resident cards, 15-digit legacy numbers, Hong Kong /
Macau / Taiwan permits, both foreign permanent-resident formats) is checked the same way by the drivers, the
card check and the CLI, and a mistyped or corrupt number must be a typed error, never a crash.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def _digits(text: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts '³' or '١', which int() then rejects."""
    return text.isascii() and text.isdigit()


class IdNumberError(ValueError):
    """An ID number that is malformed or fails its check character."""


def gb11643_check_char(first17: str) -> str:
    if len(first17) != 17 or not _digits(first17):
        raise IdNumberError("the first 17 characters must be digits")
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def normalise(id_number: str) -> str:
    """Upper-case, strip spaces; upgrade a legacy 15-digit number to 18 characters."""
    value = "".join(id_number.split()).upper()
    if len(value) == 15 and _digits(value):
        body = value[:6] + "19" + value[6:]
        return body + gb11643_check_char(body)
    return value


def is_valid_resident_id(id_number: str) -> bool:
    value = normalise(id_number)
    if len(value) != 18 or not _digits(value[:17]):
        return False
    return gb11643_check_char(value[:17]) == value[17]


def validate_resident_id(id_number: str) -> str:
    """Return the normalised 18-character number, or raise IdNumberError saying what is wrong."""
    value = normalise(id_number)
    if len(value) != 18:
        raise IdNumberError(f"an ID number has 18 characters, this one has {len(value)}")
    if not _digits(value[:17]) or not (_digits(value[17]) or value[17] == "X"):
        raise IdNumberError("an ID number is 17 digits and a digit or X")
    expected = gb11643_check_char(value[:17])
    if value[17] != expected:
        raise IdNumberError("the check character does not match: the number was mistyped")
    return value


def mask_id(id_number: str) -> str:
    """`11010519491231002X` -> `110105********002X`: region kept, birth date and sequence hidden."""
    value = "".join(id_number.split()).upper()
    if len(value) <= 8:
        return "*" * len(value)
    keep_head = 6 if len(value) >= 15 else 2
    return value[:keep_head] + "*" * (len(value) - keep_head - 4) + value[-4:]


def mask_name(name: str) -> str:
    """`张三` -> `张*`; `王小明` -> `王**`; `ZHANG SAN` -> `Z*** S**`."""
    name = name.strip()
    if not name:
        return ""
    if name.isascii():
        return " ".join(part[0] + "*" * (len(part) - 1) for part in name.split())
    return name[0] + "*" * (len(name) - 1)


# ---------------------------------------------------------------- every number a card reader can return

HMT_REGION_CODES = {"810000": "HK", "820000": "MO", "830000": "TW"}
_ICAO_WEIGHTS = (7, 3, 1)


class IdKind(enum.StrEnum):
    RESIDENT = "resident"          # GB 11643 resident ID (18, or 15 upgraded)
    HMT_PERMIT = "hmt_permit"      # 810000 / 820000 / 830000 residence permits
    FOREIGN_2017 = "foreign_2017"  # 3 letters + 4 digits + YYMMDD + 1 digit + ICAO check digit
    FOREIGN_2023 = "foreign_2023"  # 9 + province + country + YYYYMMDD + sequence + GB 11643 check


@dataclass(frozen=True)
class IdNumberInfo:
    kind: IdKind
    number: str        # normalised (upper case, 18 characters for the GB 11643 kinds)
    birth_date: str    # YYYYMMDD
    upgraded: bool = False  # a legacy 15-digit number was upgraded


def upgrade_15(number: str) -> str:
    """A legacy 15-digit number -> 18 characters: `19` before the birth year, then the check character."""
    value = "".join(number.split())
    if len(value) != 15 or not _digits(value):
        raise IdNumberError("a legacy ID number is 15 digits")
    body = value[:6] + "19" + value[6:]
    return body + gb11643_check_char(body)


def icao_check_digit(text: str) -> str:
    """ICAO 9303 check digit: weights 7-3-1, digits as themselves, A=10..Z=35, `<` = 0, sum mod 10."""
    total = 0
    for i, ch in enumerate(text.upper()):
        if _digits(ch):
            value = int(ch)
        elif "A" <= ch <= "Z":
            value = ord(ch) - ord("A") + 10
        elif ch == "<":
            value = 0
        else:
            raise IdNumberError(f"character {ch!r} has no ICAO value")
        total += value * _ICAO_WEIGHTS[i % 3]
    return str(total % 10)


def _checked_date(yyyymmdd: str) -> str:
    try:
        date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        raise IdNumberError(f"the birth date {yyyymmdd} in the number is not a calendar date") from None
    return yyyymmdd


def _gb11643(value: str) -> str:
    if len(value) != 18:
        raise IdNumberError(f"an ID number has 18 characters, this one has {len(value)}")
    if not _digits(value[:17]) or not (_digits(value[17]) or value[17] == "X"):
        raise IdNumberError("an ID number is 17 digits and a digit or X")
    if gb11643_check_char(value[:17]) != value[17]:
        raise IdNumberError("the check character does not match: the number was mistyped")
    return value


def validate_foreign_2017(number: str) -> IdNumberInfo:
    """`KAZ110090123105`: nationality letters, region, YYMMDD birth, sequence, ICAO check digit."""
    value = "".join(number.split()).upper()
    if len(value) != 15 or not value[:3].isalpha() or not value[:3].isascii() or not _digits(value[3:]):
        raise IdNumberError("a 2017 foreign permanent-resident number is 3 letters and 12 digits")
    if icao_check_digit(value[:14]) != value[14]:
        raise IdNumberError("the check digit does not match: the number was mistyped")
    yy = int(value[7:9])
    # A two-digit year is ambiguous; the card was issued from 2004, so a holder born in 20yy is at most a child.
    century = "20" if yy <= 30 else "19"
    birth = _checked_date(century + value[7:13])
    return IdNumberInfo(IdKind.FOREIGN_2017, value, birth)


def validate_foreign_2023(number: str) -> IdNumberInfo:
    """`911398199012310021`: 9, province, numeric country code, birth date, sequence, GB 11643 check."""
    value = _gb11643("".join(number.split()).upper())
    if value[0] != "9":
        raise IdNumberError("a 2023 foreign permanent-resident number starts with 9")
    return IdNumberInfo(IdKind.FOREIGN_2023, value, _checked_date(value[6:14]))


def validate_id_number(number: str) -> IdNumberInfo:
    """Recognise and check any number a card reader returns; raise IdNumberError saying what is wrong."""
    value = "".join(number.split()).upper()
    if not value:
        raise IdNumberError("the ID number is empty")
    if len(value) == 15 and value[0].isascii() and value[0].isalpha():
        return validate_foreign_2017(value)
    upgraded = len(value) == 15 and _digits(value)
    if upgraded:
        value = upgrade_15(value)
    value = _gb11643(value)
    if value[0] == "9":
        return validate_foreign_2023(value)
    birth = _checked_date(value[6:14])
    if value[:6] in HMT_REGION_CODES:
        return IdNumberInfo(IdKind.HMT_PERMIT, value, birth, upgraded)
    if value[0] not in "123456":
        raise IdNumberError(f"no province has an address code starting with {value[0]}")
    return IdNumberInfo(IdKind.RESIDENT, value, birth, upgraded)


def is_valid_id_number(number: str) -> bool:
    try:
        validate_id_number(number)
    except IdNumberError:
        return False
    return True
