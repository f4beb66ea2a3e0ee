"""Amounts of money: whole đồng, read from spreadsheets, printed the Vietnamese way.

Vietnamese writes ``1.080.000`` (dot for thousands, comma for decimals), but
spreadsheets made on English-locale machines write ``1,080,000``; both are read.
Allowances are whole đồng, so a fractional part is an error rather than
something to round.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

CURRENCY_SYMBOL = "đ"
CURRENCY_WORD = "đồng"

# A unit after the number: "đ", "đồng", "VNĐ", "VND", "₫", or "d"/"dong"
# typed without diacritics, optionally with a full stop ("1.080.000 đ.").
_UNIT = re.compile(r"\s*(?:vnđ|vnd|đồng|dong|đ|₫|d)\.?$", re.IGNORECASE)
# Spaces used between digit groups: normal, NBSP, narrow NBSP, thin space.
_SPACES = re.compile(r"[\u00a0\u202f\u2009\u2007 ]+")
# ASCII digits only ([0-9], not \d, which would accept other scripts' digits).
# Integer part: plain digits, or groups of three separated by one consistent
# character (dot, comma or space); then an optional decimal part of one or two
# digits after a dot or comma. A separator followed by exactly three digits is
# therefore always a thousands separator ("1.080" is 1080, "1,500" is 1500).
_NUMBER = re.compile(
    r"(?P<int>[0-9]{1,3}(?P<sep>[., ])[0-9]{3}(?:(?P=sep)[0-9]{3})*|[0-9]+)"
    r"(?:(?P<dec>[.,])(?P<frac>[0-9]{1,2}))?"
)
_NEGATIVE = re.compile(r"^[-\u2212\u2013]|^\(.*\)$")


class AmountError(ValueError):
    """An amount that cannot be read.

    ``message`` is a user-facing Vietnamese string; ``code`` is one of
    ``empty``, ``type``, ``negative``, ``fractional``, ``format``.
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _fractional_error() -> AmountError:
    return AmountError(
        _("Số tiền phải là số đồng chẵn, không có phần thập phân."),
        "fractional",
    )


def _negative_error() -> AmountError:
    return AmountError(_("Số tiền không được là số âm."), "negative")


def parse_amount(value: str | int | float | Decimal | None) -> int:
    """Whole đồng from a spreadsheet cell.

    Numbers: an ``int`` is taken as is, a ``float``/``Decimal`` only when its
    value is integral. Text: ``2055000``, ``2.055.000``, ``2,055,000``,
    ``2 055 000``, optionally followed by ``đ``, ``đồng``, ``VNĐ``, ``VND`` or
    ``₫``; a zero decimal part (``1.080.000,00``) is accepted. Rejected with
    :class:`AmountError`: ``None``/empty, booleans, negative amounts (``-5``,
    ``(5)``), a non-zero fractional part (``1.080.000,50``), and anything
    ambiguous or malformed (``12345.678``, ``1.080,000``, ``2 triệu``). Zero is
    returned as ``0``; whether zero is acceptable is the caller's decision.
    """
    if value is None:
        raise AmountError(_("Chưa có số tiền."), "empty")
    if isinstance(value, bool):
        raise AmountError(_("Số tiền không hợp lệ."), "type")
    if isinstance(value, int):
        if value < 0:
            raise _negative_error()
        return value
    if isinstance(value, float | Decimal):
        finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
        if not finite:
            raise AmountError(_("Số tiền không hợp lệ."), "type")
        if value < 0:
            raise _negative_error()
        if value != int(value):
            raise _fractional_error()
        return int(value)
    if not isinstance(value, str):
        raise AmountError(_("Số tiền không hợp lệ."), "type")
    return _parse_amount_text(value)


def _parse_amount_text(value: str) -> int:
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()
    text = _UNIT.sub("", text).strip()
    if not text:
        raise AmountError(_("Chưa có số tiền."), "empty")
    if _NEGATIVE.search(text):
        raise _negative_error()
    match = _NUMBER.fullmatch(text)
    if match is None or (match["sep"] and match["sep"] == match["dec"]):
        raise AmountError(
            _("Không đọc được số tiền “%(value)s”: hãy ghi dạng 1.080.000 hoặc 1080000.")
            % {"value": value.strip()},
            "format",
        )
    if match["frac"] and int(match["frac"]) != 0:
        raise _fractional_error()
    return int(re.sub(r"[^0-9]", "", match["int"]))


def format_amount(n: int, *, unit: bool = True) -> str:
    """``1.080.000 đ``: dots between thousands, then a space and ``đ``.

    A negative number (a correction, a reversed payment) keeps its leading
    minus. ``unit=False`` gives the bare number for table cells whose header
    already names the unit.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"format_amount expects an int, got {type(n).__name__}")
    digits = f"{abs(n):,}".replace(",", ".")
    text = f"-{digits}" if n < 0 else digits
    return f"{text} {CURRENCY_SYMBOL}" if unit else text


_DIGIT_WORDS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_BILLION = 1_000_000_000


def _read_group(number: int, *, full: bool) -> list[str]:
    """Words for 0 < number < 1000.

    ``full`` is set when a higher group was already read: the hundreds are then
    always said (``không trăm``) and a lone units digit takes ``lẻ``, so that
    ``1.005`` reads "một nghìn không trăm lẻ năm" and cannot be misheard.
    """
    hundreds, rest = divmod(number, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    with_hundreds = full or hundreds > 0
    if with_hundreds:
        words += [_DIGIT_WORDS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if with_hundreds:
                words.append("lẻ")
            words.append(_DIGIT_WORDS[units])
        return words
    if tens == 1:
        words.append("mười")
    else:
        words += [_DIGIT_WORDS[tens], "mươi"]
    if units == 1:
        words.append("mốt" if tens > 1 else "một")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(_DIGIT_WORDS[units])
    return words


def _read_below_billion(number: int, *, full: bool) -> list[str]:
    """Words for 0 < number < 10⁹: triệu, nghìn and units groups, zero groups skipped."""
    words: list[str] = []
    for scale, word in ((1_000_000, "triệu"), (1_000, "nghìn"), (1, "")):
        group = number // scale % 1000
        if group == 0:
            continue
        words += _read_group(group, full=full)
        if word:
            words.append(word)
        full = True
    return words


def _read(number: int) -> list[str]:
    """Words for number > 0; amounts of 10⁹ and more recurse on the tỷ count."""
    if number < _BILLION:
        return _read_below_billion(number, full=False)
    billions, rest = divmod(number, _BILLION)
    words = [*_read(billions), "tỷ"]
    if rest:
        words += _read_below_billion(rest, full=True)
    return words


def amount_in_words(n: int) -> str:
    """The amount read out, as on the "Bằng chữ: …" line of a financial list.

    Convention (the one of Vietnamese accounting software such as MISA):

    * groups of three digits are read with ``nghìn``, ``triệu``, ``tỷ``; above
      999 tỷ the count of tỷ is itself read the same way (``một nghìn tỷ``,
      ``một triệu tỷ``);
    * a group that is entirely zero is skipped (``một triệu không trăm lẻ một``
      for 1.000.001, ``một tỷ đồng`` for 10⁹);
    * a group after a non-zero higher group is read in full, with
      ``không trăm`` and ``lẻ`` (``một nghìn không trăm mười``, ``một tỷ không
      trăm lẻ năm``);
    * ``mười`` for 10-19, ``mươi`` after 2-9; ``mốt`` for 1 after ``mươi``
      (``hai mươi mốt``) but ``một`` after ``mười`` and ``lẻ``; ``lăm`` for 5
      after a tens word (``mười lăm``, ``hai mươi lăm``) but ``năm`` after
      ``lẻ``; ``bốn`` is always ``bốn`` (never ``tư``);
    * first letter capitalised, ending in `` đồng``; zero is ``Không đồng``.

    Negative amounts raise :class:`ValueError`: a list never totals below zero.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"amount_in_words expects an int, got {type(n).__name__}")
    if n < 0:
        raise ValueError("amount_in_words does not read negative amounts")
    words = _read(n) if n else [_DIGIT_WORDS[0]]
    text = " ".join([*words, CURRENCY_WORD])
    return text[0].upper() + text[1:]


def coefficient_amount(base: int, coefficient: Decimal | int | str) -> int:
    """Base level × coefficient in whole đồng, half up (the SQL that re-rates entitlements
    computes the same: ``(base * round(coefficient * 100) + 50) / 100``)."""
    hundredths = int((Decimal(coefficient) * 100).to_integral_value())
    return (base * hundredths + 50) // 100
