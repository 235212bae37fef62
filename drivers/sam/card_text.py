"""The 256-byte text block of a card read (UCS-2 LE, space padded) <-> CardIdentity, for all four card types.

Why one table per type: the SAM returns the same 256 bytes for every card, and only the type flag at text
offset 248 says how to cut them; decoding must branch on it first. The photo never reaches this module.
Pure functions; any thread.
"""
from __future__ import annotations

from kiosk.core.identity.card import CardIdentity, CardType
from kiosk.core.identity.idnumber import IdNumberError, validate_id_number

TEXT_SIZE = 256
FLAG_OFFSET = 248
FLAGS = {" ": CardType.RESIDENT, "J": CardType.HMT_PERMIT, "I": CardType.FOREIGN_2017, "Y": CardType.FOREIGN_2023}
FLAG_OF = {v: k for k, v in FLAGS.items()}

ETHNIC_GROUPS = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 "
    "柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 "
    "塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
ETHNIC_OTHER = {"97": "其他", "98": "外国血统中国籍人士"}

# (field, byte offset, byte size). Fields named as CardIdentity attributes, or extra keys.
_RESIDENT = (("name", 0, 30), ("sex", 30, 2), ("ethnic_code", 32, 4), ("birth_date", 36, 16),
             ("address", 52, 70), ("id_number", 122, 36), ("authority", 158, 30), ("valid_from", 188, 16),
             ("valid_to", 204, 16))
_HMT = (("name", 0, 30), ("sex", 30, 2), ("birth_date", 36, 16), ("address", 52, 70), ("id_number", 122, 36),
        ("authority", 158, 30), ("valid_from", 188, 16), ("valid_to", 204, 16), ("pass_number", 220, 18),
        ("issue_count", 238, 4))
_FOREIGN_2017 = (("english_name", 0, 120), ("sex", 120, 2), ("id_number", 122, 30), ("nationality", 152, 6),
                 ("name", 158, 30), ("valid_from", 188, 16), ("valid_to", 204, 16), ("birth_date", 220, 16),
                 ("card_version", 236, 4), ("authority", 240, 8))
_FOREIGN_2023 = (("name", 0, 30), ("sex", 30, 2), ("renewal_count", 32, 4), ("birth_date", 36, 16),
                 ("english_name_1", 52, 70), ("id_number", 122, 36), ("valid_from", 188, 16),
                 ("valid_to", 204, 16), ("english_name_2", 220, 22), ("nationality", 242, 6))
LAYOUTS = {CardType.RESIDENT: _RESIDENT, CardType.HMT_PERMIT: _HMT,
           CardType.FOREIGN_2017: _FOREIGN_2017, CardType.FOREIGN_2023: _FOREIGN_2023}
_ATTRIBUTES = {"name", "id_number", "sex", "birth_date", "valid_from", "valid_to", "authority", "nationality",
               "english_name"}
_ENGLISH_1 = 35  # characters of the 2023 card's English name in part 1


class CardTextError(ValueError):
    """A text block that cannot be a card: wrong size, unknown type flag, bad characters or ID number."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


def card_type_of(block: bytes) -> CardType:
    if len(block) != TEXT_SIZE:
        raise CardTextError("text_size", f"a text block has {TEXT_SIZE} bytes, this one {len(block)}")
    flag = _text(block, FLAG_OFFSET, 2)
    card_type = FLAGS.get(flag or " ")
    if card_type is None:
        raise CardTextError("unknown_card_type", f"type flag {block[FLAG_OFFSET:FLAG_OFFSET + 2].hex()}")
    return card_type


def decode_text_block(block: bytes, *, validate: bool = True) -> CardIdentity:
    """Decode a text block. With `validate`, the ID number must pass its check for the card's type."""
    card_type = card_type_of(bytes(block))
    values = {name: _text(block, offset, size) for name, offset, size in LAYOUTS[card_type]}
    if card_type is CardType.FOREIGN_2023:
        values["english_name"] = (values.pop("english_name_1") + values.pop("english_name_2")).strip()
    extra = [(k, v) for k, v in values.items() if k not in _ATTRIBUTES]
    if card_type is CardType.RESIDENT:
        extra.append(("ethnic", ethnic_name(values.get("ethnic_code", ""))))
    card = CardIdentity(card_type=card_type, **{k: v for k, v in values.items() if k in _ATTRIBUTES},
                        extra=tuple(extra))
    if validate:
        _validate(card)
    return card


def _validate(card: CardIdentity) -> None:
    if not card.id_number:
        raise CardTextError("id_number_missing", "the card carries no ID number")
    try:
        info = validate_id_number(card.id_number)
    except IdNumberError as exc:
        raise CardTextError("id_number_invalid", str(exc)) from None
    expected = {CardType.RESIDENT: "resident", CardType.HMT_PERMIT: "hmt_permit",
                CardType.FOREIGN_2017: "foreign_2017", CardType.FOREIGN_2023: "foreign_2023"}[card.card_type]
    # A residence permit (J) holder's number has an 81/82/83 region; a resident card never has one.
    if str(info.kind) != expected:
        raise CardTextError("id_number_invalid", f"a {info.kind} number on a {card.card_type} card")


def ethnic_name(code: str) -> str:
    if code.isascii() and code.isdigit() and 1 <= int(code) <= len(ETHNIC_GROUPS):
        return ETHNIC_GROUPS[int(code) - 1]
    return ETHNIC_OTHER.get(code, "")


def _text(block: bytes, offset: int, size: int) -> str:
    raw = bytes(block[offset:offset + size])
    try:
        text = raw.decode("utf-16-le")
    except UnicodeDecodeError:
        raise CardTextError("bad_characters", f"not UCS-2 at text offset {offset}") from None
    return text.rstrip(" \x00").lstrip("\x00")


def encode_text_block(card: CardIdentity) -> bytes:
    """The text block a SAM would return for `card` (the emulator's side). Over-long fields are cut."""
    values = {name: getattr(card, name) for name in _ATTRIBUTES}
    values.update(dict(card.extra))
    if card.card_type is CardType.FOREIGN_2023:
        values["english_name_1"] = card.english_name[:_ENGLISH_1]
        values["english_name_2"] = card.english_name[_ENGLISH_1:]
    block = bytearray(" ".encode("utf-16-le") * (TEXT_SIZE // 2))
    for name, offset, size in LAYOUTS[card.card_type]:
        text = str(values.get(name, ""))[: size // 2]
        raw = text.encode("utf-16-le", errors="replace")[:size]
        block[offset:offset + len(raw)] = raw
    block[FLAG_OFFSET:FLAG_OFFSET + 2] = FLAG_OF[card.card_type].encode("utf-16-le")
    return bytes(block)
