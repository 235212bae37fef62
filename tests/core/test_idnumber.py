"""ID numbers: GB 11643 check character, 15-digit upgrade, HMT permits, both foreign formats, masking."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.core.identity.idnumber import (IdKind, IdNumberError, gb11643_check_char, icao_check_digit, is_valid_id_number,
                                 is_valid_resident_id, mask_id, mask_name, normalise, upgrade_15,
                                 validate_id_number, validate_resident_id)


def test_the_spec_examples():
    assert gb11643_check_char("11010519491231002") == "X"
    assert validate_id_number("11010519491231002X").kind is IdKind.RESIDENT
    assert validate_id_number("KAZ110090123105").kind is IdKind.FOREIGN_2017
    info = validate_id_number("911398199012310021")
    assert info.kind is IdKind.FOREIGN_2023 and info.birth_date == "19901231"


def test_existing_functions_keep_their_behaviour():
    assert normalise(" 110105491231002 ") == "11010519491231002X"
    assert is_valid_resident_id("11010519491231002x")
    assert validate_resident_id("110105491231002") == "11010519491231002X"
    with pytest.raises(IdNumberError):
        validate_resident_id("110105194912310021")
    assert mask_id("11010519491231002X") == "110105********002X"
    assert mask_name("张三") == "张*" and mask_name("ZHANG SAN") == "Z**** S**"


def test_legacy_15_digit_upgrade():
    assert upgrade_15("110105491231002") == "11010519491231002X"
    info = validate_id_number("110105491231002")
    assert info.upgraded and info.number == "11010519491231002X" and info.birth_date == "19491231"
    with pytest.raises(IdNumberError):
        upgrade_15("11010549123100A")


@pytest.mark.parametrize("region,number", [("810000", "810000199408230021")])
def test_hmt_permits(region, number):
    info = validate_id_number(number)
    assert info.kind is IdKind.HMT_PERMIT and info.number.startswith(region)
    for code in ("820000", "830000"):
        body = code + "19800101123"
        assert validate_id_number(body + gb11643_check_char(body)).kind is IdKind.HMT_PERMIT


def test_icao_check_digit_rule():
    assert icao_check_digit("KAZ11009012310") == "5"
    assert icao_check_digit("<") == "0"
    with pytest.raises(IdNumberError):
        icao_check_digit("a-b")


@pytest.mark.parametrize("bad,why", [
    ("", "empty"),
    ("11010519491231002Y", "17 digits"),
    ("110105194912310021", "check character"),
    ("110105194902300021", "check character"),
    ("KAZ110090123106", "check digit"),
    ("KA1110090123105", "3 letters"),
    ("11010519491331002", "18 characters"),
])
def test_rejections_say_why(bad, why):
    with pytest.raises(IdNumberError, match=why):
        validate_id_number(bad)
    assert not is_valid_id_number(bad)


def test_a_date_that_is_not_a_calendar_date_is_rejected():
    body = "11010519490230002"  # 30 February
    with pytest.raises(IdNumberError, match="calendar date"):
        validate_id_number(body + gb11643_check_char(body))


def test_an_address_code_no_province_has():
    body = "71010519490101002"
    with pytest.raises(IdNumberError, match="province"):
        validate_id_number(body + gb11643_check_char(body))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=24))
def test_any_text_is_a_number_or_a_typed_error(text):
    try:
        info = validate_id_number(text)
    except IdNumberError:
        return
    assert info.kind in set(IdKind)


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[1-6][0-9]{5}(19[5-9][0-9]|20[01][0-9])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}",
                     fullmatch=True))
def test_every_single_digit_error_is_caught(body):
    number = body + gb11643_check_char(body)
    assert validate_id_number(number).number == number
    for i in range(17):
        wrong = number[:i] + str((int(number[i]) + 1) % 10) + number[i + 1:]
        assert not is_valid_resident_id(wrong)
