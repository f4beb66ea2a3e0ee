"""Parsers for the registry list's own cell values: births, gender, coefficients, words, banks.

Each parser takes the raw value openpyxl returns (``str``, ``int``, ``float``,
``datetime``, ``None``) and returns plain results with an error *message*
rather than raising: an import of 100,000 rows must not pay for an exception
per cell in the normal case, and every problem is reported, not only the
first. The personal ID, name, amount and account rules are in
:mod:`core.rules`, and what any spreadsheet needs (text, dates,
amounts, matching keys) in :mod:`documents.spreadsheet`; only what is
specific to the registry's list lives here.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Literal

from django.utils.translation import gettext as _

from core.rules.names import fold_name
from documents.spreadsheet import DATE_SEP, cell_text, fold_key, written_date

#: The oldest birth year the registry accepts (``person_birth_year_plausible``).
MIN_BIRTH_YEAR = 1880

# --- Dates of birth -------------------------------------------------------------

# Day and month unknown: 00/00/1938, --/--/1938, xx/xx/1938, ../../1938, 0/0/1938.
_PLACEHOLDER = r"(?:0{1,2}|-{1,2}|X{1,2}|\?{1,2}|_{1,2}|\.{1,2})"
_YEAR_ONLY_PLACEHOLDER = re.compile(
    rf"{_PLACEHOLDER}\s*[/\-.]\s*{_PLACEHOLDER}{DATE_SEP}([0-9]{{4}})"
)
# The month without a day (05/1938, --/1938): only the year is kept.
_MONTH_YEAR = re.compile(rf"({_PLACEHOLDER}|[0-9]{{1,2}}){DATE_SEP}([0-9]{{4}})")
# A year alone, possibly "Năm 1938" / "năm: 1938" / "NS 1938" (folded upper-case).
_YEAR = re.compile(r"(?:NAM(?: SINH)?|NS)?\s*:?\s*([0-9]{4})")


BirthResult = tuple[datetime.date | None, int | None, str | None, str | None]
"""(date or None, year or None, error message or None, warning message or None)."""


def parse_birth(value: object, *, today: datetime.date) -> BirthResult:
    """A date of birth as ``(date, year, error, warning)``.

    Accepted: Excel dates; text ``dd/mm/yyyy``, ``d/m/yyyy``, ``dd-mm-yyyy``,
    ``dd.mm.yyyy`` and ISO ``yyyy-mm-dd``; a year alone as text or number
    (``1938``, ``Năm 1938``); ``00/00/1938``, ``--/--/1938`` (year only);
    ``05/1938`` keeps the year with a warning that the month is dropped (the
    registry stores a full date or a year). Impossible dates (31/02/1950),
    dates after ``today`` and years before 1880 are errors: they are typing
    mistakes a person has to correct, never something to guess.
    """
    if value is None:
        return None, None, _("Chưa có ngày sinh."), None
    if isinstance(value, datetime.datetime):
        return _checked_date(value.date(), today, value)
    if isinstance(value, datetime.date):
        return _checked_date(value, today, value)
    if isinstance(value, bool):
        return None, None, _unreadable_date(cell_text(value)), None
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return None, None, _unreadable_date(cell_text(value)), None
        year = int(value)
        if 1000 <= year <= 9999:
            return _checked_year(year, today, None)
        return None, None, _serial_date(cell_text(value)), None
    if not isinstance(value, str):
        return None, None, _unreadable_date(cell_text(value)), None
    text = value.strip().upper()
    if not text:
        return None, None, _("Chưa có ngày sinh."), None
    match = _YEAR_ONLY_PLACEHOLDER.fullmatch(text)
    if match:
        return _checked_year(int(match[1]), today, None)
    parts = written_date(text)
    if parts is not None:
        return _built_date(*parts, today, value.strip())
    match = _MONTH_YEAR.fullmatch(text)
    if match:
        month_text = match[1]
        year = int(match[2])
        warning = None
        if month_text.isdigit() and int(month_text) != 0:
            if not 1 <= int(month_text) <= 12:
                return None, None, _unreadable_date(value.strip()), None
            warning = _("Ngày sinh chỉ có tháng và năm (%(value)s): chỉ lưu năm sinh %(year)d.") % {
                "value": value.strip(),
                "year": year,
            }
        return _checked_year(year, today, warning)
    match = _YEAR.fullmatch(fold_name(text))
    if match:
        return _checked_year(int(match[1]), today, None)
    return None, None, _unreadable_date(value.strip()), None


def _built_date(year: int, month: int, day: int, today: datetime.date, written: str) -> BirthResult:
    try:
        date = datetime.date(year, month, day)
    except ValueError:
        return (
            None,
            None,
            _("Ngày sinh %(value)s không tồn tại (sai ngày hoặc tháng).") % {"value": written},
            None,
        )
    return _checked_date(date, today, written)


def _checked_date(date: datetime.date, today: datetime.date, written: object) -> BirthResult:
    """``written`` is the cell (text or date), turned into text only for a message."""
    if date > today:
        return (
            None,
            None,
            _("Ngày sinh %(value)s sau ngày hôm nay.") % {"value": cell_text(written)},
            None,
        )
    if date.year < MIN_BIRTH_YEAR:
        return None, None, _implausible_year(date.year), None
    return date, date.year, None, None


def _checked_year(year: int, today: datetime.date, warning: str | None) -> BirthResult:
    if year > today.year:
        return None, None, _("Năm sinh %(year)d sau năm hiện tại.") % {"year": year}, None
    if year < MIN_BIRTH_YEAR:
        return None, None, _implausible_year(year), None
    return None, year, None, warning


def _implausible_year(year: int) -> str:
    return _("Năm sinh %(year)d không hợp lý (trước năm %(min)d).") % {
        "year": year,
        "min": MIN_BIRTH_YEAR,
    }


def _unreadable_date(written: str) -> str:
    return _(
        "Không đọc được ngày sinh “%(value)s”: hãy ghi dạng ngày/tháng/năm (15/03/1950) "
        "hoặc chỉ năm sinh (1950)."
    ) % {"value": written}


def _serial_date(written: str) -> str:
    return _(
        "Ô ngày sinh là một con số (%(value)s), không phải ngày: hãy định dạng ô là "
        "ngày (Date) hoặc ghi dạng 15/03/1950."
    ) % {"value": written}


# --- Gender ------------------------------------------------------------------------

Gender = Literal["M", "F"]

GENDER_WORDS: dict[str, Gender] = {
    "NAM": "M",
    "NAMGIOI": "M",
    "TRAI": "M",
    "NU": "F",
    "NUGIOI": "F",
    "GAI": "F",
}


def parse_gender(value: object) -> Gender | None:
    """``M``/``F`` from ``Nam``, ``Nữ``, ``nam``, ``nu``, ``NỮ``…; ``None`` if unknown."""
    if not isinstance(value, str):
        return None
    return GENDER_WORDS.get(fold_key(value))


# --- Coefficient -------------------------------------------------------------------

_COEFFICIENT = re.compile(r"[0-9]{1,2}(?:[.,][0-9]{1,2})?")
#: ``category.coefficient`` is ``max_digits=4, decimal_places=2``.
MAX_COEFFICIENT = Decimal("99.99")


def parse_coefficient(value: object) -> tuple[Decimal | None, str | None]:
    """A coefficient (hệ số) as an exact ``Decimal``, or an error message.

    ``1,5`` (Vietnamese decimal comma), ``1.5`` and a numeric cell ``1.5`` all
    give ``Decimal("1.5")``. A float goes through ``repr`` so that ``1.5``
    does not become ``1.5000000000000000000001``. At most two decimals, as the
    registry stores them.
    """
    if isinstance(value, bool):
        return None, _bad_coefficient(cell_text(value))
    if isinstance(value, int | float):
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:
            return None, _bad_coefficient(cell_text(value))
        if not number.is_finite() or number != number.quantize(Decimal("0.01")):
            return None, _bad_coefficient(cell_text(value))
    elif isinstance(value, str):
        text = value.strip()
        if not _COEFFICIENT.fullmatch(text):
            return None, _bad_coefficient(text)
        number = Decimal(text.replace(",", "."))
    else:
        return None, _bad_coefficient(cell_text(value))
    if number <= 0 or number > MAX_COEFFICIENT:
        return None, _bad_coefficient(cell_text(value))
    # 1,50 and 1.5 give the same Decimal("1.5"); normalize() alone would print 10 as 1E+1.
    return (
        number.quantize(Decimal(1)) if number == number.to_integral() else number.normalize()
    ), None


def _bad_coefficient(written: str) -> str:
    return _(
        "Hệ số “%(value)s” không hợp lệ: hãy ghi một số dương có tối đa 2 chữ số thập phân "
        "(ví dụ 1,5)."
    ) % {"value": written}


# --- Payment method and receiver -----------------------------------------------------

Method = Literal["account", "cash", "home"]
ReceiverKind = Literal["self", "proxy", "guardian"]


def _keys(words: str) -> list[str]:
    return [fold_key(word) for word in words.split("|")]


#: Folded words of the payment-method column -> (method, e-wallet).
METHOD_WORDS: dict[str, tuple[Method, bool]] = {
    **dict.fromkeys(
        _keys(
            "Tài khoản|Qua tài khoản|Chuyển khoản|ATM|Thẻ ATM|Qua thẻ ATM|Ngân hàng|"
            "Qua ngân hàng|Tài khoản ngân hàng|CK|Không dùng tiền mặt"
        ),
        ("account", False),
    ),
    **dict.fromkeys(
        _keys("Ví điện tử|Mobile Money|Qua ví điện tử|Ví|Mobile-Money|MM|Tài khoản ví"),
        ("account", True),
    ),
    **dict.fromkeys(
        _keys(
            "Tiền mặt|Bưu điện|Tại điểm chi trả|Điểm chi trả|Qua bưu điện|Nhận tiền mặt|"
            "Tiền mặt tại điểm chi trả|Trực tiếp|Chi trả trực tiếp"
        ),
        ("cash", False),
    ),
    **dict.fromkeys(
        _keys("Tại nhà|Chi trả tại nhà|Nhận tại nhà|Tiền mặt tại nhà|Trả tại nhà"),
        ("home", False),
    ),
}

#: Folded words of the receiver column -> receiver kind.
RECEIVER_WORDS: dict[str, ReceiverKind] = {
    **dict.fromkeys(
        _keys("Bản thân|Chính chủ|Tự nhận|Đối tượng|Đối tượng tự nhận|Bản thân đối tượng"),
        "self",
    ),
    **dict.fromkeys(
        _keys("Ủy quyền|Người được ủy quyền|Nhận thay|Người nhận thay|Được ủy quyền|Nhận hộ"),
        "proxy",
    ),
    **dict.fromkeys(_keys("Giám hộ|Người giám hộ"), "guardian"),
}


# --- Banks --------------------------------------------------------------------------
#
# Banks are written every possible way: "NHNo&PTNT Hà Trung", "Ngân hàng
# Agribank - CN Hà Trung", "NH Nông nghiệp", "Agribank chi nhánh Hà Trung".
# Every name, in the reference and in a cell, is reduced to the same series
# of keys, most specific first; the first key the reference knows wins.

_BRANCH = re.compile(
    r"\s*(?:[-–,(/]\s*)?\b(?:CHI NHANH|CN|PGD|PHONG GIAO DICH|SO GIAO DICH|SGD|DIEM GIAO DICH)\b.*$"
)
_DASH_SUFFIX = re.compile(r"\s+[-–]\s+.*$")
_BANK_PREFIX = re.compile(r"^(?:NGAN HANG|NH)\b\.?\s*")
_LEGAL_FORM = re.compile(
    r"\b(?:TMCP|TM|TNHH|MTV|THUONG MAI CO PHAN|CO PHAN|TRACH NHIEM HUU HAN|MOT THANH VIEN)\b"
)
_TRAILING_COUNTRY = re.compile(r"\s*\(?\s*VIET NAM\s*\)?\s*$")


def bank_keys(text: str) -> list[str]:
    """The keys a bank name is looked up by, most specific first.

    From ``Ngân hàng TMCP Công thương Việt Nam - CN Hà Trung``: the whole
    name, without the branch, without the ``Ngân hàng``/``NH`` prefix, without
    the legal form (TMCP, TNHH MTV) and without a trailing ``Việt Nam``, so
    the cell matches ``Công thương``, ``VietinBank`` (through the reference's
    own keys) or the full name alike. Words are dropped only by these rules;
    :func:`bank_fallback_keys` drops trailing words as a last resort.
    """
    folded = fold_name(text)
    bases = [folded]
    for pattern in (_BRANCH, _DASH_SUFFIX):
        stripped = pattern.sub("", folded).strip()
        if stripped and stripped not in bases:
            bases.append(stripped)
    keys: list[str] = []
    for base in bases:
        without_prefix = _BANK_PREFIX.sub("", base)
        without_form = " ".join(_LEGAL_FORM.sub(" ", without_prefix).split())
        without_country = _TRAILING_COUNTRY.sub("", without_form)
        for variant in (base, without_prefix, without_form, without_country):
            key = fold_key(variant)
            if key and key not in keys:
                keys.append(key)
    return keys


def bank_fallback_keys(text: str) -> list[str]:
    """Keys with trailing words dropped one by one: ``Agribank Hà Trung`` -> ``AGRIBANK``.

    A branch is often written without ``CN``/``chi nhánh``. Dropping words
    from the end keeps at least one word and tries the longest first, so
    ``Sài Gòn Công Thương Hà Trung`` finds SaigonBank before a shorter name.
    """
    words = _BANK_PREFIX.sub("", _BRANCH.sub("", fold_name(text))).split()
    keys: list[str] = []
    for end in range(len(words) - 1, 0, -1):
        key = fold_key(" ".join(words[:end]))
        if key and key not in keys:
            keys.append(key)
    return keys
