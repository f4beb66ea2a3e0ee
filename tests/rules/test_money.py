"""Money rules: reading amounts from cells, printing them, and reading them out in words."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.rules.money import (
    AmountError,
    amount_in_words,
    coefficient_amount,
    format_amount,
    parse_amount,
)

amounts = st.integers(min_value=0, max_value=10**18)

# --- parse_amount ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2055000, 2055000),
        (0, 0),
        (2055000.0, 2055000),
        (Decimal("2055000"), 2055000),
        (Decimal("2055000.00"), 2055000),
        ("2055000", 2055000),
        ("2.055.000", 2055000),
        ("2.055.000 đ", 2055000),
        ("2.055.000đ", 2055000),
        ("2.055.000 Đ", 2055000),
        ("2.055.000 ₫", 2055000),
        ("2.055.000 d", 2055000),
        ("2.055.000 đ.", 2055000),
        ("2,055,000", 2055000),
        ("2 055 000", 2055000),
        ("2\u00a0055\u00a0000", 2055000),
        ("2\u202f055\u202f000 đ", 2055000),
        ("1.080.000 VNĐ", 1080000),
        ("1.080.000 VND", 1080000),
        ("1.080.000 vnđ", 1080000),
        ("1.080.000 đồng", 1080000),
        ("1.080.000 Đồng", 1080000),
        ("1.080.000 dong", 1080000),
        ("  1.080.000  ", 1080000),
        ("1.080.000,00", 1080000),
        ("1.080.000,0", 1080000),
        ("1,080,000.00", 1080000),
        ("1080000.00", 1080000),
        ("1080000,00", 1080000),
        ("2 055 000,00 đ", 2055000),
        ("1.080", 1080),  # a dot before three digits is a thousands separator
        ("1,500", 1500),  # and so is a comma
        ("999", 999),
        ("0", 0),
        ("0 đ", 0),
        ("000", 0),
        ("12.345.678.901.234", 12345678901234),
        ("1.080.000 \u0111o\u0302\u0300ng", 1080000),  # decomposed "đồng"
    ],
)
def test_amounts_in_every_accepted_form_are_read(value, expected):
    assert parse_amount(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "empty"),
        ("", "empty"),
        ("   ", "empty"),
        ("đ", "empty"),
        ("đồng", "empty"),
        (True, "type"),
        (False, "type"),
        ([1000], "type"),
        (b"1000", "type"),
        (float("nan"), "type"),
        (float("inf"), "type"),
        (Decimal("NaN"), "type"),
        (-1, "negative"),
        (-1.0, "negative"),
        (Decimal("-5"), "negative"),
        ("-1.080.000", "negative"),
        ("\u22121.080.000", "negative"),
        ("- 1.080.000 đ", "negative"),
        ("(1.080.000)", "negative"),
        (1080000.5, "fractional"),
        (Decimal("1080000.50"), "fractional"),
        ("1.080.000,50", "fractional"),
        ("1.080.000,5", "fractional"),
        ("1,080,000.50", "fractional"),
        ("1,5", "fractional"),
        ("1.5", "fractional"),
        ("10.80", "fractional"),
        ("12345.678", "format"),  # neither a group of three nor a decimal part
        ("1.080,000", "format"),  # mixed separators in the groups
        ("1,080.000", "format"),
        ("1.080.000.5", "format"),
        ("1.080.00", "format"),
        ("1.0800.000", "format"),
        ("10.80.000", "format"),
        ("1 080.000", "format"),
        ("1080 000", "format"),
        ("1.080.000,505", "format"),
        ("2 triệu", "format"),
        ("hai triệu đồng", "format"),
        ("1.080.000 USD", "format"),
        ("1.080.000đ/tháng", "format"),
        ("+1.080.000", "format"),
        ("1e6", "format"),
        ("1_080_000", "format"),
        ("٣٤٥", "format"),
        (".080", "format"),
        ("1.080.", "format"),
    ],
)
def test_unreadable_amounts_raise_with_a_code(value, code):
    with pytest.raises(AmountError) as excinfo:
        parse_amount(value)
    assert excinfo.value.code == code
    assert str(excinfo.value.message)


def test_the_format_error_quotes_the_value():
    with pytest.raises(AmountError) as excinfo:
        parse_amount(" 2 triệu ")
    assert "2 triệu" in str(excinfo.value.message)
    assert "1.080.000" in str(excinfo.value.message)


def test_amount_error_is_a_value_error():
    with pytest.raises(ValueError, match="âm"):
        parse_amount(-5)


@given(amounts)
def test_formatted_amounts_read_back(n):
    assert parse_amount(format_amount(n)) == n
    assert parse_amount(format_amount(n, unit=False)) == n


@given(amounts)
def test_english_and_space_grouped_amounts_read_back(n):
    assert parse_amount(f"{n:,}") == n
    assert parse_amount(f"{n:,}".replace(",", " ")) == n
    assert parse_amount(str(n)) == n
    assert parse_amount(f"{n:,}.00") == n


@given(st.integers(min_value=1, max_value=10**15))
def test_negative_formatted_amounts_are_refused(n):
    with pytest.raises(AmountError) as excinfo:
        parse_amount(format_amount(-n))
    assert excinfo.value.code == "negative"


@given(st.integers(min_value=0, max_value=2**53))
def test_integral_floats_are_read_exactly(n):
    assert parse_amount(float(n)) == n


# --- format_amount ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "with_unit", "without_unit"),
    [
        (0, "0 đ", "0"),
        (5, "5 đ", "5"),
        (999, "999 đ", "999"),
        (1000, "1.000 đ", "1.000"),
        (1080000, "1.080.000 đ", "1.080.000"),
        (2055000, "2.055.000 đ", "2.055.000"),
        (123456789012, "123.456.789.012 đ", "123.456.789.012"),
        (-5000, "-5.000 đ", "-5.000"),
        (-1080000, "-1.080.000 đ", "-1.080.000"),
    ],
)
def test_amounts_print_with_dots_and_a_space_before_the_unit(n, with_unit, without_unit):
    assert format_amount(n) == with_unit
    assert format_amount(n, unit=True) == with_unit
    assert format_amount(n, unit=False) == without_unit


def test_the_space_before_the_unit_is_a_normal_space():
    assert format_amount(1080000)[-2] == " "


@pytest.mark.parametrize("value", [1.5, "1000", True, None, Decimal("1000")])
def test_format_amount_accepts_only_integers(value):
    with pytest.raises(TypeError):
        format_amount(value)


# --- amount_in_words ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "Không đồng"),
        (1, "Một đồng"),
        (4, "Bốn đồng"),
        (5, "Năm đồng"),
        (10, "Mười đồng"),
        (11, "Mười một đồng"),
        (14, "Mười bốn đồng"),
        (15, "Mười lăm đồng"),
        (19, "Mười chín đồng"),
        (20, "Hai mươi đồng"),
        (21, "Hai mươi mốt đồng"),
        (24, "Hai mươi bốn đồng"),
        (25, "Hai mươi lăm đồng"),
        (55, "Năm mươi lăm đồng"),
        (91, "Chín mươi mốt đồng"),
        (99, "Chín mươi chín đồng"),
        (100, "Một trăm đồng"),
        (101, "Một trăm lẻ một đồng"),
        (104, "Một trăm lẻ bốn đồng"),
        (105, "Một trăm lẻ năm đồng"),
        (110, "Một trăm mười đồng"),
        (111, "Một trăm mười một đồng"),
        (115, "Một trăm mười lăm đồng"),
        (121, "Một trăm hai mươi mốt đồng"),
        (500, "Năm trăm đồng"),
        (1_000, "Một nghìn đồng"),
        (1_001, "Một nghìn không trăm lẻ một đồng"),
        (1_010, "Một nghìn không trăm mười đồng"),
        (1_015, "Một nghìn không trăm mười lăm đồng"),
        (1_021, "Một nghìn không trăm hai mươi mốt đồng"),
        (1_100, "Một nghìn một trăm đồng"),
        (10_000, "Mười nghìn đồng"),
        (15_000, "Mười lăm nghìn đồng"),
        (21_000, "Hai mươi mốt nghìn đồng"),
        (100_000, "Một trăm nghìn đồng"),
        (105_000, "Một trăm lẻ năm nghìn đồng"),
        (540_000, "Năm trăm bốn mươi nghìn đồng"),
        (1_000_000, "Một triệu đồng"),
        (1_000_001, "Một triệu không trăm lẻ một đồng"),
        (1_080_000, "Một triệu không trăm tám mươi nghìn đồng"),
        (1_500_000, "Một triệu năm trăm nghìn đồng"),
        (2_055_000, "Hai triệu không trăm năm mươi lăm nghìn đồng"),
        (2_160_000, "Hai triệu một trăm sáu mươi nghìn đồng"),
        (25_500_000, "Hai mươi lăm triệu năm trăm nghìn đồng"),
        (1_000_000_000, "Một tỷ đồng"),
        (1_000_000_005, "Một tỷ không trăm lẻ năm đồng"),
        (1_050_000_000, "Một tỷ không trăm năm mươi triệu đồng"),
        (1_000_001_000, "Một tỷ không trăm lẻ một nghìn đồng"),
        (21_000_000_000, "Hai mươi mốt tỷ đồng"),
        (1_000_000_000_000, "Một nghìn tỷ đồng"),
        (1_005_000_000_000, "Một nghìn không trăm lẻ năm tỷ đồng"),
        (
            123_456_789_012,
            "Một trăm hai mươi ba tỷ bốn trăm năm mươi sáu triệu bảy trăm tám mươi chín "
            "nghìn không trăm mười hai đồng",
        ),
        (
            987_654_321_987_654_321,
            "Chín trăm tám mươi bảy triệu sáu trăm năm mươi bốn nghìn ba trăm hai mươi mốt "
            "tỷ chín trăm tám mươi bảy triệu sáu trăm năm mươi bốn nghìn ba trăm hai mươi "
            "mốt đồng",
        ),
        (1_000_000_000_000_000_000, "Một tỷ tỷ đồng"),
    ],
)
def test_amounts_read_out_in_vietnamese(n, words):
    assert amount_in_words(n) == words


def test_negative_amounts_cannot_be_read_out():
    with pytest.raises(ValueError, match="negative"):
        amount_in_words(-1)


@pytest.mark.parametrize("value", [1.0, "5", True, None])
def test_amount_in_words_accepts_only_integers(value):
    with pytest.raises(TypeError):
        amount_in_words(value)


# An independent reader of the words, strict about the conventions, so that the
# round trip checks every reading rather than a handful.
DIGITS = {
    "không": 0,
    "một": 1,
    "hai": 2,
    "ba": 3,
    "bốn": 4,
    "năm": 5,
    "sáu": 6,
    "bảy": 7,
    "tám": 8,
    "chín": 9,
}


def read_group(tokens: list[str], *, full: bool) -> int:
    value = 0
    if "trăm" in tokens:
        assert tokens.index("trăm") == 1
        value = 100 * DIGITS[tokens[0]]
        tokens = tokens[2:]
    else:
        assert not full, "a group after a higher group must say its hundreds"
    if not tokens:
        assert value, "an all-zero group must be skipped"
        return value
    if tokens[0] == "lẻ":
        assert "trăm" in tokens or value or full
        assert len(tokens) == 2
        assert tokens[1] in DIGITS
        assert DIGITS[tokens[1]] > 0
        return value + DIGITS[tokens[1]]
    if tokens[0] == "mười":
        value += 10
        tokens = tokens[1:]
        allowed_units = {"một": 1, "lăm": 5} | {
            w: d for w, d in DIGITS.items() if d not in (0, 1, 5)
        }
    else:
        if len(tokens) >= 2 and tokens[1] == "mươi":
            assert DIGITS[tokens[0]] >= 2
            value += 10 * DIGITS[tokens[0]]
            tokens = tokens[2:]
            allowed_units = {"mốt": 1, "lăm": 5} | {
                w: d for w, d in DIGITS.items() if d not in (0, 1, 5)
            }
        else:
            # A bare units digit is only possible in the leading group.
            assert value == 0
            assert not full
            allowed_units = {w: d for w, d in DIGITS.items() if d}
    if tokens:
        assert len(tokens) == 1
        value += allowed_units[tokens[0]]
    return value


def read_below_billion(tokens: list[str], *, full: bool) -> int:
    total = 0
    for word, scale in (("triệu", 10**6), ("nghìn", 10**3)):
        if word in tokens:
            index = tokens.index(word)
            total += read_group(tokens[:index], full=full) * scale
            tokens = tokens[index + 1 :]
            full = True
    if tokens:
        total += read_group(tokens, full=full)
    return total


def read_words(tokens: list[str]) -> int:
    if "tỷ" in tokens:
        index = len(tokens) - 1 - tokens[::-1].index("tỷ")
        high = read_words(tokens[:index])
        assert high > 0
        return high * 10**9 + read_below_billion(tokens[index + 1 :], full=True)
    return read_below_billion(tokens, full=False)


def words_to_number(text: str) -> int:
    assert text.endswith(" đồng")
    assert text[0].isupper()
    assert text[1:] == text[1:].lower()
    tokens = text[: -len(" đồng")].lower().split(" ")
    assert "" not in tokens
    if tokens == ["không"]:
        return 0
    return read_words(tokens)


@given(amounts)
def test_reading_the_words_back_gives_the_amount(n):
    assert words_to_number(amount_in_words(n)) == n


@given(st.integers(min_value=0, max_value=10**12))
def test_words_never_use_tu_for_four_nor_double_spaces(n):
    words = amount_in_words(n)
    assert " tư " not in f" {words} "
    assert "  " not in words
    assert words.endswith(" đồng")


@pytest.mark.parametrize(
    ("base", "coefficient", "amount"),
    [
        (500_000, "1.5", 750_000),
        (500_000, Decimal("2.5"), 1_250_000),
        (540_000, 3, 1_620_000),
        (333_333, "1.5", 500_000),  # 499.999,5 đ: half up
        (333_331, "1.5", 499_997),  # 499.996,5 đ: half up
        (100_001, "0.5", 50_001),  # 50.000,5 đ: half up
    ],
)
def test_a_coefficient_amount_is_whole_dong_half_up(base, coefficient, amount):
    assert coefficient_amount(base, coefficient) == amount
