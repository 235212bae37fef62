"""ID numbers: validation (GB 11643-1999 check character) and the masked forms shown on screen and logged."""
from __future__ import annotations

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


class IdNumberError(ValueError):
    """An ID number that is malformed or fails its check character."""


def gb11643_check_char(first17: str) -> str:
    if len(first17) != 17 or not first17.isdigit():
        raise IdNumberError("the first 17 characters must be digits")
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def normalise(id_number: str) -> str:
    """Upper-case, strip spaces; upgrade a legacy 15-digit number to 18 characters."""
    value = "".join(id_number.split()).upper()
    if len(value) == 15 and value.isdigit():
        body = value[:6] + "19" + value[6:]
        return body + gb11643_check_char(body)
    return value


def is_valid_resident_id(id_number: str) -> bool:
    value = normalise(id_number)
    if len(value) != 18 or not value[:17].isdigit():
        return False
    return gb11643_check_char(value[:17]) == value[17]


def validate_resident_id(id_number: str) -> str:
    """Return the normalised 18-character number, or raise IdNumberError saying what is wrong."""
    value = normalise(id_number)
    if len(value) != 18:
        raise IdNumberError(f"an ID number has 18 characters, this one has {len(value)}")
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
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
