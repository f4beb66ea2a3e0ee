"""Bank account numbers, e-wallet identifiers and Vietnamese mobile numbers.

Account numbers are identifiers, not quantities: they are kept as digit
strings. Excel shows the danger of the other view: a number typed into a
numeric cell keeps only 15 significant digits, so a 16-19 digit account number
silently loses its last digits. That is irrecoverable, so such cells are refused
with a message asking for the column to be formatted as text.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

MIN_ACCOUNT_DIGITS = 6
MAX_ACCOUNT_DIGITS = 19
#: Excel keeps 15 significant digits: a numeric cell of 16+ digits is damaged.
EXCEL_SAFE_DIGITS = 15
PHONE_DIGITS = 10

# Separators people type inside account and phone numbers.
_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015\u200b-\u200d\u2060\ufeff()']")
# What Excel or a CSV export shows for a large number: 1.23457E+15, 1,23457E+15.
_EXPONENT = re.compile(r"\d+(?:[.,]\d+)?[eE][+-]?\d+")
_DIGITS = re.compile(r"[0-9]+")
# Mobile numbers since the 2018 renumbering: 03x, 05x, 07x, 08x, 09x, 10 digits.
_MOBILE = re.compile(r"0[35789][0-9]{8}")


class AccountNumberError(ValueError):
    """An account number that cannot be accepted.

    ``message`` is user-facing Vietnamese; ``code`` is one of ``empty``,
    ``type``, ``excel``, ``format``, ``length``, ``phone``.
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class PhoneError(ValueError):
    """A phone number that is not a Vietnamese mobile number.

    ``message`` is user-facing Vietnamese; ``code`` is one of ``empty``,
    ``type``, ``format``.
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _excel_error() -> AccountNumberError:
    return AccountNumberError(
        _(
            "Số tài khoản đã bị Excel làm tròn (ô dạng số chỉ giữ 15 chữ số): "
            "hãy định dạng cột là văn bản (Text) và gõ lại số tài khoản."
        ),
        "excel",
    )


def _number_cell_digits(value: int | float | Decimal) -> str:
    """Digits of a numeric cell, refusing what Excel cannot have stored exactly."""
    if isinstance(value, float | Decimal):
        finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
        if not finite or value != int(value):
            raise AccountNumberError(
                _("Số tài khoản chỉ gồm chữ số, không có phần thập phân."), "format"
            )
        value = int(value)
    if value < 0:
        raise AccountNumberError(_("Số tài khoản không được là số âm."), "format")
    digits = str(value)
    if len(digits) > EXCEL_SAFE_DIGITS:
        raise _excel_error()
    return digits


def normalize_account_number(
    value: str | int | float | Decimal | None, *, ewallet: bool = False
) -> str:
    """The account number as a digit string.

    Bank accounts: 6-19 digits once spaces, dots and dashes are removed.
    E-wallets (``ewallet=True``) are usually identified by the holder's mobile
    number: ``+84 912 345 678``, ``84912345678`` and ``0912345678`` all give
    ``0912345678``; an identifier that is not a phone number is checked as a
    bank account number. A leading ``+`` is only allowed for e-wallets.

    Numeric cells: 16 digits or more raise (Excel has already replaced the last
    digits with zeros), and so do fractional values. A numeric cell also loses
    leading zeros; that cannot be detected for a bank account, which is why
    account columns should be text. For e-wallets a 9-digit number regains the
    leading 0 of the phone number. Text in exponent form (``1,23457E+15``) is
    what Excel displays for such a damaged number and raises the same error.
    """
    if value is None:
        raise AccountNumberError(_("Chưa có số tài khoản."), "empty")
    if isinstance(value, bool):
        raise AccountNumberError(_("Số tài khoản không hợp lệ."), "type")
    if isinstance(value, int | float | Decimal):
        digits = _number_cell_digits(value)
        if ewallet:
            try:
                return normalize_phone(int(digits))
            except PhoneError:
                pass
        return _check_account_digits(digits)
    if not isinstance(value, str):
        raise AccountNumberError(_("Số tài khoản không hợp lệ."), "type")
    text = _SEPARATORS.sub("", value)
    if not text:
        raise AccountNumberError(_("Chưa có số tài khoản."), "empty")
    if _EXPONENT.fullmatch(text):
        raise _excel_error()
    if ewallet:
        try:
            return normalize_phone(text)
        except PhoneError as exc:
            if text.startswith("+"):
                raise AccountNumberError(
                    _("Số điện thoại của ví điện tử không hợp lệ: %(reason)s")
                    % {"reason": exc.message},
                    "phone",
                ) from exc
    if not _DIGITS.fullmatch(text):
        raise AccountNumberError(
            _("Số tài khoản chỉ gồm chữ số (được phép có dấu cách, dấu chấm, gạch ngang)."),
            "format",
        )
    return _check_account_digits(text)


def _check_account_digits(digits: str) -> str:
    if not MIN_ACCOUNT_DIGITS <= len(digits) <= MAX_ACCOUNT_DIGITS:
        raise AccountNumberError(
            _("Số tài khoản phải có từ 6 đến 19 chữ số (số này có %(count)d chữ số).")
            % {"count": len(digits)},
            "length",
        )
    return digits


def normalize_phone(value: str | int | float | Decimal | None) -> str:
    """A Vietnamese mobile number as ``0`` followed by 9 digits.

    Accepts ``0912 345 678``, ``0912.345.678``, ``+84 912 345 678``,
    ``(+84) 912345678``, ``84912345678`` and ``0084912345678``. A numeric cell
    lost the leading zero: a 9-digit number (or ``84`` + 9 digits) is restored.
    Mobile prefixes are those in use since the 2018 renumbering (03, 05, 07,
    08, 09); landlines and the old 11-digit mobile numbers raise
    :class:`PhoneError`.
    """
    if value is None:
        raise PhoneError(_("Chưa có số điện thoại."), "empty")
    if isinstance(value, bool):
        raise PhoneError(_("Số điện thoại không hợp lệ."), "type")
    if isinstance(value, int | float | Decimal):
        if isinstance(value, float | Decimal):
            finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
            if not finite or value != int(value):
                raise PhoneError(_("Số điện thoại chỉ gồm chữ số."), "format")
            value = int(value)
        if value < 0:
            raise PhoneError(_("Số điện thoại chỉ gồm chữ số."), "format")
        text = str(value)
        if len(text) == PHONE_DIGITS - 1:
            text = "0" + text
    elif isinstance(value, str):
        text = _SEPARATORS.sub("", value)
        if not text:
            raise PhoneError(_("Chưa có số điện thoại."), "empty")
    else:
        raise PhoneError(_("Số điện thoại không hợp lệ."), "type")
    for prefix in ("+84", "0084", "84"):
        rest = text.removeprefix(prefix)
        if rest != text and (len(rest) == PHONE_DIGITS - 1 or rest.startswith("0")):
            text = rest if rest.startswith("0") else "0" + rest
            break
    if not _MOBILE.fullmatch(text):
        raise PhoneError(
            _(
                "Số điện thoại di động phải có 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09 "
                "(có thể ghi +84)."
            ),
            "format",
        )
    return text
