"""Account number and phone rules, including what Excel does to long numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.rules.accounts import (
    AccountNumberError,
    PhoneError,
    normalize_account_number,
    normalize_phone,
)

mobiles = st.from_regex(r"0[35789][0-9]{8}", fullmatch=True)

# --- normalize_account_number: banks ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0011001234567", "0011001234567"),
        ("  0011001234567 ", "0011001234567"),
        ("1903 5555 6666 77", "19035555666677"),
        ("1903-5555-6666-77", "19035555666677"),
        ("1903.5555.6666.77", "19035555666677"),
        ("1903\u00a05555\u00a06666\u00a077", "19035555666677"),
        ("'0011001234567", "0011001234567"),
        ("123456", "123456"),
        ("1234567890123456789", "1234567890123456789"),
        ("3700205123456", "3700205123456"),
        (123456, "123456"),
        (3700205123456, "3700205123456"),
        (123456789012345, "123456789012345"),
        (3700205123456.0, "3700205123456"),
        (Decimal("3700205123456"), "3700205123456"),
    ],
)
def test_bank_account_numbers_are_kept_as_digit_strings(value, expected):
    assert normalize_account_number(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "empty"),
        ("", "empty"),
        ("  - . ", "empty"),
        (True, "type"),
        (["123456"], "type"),
        (b"123456", "type"),
        (1234567890123456, "excel"),  # 16 digits typed into a numeric cell
        (1234567890123456789, "excel"),
        (1.234567890123456e15, "excel"),
        (1e16, "excel"),
        (Decimal("12345678901234567"), "excel"),
        ("1,23457E+15", "excel"),
        ("1.23457E+15", "excel"),
        ("1.23457e+15", "excel"),
        ("9,70412E+18", "excel"),
        (12345.5, "format"),
        (Decimal("123456.7"), "format"),
        (float("nan"), "format"),
        (float("inf"), "format"),
        (-123456, "format"),
        ("ABC123456", "format"),
        ("12345678O", "format"),
        ("+84912345678", "format"),  # a plus sign belongs to phone numbers only
        ("123/456/789", "format"),
        ("１２３４５６７", "format"),
        ("12345", "length"),
        ("12345678901234567890", "length"),
        (12345, "length"),
    ],
)
def test_bad_account_numbers_raise_with_a_code(value, code):
    with pytest.raises(AccountNumberError) as excinfo:
        normalize_account_number(value)
    assert excinfo.value.code == code
    assert str(excinfo.value.message)


@pytest.mark.parametrize("value", [1234567890123456, "1,23457E+15"])
def test_the_excel_message_asks_for_a_text_column(value):
    with pytest.raises(AccountNumberError) as excinfo:
        normalize_account_number(value)
    message = str(excinfo.value.message)
    assert "văn bản" in message
    assert "15" in message


def test_the_length_message_gives_the_bounds_and_the_count():
    with pytest.raises(AccountNumberError) as excinfo:
        normalize_account_number("12345")
    message = str(excinfo.value.message)
    assert "6" in message
    assert "19" in message
    assert "5 chữ số" in message


@given(st.from_regex(r"[0-9]{6,19}", fullmatch=True))
def test_any_six_to_nineteen_digits_are_accepted_as_typed(digits):
    assert normalize_account_number(digits) == digits


@given(
    st.from_regex(r"[0-9]{6,19}", fullmatch=True),
    st.sampled_from([" ", "-", ".", "\u00a0"]),
    st.integers(min_value=1, max_value=5),
)
def test_separators_inside_an_account_number_are_ignored(digits, separator, step):
    grouped = separator.join(digits[i : i + step] for i in range(0, len(digits), step))
    assert normalize_account_number(grouped) == digits


@given(st.integers(min_value=10**15, max_value=10**22))
def test_every_numeric_cell_of_sixteen_digits_or_more_is_refused(number):
    with pytest.raises(AccountNumberError) as excinfo:
        normalize_account_number(number)
    assert excinfo.value.code == "excel"


@given(st.integers(min_value=100_000, max_value=10**15 - 1))
def test_numeric_cells_up_to_fifteen_digits_are_accepted(number):
    assert normalize_account_number(number) == str(number)


# --- normalize_account_number: e-wallets ----------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("(+84) 912.345.678", "0912345678"),
        ("84912345678", "0912345678"),
        ("+84 0912 345 678", "0912345678"),
        (912345678, "0912345678"),
        (84912345678, "0912345678"),
        (912345678.0, "0912345678"),
        ("9704123456789", "9704123456789"),  # not a phone: checked as an account number
        (123456789012, "123456789012"),
    ],
)
def test_e_wallet_identifiers_are_phone_numbers_when_they_look_like_one(value, expected):
    assert normalize_account_number(value, ewallet=True) == expected


def test_the_same_digits_stay_an_account_number_for_a_bank():
    assert normalize_account_number("84912345678") == "84912345678"
    assert normalize_account_number(912345678) == "912345678"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("+84 12345", "phone"),
        ("+1 202 555 0100", "phone"),
        ("0123", "length"),
        ("abc", "format"),
        (1234567890123456, "excel"),
        (None, "empty"),
    ],
)
def test_bad_e_wallet_identifiers_raise(value, code):
    with pytest.raises(AccountNumberError) as excinfo:
        normalize_account_number(value, ewallet=True)
    assert excinfo.value.code == code


def test_a_bad_e_wallet_phone_number_explains_the_phone_rule():
    with pytest.raises(AccountNumberError) as excinfo:
        normalize_account_number("+84 12345", ewallet=True)
    assert "10 chữ số" in str(excinfo.value.message)


@given(mobiles)
def test_every_way_of_writing_a_mobile_number_gives_the_same_e_wallet_id(phone):
    national = phone[1:]
    for written in (phone, "+84" + national, "84" + national, f"+84 {national[:3]} {national[3:]}"):
        assert normalize_account_number(written, ewallet=True) == phone
    assert normalize_account_number(int(phone), ewallet=True) == phone


# --- normalize_phone ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("0912-345-678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("(+84) 912345678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0084912345678", "0912345678"),
        ("+840912345678", "0912345678"),
        ("0312345678", "0312345678"),
        ("0523456789", "0523456789"),
        ("0701234567", "0701234567"),
        ("0856789012", "0856789012"),
        (912345678, "0912345678"),
        (912345678.0, "0912345678"),
        (Decimal("912345678"), "0912345678"),
        (84912345678, "0912345678"),
    ],
)
def test_vietnamese_mobile_numbers_normalise_to_ten_digits(value, expected):
    assert normalize_phone(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "empty"),
        ("", "empty"),
        (" . ", "empty"),
        (True, "type"),
        (["0912345678"], "type"),
        ("0212345678", "format"),  # 02x: a landline
        ("02373123456", "format"),
        ("01234567890", "format"),  # an 11-digit mobile from before 2018
        ("0612345678", "format"),
        ("0412345678", "format"),
        ("912345678", "format"),  # text keeps what was typed: the 0 is missing
        ("091234567", "format"),
        ("09123456789", "format"),
        ("0912a45678", "format"),
        ("+8491234567", "format"),
        ("+1 202 555 0100", "format"),
        ("8412345678", "format"),
        (912345678.5, "format"),
        (float("nan"), "format"),
        (-912345678, "format"),
        (12345678, "format"),
        (212345678, "format"),
    ],
)
def test_numbers_that_are_not_vietnamese_mobiles_raise(value, code):
    with pytest.raises(PhoneError) as excinfo:
        normalize_phone(value)
    assert excinfo.value.code == code
    assert str(excinfo.value.message)


def test_phone_error_is_a_value_error():
    with pytest.raises(ValueError, match="10 chữ số"):
        normalize_phone("123")


@given(mobiles, st.sampled_from([" ", ".", "-", ""]))
def test_mobile_numbers_with_any_grouping_normalise_back(phone, separator):
    grouped = separator.join([phone[:4], phone[4:7], phone[7:]])
    assert normalize_phone(grouped) == phone
    assert normalize_phone("+84" + separator + grouped[1:]) == phone
