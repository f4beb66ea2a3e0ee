"""The personal ID (CCCD) rules: shape, decoding, and comparison with the record."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.rules.cccd import (
    CccdError,
    CccdInfo,
    check_cccd_against_record,
    normalize_cccd,
    parse_cccd,
)

# The 63 province codes of the reference data (provinces.csv).
PROVINCES = frozenset(
    """
    001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033
    034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066
    067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096
    """.split()
)
TODAY = datetime.date(2025, 6, 15)


def parse(number: str, today: datetime.date = TODAY) -> CccdInfo:
    return parse_cccd(number, known_provinces=PROVINCES, today=today)


def build_number(province: str, year: int, male: bool, serial: int) -> str:
    """A number laid out as the domain README describes, for round-trip tests."""
    century_digit = 2 * ((year - 1900) // 100) + (0 if male else 1)
    return f"{province}{century_digit}{year % 100:02d}{serial:06d}"


# --- normalize_cccd ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "038085001234",
        " 038085001234 ",
        "038 085 001 234",
        "038.085.001.234",
        "038-085-001-234",
        "038\u00a0085\u00a0001\u00a0234",
        "038\u202f085 001\t234",
        "\u200b038085001234\ufeff",
        "'038085001234",
        "038–085–001–234",
    ],
)
def test_text_with_separators_normalises_to_twelve_digits_without_warning(value):
    assert normalize_cccd(value) == ("038085001234", [])


@pytest.mark.parametrize(
    "value",
    [38085001234, 38085001234.0, Decimal("38085001234"), Decimal("38085001234.000")],
)
def test_numeric_cell_of_eleven_digits_gets_its_leading_zero_back_with_a_warning(value):
    number, warnings = normalize_cccd(value)
    assert number == "038085001234"
    assert len(warnings) == 1
    assert "038085001234" in warnings[0]
    assert "1 số 0" in warnings[0]


@pytest.mark.parametrize("value", [1085001234, 1085001234.0])
def test_numeric_cell_of_ten_digits_from_provinces_001_to_009_gets_two_zeros_back(value):
    number, warnings = normalize_cccd(value)
    assert number == "001085001234"
    assert len(warnings) == 1
    assert "2 số 0" in warnings[0]


@pytest.mark.parametrize("value", [100085001234, 100085001234.0, 296199000001])
def test_numeric_cell_of_twelve_digits_is_taken_as_is(value):
    assert normalize_cccd(value) == (str(int(value)), [])


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "empty"),
        ("", "empty"),
        ("   ", "empty"),
        (" - . ", "empty"),
        (True, "type"),
        (False, "type"),
        (["038085001234"], "type"),
        (b"038085001234", "type"),
        ("03808500123", "length"),
        ("038 085 001 23", "length"),
        ("0380850012345", "length"),
        ("03808500", "length"),
        ("03808500123A", "format"),
        ("038O85001234", "format"),
        ("038/085/001/234", "format"),
        ("+38085001234", "format"),
        ("０３８０８５００１２３４", "format"),
        ("038,085,001,234", "format"),
        (38085001234.5, "format"),
        (float("nan"), "format"),
        (float("inf"), "format"),
        (Decimal("NaN"), "format"),
        (Decimal("38085001234.5"), "format"),
        (-38085001234, "format"),
        (123456789, "cmnd"),
        (123456789.0, "cmnd"),
        ("123456789", "cmnd"),
        ("123 456 789", "cmnd"),
        (1234567, "length"),
        (1234567890123, "length"),
        (0, "length"),
    ],
)
def test_values_that_cannot_be_a_cccd_raise_with_a_code(value, code):
    with pytest.raises(CccdError) as excinfo:
        normalize_cccd(value)
    assert excinfo.value.code == code
    assert str(excinfo.value.message)


def test_eleven_character_text_is_an_error_not_a_lost_zero():
    with pytest.raises(CccdError) as excinfo:
        normalize_cccd("38085001234")
    assert excinfo.value.code == "length"
    assert "12" in str(excinfo.value.message)
    assert "11" in str(excinfo.value.message)


def test_error_is_a_value_error_whose_text_is_the_message():
    with pytest.raises(ValueError, match="12 chữ số"):
        normalize_cccd("123")


def test_old_cmnd_message_says_it_is_no_longer_valid():
    with pytest.raises(CccdError) as excinfo:
        normalize_cccd("123456789")
    assert "CMND" in str(excinfo.value.message)
    assert "2024" in str(excinfo.value.message)


# --- parse_cccd ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "province", "year", "male", "abroad"),
    [
        ("038085001234", "038", 1985, True, False),
        ("038185001234", "038", 1985, False, False),
        ("038205001234", "038", 2005, True, False),
        ("038305001234", "038", 2005, False, False),
        ("001000000000", "001", 1900, True, False),
        ("001199999999", "001", 1999, False, False),
        ("096200000001", "096", 2000, True, False),
        ("079325123456", "079", 2025, False, False),
        ("100085001234", "100", 1985, True, True),
        ("299185001234", "299", 1985, False, True),
        ("184090000123", "184", 1990, True, True),
    ],
)
def test_valid_numbers_decode_province_year_gender_and_abroad(number, province, year, male, abroad):
    assert parse(number) == CccdInfo(
        number=number, province_code=province, birth_year=year, male=male, abroad=abroad
    )


@pytest.mark.parametrize(
    "number",
    [
        "",
        "03808500123",
        "0380850012345",
        "03808500123a",
        " 038085001234",
        "038 085 001 234",
        "０３８０８５００１２３４",
        "038085001234\n",
    ],
)
def test_anything_but_exactly_twelve_ascii_digits_is_a_length_error(number):
    with pytest.raises(CccdError) as excinfo:
        parse(number)
    assert excinfo.value.code == "length"
    assert "12" in str(excinfo.value.message)


@pytest.mark.parametrize("value", [38085001234, None])
def test_a_non_string_is_refused_rather_than_guessed(value):
    with pytest.raises(CccdError) as excinfo:
        parse(value)
    assert excinfo.value.code == "length"


@pytest.mark.parametrize(
    "number",
    [
        "000085001234",  # no province 000
        "003085001234",  # a gap in the province codes
        "013085001234",
        "090085001234",
        "097085001234",  # 097-099: not provinces, not countries
        "098085001234",
        "099085001234",
        "300085001234",  # 300-999: unknown
        "500085001234",
        "999085001234",
    ],
)
def test_unknown_prefixes_are_province_errors(number):
    with pytest.raises(CccdError) as excinfo:
        parse(number)
    assert excinfo.value.code == "province"
    assert number[:3] in str(excinfo.value.message)


def test_a_province_added_to_the_reference_data_is_accepted_without_a_code_change():
    info = parse_cccd("097085001234", known_provinces=PROVINCES | {"097"}, today=TODAY)
    assert info.province_code == "097"
    assert not info.abroad


def test_a_number_from_another_province_than_thanh_hoa_is_accepted():
    assert parse("001085001234").province_code == "001"


@pytest.mark.parametrize("digit", "456789")
def test_century_digit_above_three_is_an_error(digit):
    with pytest.raises(CccdError) as excinfo:
        parse(f"038{digit}85001234")
    assert excinfo.value.code == "century"
    assert digit in str(excinfo.value.message)


def test_province_is_checked_before_century():
    with pytest.raises(CccdError) as excinfo:
        parse("003985001234")
    assert excinfo.value.code == "province"


def test_a_birth_year_of_this_year_is_accepted():
    assert parse("038225001234", today=datetime.date(2025, 1, 1)).birth_year == 2025


@pytest.mark.parametrize(
    ("number", "today"),
    [
        ("038226001234", datetime.date(2025, 12, 31)),
        ("038299001234", TODAY),
        ("038326001234", TODAY),
        ("100226001234", TODAY),
    ],
)
def test_a_birth_year_after_this_year_is_an_error(number, today):
    with pytest.raises(CccdError) as excinfo:
        parse(number, today=today)
    assert excinfo.value.code == "future"


def test_the_future_check_uses_the_date_passed_in():
    assert parse("038226001234", today=datetime.date(2026, 1, 1)).birth_year == 2026


def test_cccd_info_is_immutable():
    info = parse("038085001234")
    with pytest.raises(AttributeError):
        info.birth_year = 1990


@given(
    province=st.sampled_from(sorted(PROVINCES)),
    year=st.integers(min_value=1900, max_value=TODAY.year),
    male=st.booleans(),
    serial=st.integers(min_value=0, max_value=999_999),
)
def test_a_number_built_from_its_parts_parses_back_to_them(province, year, male, serial):
    number = build_number(province, year, male, serial)
    assert parse(number) == CccdInfo(
        number=number, province_code=province, birth_year=year, male=male, abroad=False
    )


@given(
    country=st.integers(min_value=100, max_value=299),
    year=st.integers(min_value=1900, max_value=TODAY.year),
    male=st.booleans(),
    serial=st.integers(min_value=0, max_value=999_999),
)
def test_a_country_code_prefix_is_always_accepted_as_abroad(country, year, male, serial):
    info = parse(build_number(str(country), year, male, serial))
    assert info.abroad
    assert (info.birth_year, info.male) == (year, male)


@given(
    province=st.sampled_from(sorted(PROVINCES)),
    year=st.integers(min_value=1900, max_value=TODAY.year),
    male=st.booleans(),
    serial=st.integers(min_value=0, max_value=999_999),
)
def test_a_number_that_excel_stored_as_a_number_normalises_back(province, year, male, serial):
    number = build_number(province, year, male, serial)
    restored, warnings = normalize_cccd(int(number))
    assert restored == number
    assert bool(warnings) == number.startswith("0")


@given(
    digits=st.from_regex(r"[0-9]{12}", fullmatch=True),
    separators=st.lists(st.sampled_from([" ", ".", "-", "\u00a0"]), min_size=11, max_size=11),
)
def test_separators_between_any_digits_are_ignored(digits, separators):
    text = digits[0] + "".join(
        sep + digit for sep, digit in zip(separators, digits[1:], strict=True)
    )
    assert normalize_cccd(text) == (digits, [])


# --- check_cccd_against_record ----------------------------------------------------


def test_a_record_that_agrees_gives_no_warning():
    info = parse("038185001234")
    assert check_cccd_against_record(info, birth_year=1985, male=False) == []


def test_a_record_that_does_not_say_gives_no_warning():
    info = parse("038185001234")
    assert check_cccd_against_record(info, birth_year=None, male=None) == []


def test_a_different_birth_year_is_a_warning_naming_both_years():
    info = parse("038185001234")
    warnings = check_cccd_against_record(info, birth_year=1958, male=None)
    assert len(warnings) == 1
    assert "1985" in warnings[0]
    assert "1958" in warnings[0]


@pytest.mark.parametrize(
    ("number", "record_male", "cccd_label", "record_label"),
    [
        ("038185001234", True, "Nữ", "Nam"),
        ("038085001234", False, "Nam", "Nữ"),
    ],
)
def test_a_different_gender_is_a_warning_naming_both(number, record_male, cccd_label, record_label):
    warnings = check_cccd_against_record(parse(number), birth_year=None, male=record_male)
    assert len(warnings) == 1
    assert f"({cccd_label})" in warnings[0]
    assert f"({record_label})" in warnings[0]


def test_year_and_gender_both_wrong_give_two_warnings():
    info = parse("038185001234")
    assert len(check_cccd_against_record(info, birth_year=1990, male=True)) == 2


def test_a_birth_registered_abroad_is_pointed_out_even_when_the_record_agrees():
    info = parse("184085001234")
    warnings = check_cccd_against_record(info, birth_year=1985, male=True)
    assert len(warnings) == 1
    assert "184" in warnings[0]


def test_abroad_and_disagreements_are_all_reported():
    info = parse("184085001234")
    assert len(check_cccd_against_record(info, birth_year=1986, male=False)) == 3


def test_warnings_are_plain_strings():
    info = parse("184085001234")
    warnings = check_cccd_against_record(info, birth_year=1986, male=False)
    assert all(isinstance(warning, str) for warning in warnings)
