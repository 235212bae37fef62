"""Text blocks of all four card types: the type flag first, the layouts of the spec, typed errors."""
from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.sam.card_text import (FLAG_OFFSET, CardTextError, decode_text_block, encode_text_block, ethnic_name)
from drivers.sam.presets import PRESETS, card_from_dict, load_card_file
from kiosk.core.identity.card import CardType


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_round_trips(name):
    block = encode_text_block(PRESETS[name])
    assert len(block) == 256
    assert decode_text_block(block) == PRESETS[name]


def test_resident_layout_offsets_are_the_spec():
    block = encode_text_block(PRESETS["resident"])
    assert block[0:6].decode("utf-16-le") == "测试样"
    assert block[30:32].decode("utf-16-le") == "1"
    assert block[32:36].decode("utf-16-le") == "01"
    assert block[36:52].decode("utf-16-le") == "19900307"
    assert block[122:158].decode("utf-16-le") == "110101199003071233"
    assert block[188:204].decode("utf-16-le") == "20200101"
    assert block[FLAG_OFFSET:FLAG_OFFSET + 2] == b" \x00"
    assert ethnic_name("01") == "汉" and ethnic_name("56") == "基诺" and ethnic_name("98") == "外国血统中国籍人士"


@pytest.mark.parametrize("name,flag,id_at", [("hmt", "J", 122), ("foreign2017", "I", 122), ("foreign2023", "Y", 122)])
def test_type_flags_and_id_offsets(name, flag, id_at):
    card = PRESETS[name]
    block = encode_text_block(card)
    assert block[FLAG_OFFSET:FLAG_OFFSET + 2].decode("utf-16-le") == flag
    assert block[id_at:id_at + 2 * len(card.id_number)].decode("utf-16-le") == card.id_number


def test_foreign_2017_layout():
    block = encode_text_block(PRESETS["foreign2017"])
    assert block[0:24].decode("utf-16-le") == "SAMPLE, ALEX"
    assert block[152:158].decode("utf-16-le") == "KAZ"
    assert block[158:162].decode("utf-16-le") == "样例"
    assert block[220:236].decode("utf-16-le") == "19901231"


def test_foreign_2023_english_name_spans_two_fields():
    card = dataclasses.replace(PRESETS["foreign2023"], english_name="A" * 35 + "BCDEFGHIJKL")
    block = encode_text_block(card)
    assert block[220:242].decode("utf-16-le") == "BCDEFGHIJKL"
    assert decode_text_block(block).english_name == card.english_name
    assert block[242:248].decode("utf-16-le") == "KAZ"


def test_unknown_type_flag_is_a_typed_error():
    block = bytearray(encode_text_block(PRESETS["resident"]))
    block[FLAG_OFFSET:FLAG_OFFSET + 2] = "Z".encode("utf-16-le")
    with pytest.raises(CardTextError) as exc:
        decode_text_block(bytes(block))
    assert exc.value.code == "unknown_card_type"


def test_wrong_size_and_bad_id_are_typed_errors():
    with pytest.raises(CardTextError, match="text_size"):
        decode_text_block(b"\x20\x00" * 100)
    bad = dataclasses.replace(PRESETS["resident"], id_number="110101199003071234")
    with pytest.raises(CardTextError) as exc:
        decode_text_block(encode_text_block(bad))
    assert exc.value.code == "id_number_invalid"
    assert decode_text_block(encode_text_block(bad), validate=False).id_number == "110101199003071234"


def test_a_resident_number_on_a_permit_is_rejected():
    wrong = dataclasses.replace(PRESETS["hmt"], id_number=PRESETS["resident"].id_number)
    with pytest.raises(CardTextError, match="id_number_invalid"):
        decode_text_block(encode_text_block(wrong))


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=256, max_size=256))
def test_random_blocks_give_a_card_or_a_typed_error(block):
    try:
        card = decode_text_block(block)
    except CardTextError:
        return
    assert card.card_type in set(CardType)


def test_card_files(tmp_path):
    path = tmp_path / "card.json"
    path.write_text('{"card_type": "hmt", "name": "示例", "id_number": "810000199408230021", '
                    '"extra": {"pass_number": "H1"}}', encoding="utf-8")
    card = load_card_file(path)
    assert card.card_type is CardType.HMT_PERMIT and dict(card.extra) == {"pass_number": "H1"}
    with pytest.raises(ValueError, match="unknown card fields"):
        card_from_dict({"photo": "x"})
