"""The 12-digit personal ID number (CCCD / số định danh cá nhân).

Layout (see the domain README): digits 1-3 are the province where the birth was
*registered* (not where the person lives, so a number is never rejected for not
being 038), or a country code 100-299 for a birth registered abroad; digit 4
encodes century and gender; digits 5-6 are the last two digits of the birth year;
digits 7-12 are a serial. There is no checksum, so the only checks possible are
structural ones plus a comparison with the person's record.

The functions here are pure: the list of province codes and "today" are passed
in, so the reference data stays editable and the tests stay deterministic.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

CCCD_LENGTH = 12
#: The old 9-digit CMND; it stopped being valid on 31/12/2024.
CMND_LENGTH = 9
#: Country codes (birth registered abroad) occupy this range of prefixes.
ABROAD_PREFIXES = range(100, 300)
#: Digit 4 above this means a century after 2099: invalid today.
MAX_CENTURY_DIGIT = 3

_DIGITS_12 = re.compile(r"[0-9]{12}")
_DIGITS = re.compile(r"[0-9]+")
# Spaces of every kind (incl. NBSP, U+202F), dots and dashes people type as
# separators, zero-width characters pasted from the web, and the apostrophe
# Excel users prefix to force a text cell.
_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015\u2212\u200b-\u200d\u2060\ufeff']")


class CccdError(ValueError):
    """A personal ID that cannot be accepted.

    ``message`` is a user-facing Vietnamese string (lazy when it carries no
    values); ``code`` is a short stable identifier for programs and tests:
    ``empty``, ``type``, ``format``, ``cmnd``, ``length``, ``province``,
    ``century``, ``future``.
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class CccdInfo:
    """What a valid number says about its holder."""

    number: str
    province_code: str
    birth_year: int
    male: bool
    abroad: bool


def _digits_from_number(value: int) -> tuple[str, list[str]]:
    """Digits of a numeric spreadsheet cell, restoring lost leading zeros.

    Excel drops the leading zeros of an ID typed into a numeric cell. One zero
    is lost for provinces 010-096 (11 digits left) and two for 001-009 (10
    digits: Hà Nội, Hà Giang, Cao Bằng, Bắc Kạn, Tuyên Quang). Both are
    restored, and the caller is told so; anything shorter cannot be a CCCD.
    """
    if value < 0:
        raise CccdError(_("Số CCCD không được là số âm."), "format")
    digits = str(value)
    if len(digits) == CMND_LENGTH:
        raise CccdError(
            _("Đây là số CMND 9 chữ số (hết hiệu lực từ 31/12/2024); cần số CCCD 12 chữ số."),
            "cmnd",
        )
    if len(digits) in (CCCD_LENGTH - 1, CCCD_LENGTH - 2):
        restored = digits.zfill(CCCD_LENGTH)
        missing = CCCD_LENGTH - len(digits)
        warning = _(
            "Ô Excel định dạng số đã làm mất %(missing)d số 0 ở đầu số CCCD; "
            "đã khôi phục thành %(number)s. Nên định dạng cột CCCD là văn bản."
        ) % {"missing": missing, "number": restored}
        return restored, [warning]
    if len(digits) != CCCD_LENGTH:
        raise CccdError(
            _("Số CCCD phải gồm đúng 12 chữ số (ô này có %(count)d chữ số).")
            % {"count": len(digits)},
            "length",
        )
    return digits, []


def normalize_cccd(value: str | int | float | Decimal | None) -> tuple[str, list[str]]:
    """Return the 12-digit number written in a cell, with warnings.

    Text may contain spaces (including NBSP), dots and dashes between digit
    groups: they are removed. A numeric cell (int, or a float with an integral
    value, as spreadsheet readers return) of 11 or 10 digits lost its leading
    zeros to Excel: they are restored and a warning says so. An 11-character
    *text* value is simply wrong (a digit is missing) and raises, as does
    anything that is not 12 digits in the end. Only the shape is checked here;
    :func:`parse_cccd` checks the meaning.
    """
    if value is None:
        raise CccdError(_("Chưa có số CCCD."), "empty")
    if isinstance(value, bool):
        raise CccdError(_("Số CCCD không hợp lệ."), "type")
    if isinstance(value, int):
        return _digits_from_number(value)
    if isinstance(value, float | Decimal):
        finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
        if not finite or value != int(value):
            raise CccdError(
                _("Số CCCD phải là 12 chữ số, không có phần thập phân."),
                "format",
            )
        return _digits_from_number(int(value))
    if not isinstance(value, str):
        raise CccdError(_("Số CCCD không hợp lệ."), "type")
    text = _SEPARATORS.sub("", value)
    if not text:
        raise CccdError(_("Chưa có số CCCD."), "empty")
    if not _DIGITS.fullmatch(text):
        raise CccdError(
            _("Số CCCD chỉ gồm chữ số (được phép có dấu cách, dấu chấm, gạch ngang)."),
            "format",
        )
    if len(text) == CMND_LENGTH:
        raise CccdError(
            _("Đây là số CMND 9 chữ số (hết hiệu lực từ 31/12/2024); cần số CCCD 12 chữ số."),
            "cmnd",
        )
    if len(text) != CCCD_LENGTH:
        raise CccdError(
            _("Số CCCD phải gồm đúng 12 chữ số (ô này có %(count)d chữ số).")
            % {"count": len(text)},
            "length",
        )
    return text, []


def parse_cccd(number: str, *, known_provinces: frozenset[str], today: datetime.date) -> CccdInfo:
    """Check a normalised 12-digit number and decode it.

    Errors, in this order: not exactly 12 ASCII digits; a prefix below 100 that
    is not a known province (001-096 minus the gaps, and 000, 097-099); a prefix
    from 300 up (not a country code); a century digit above 3 (births after
    2099); a birth year after ``today.year``. Prefixes 100-299 are country codes
    and are accepted with ``abroad=True`` (the caller warns, see
    :func:`check_cccd_against_record`). ``known_provinces`` is authoritative
    for prefixes below 100, so a code added to the reference data is accepted
    without a code change.
    """
    if not isinstance(number, str) or not _DIGITS_12.fullmatch(number):
        raise CccdError(_("Số CCCD phải gồm đúng 12 chữ số."), "length")
    province_code = number[:3]
    prefix = int(province_code)
    abroad = prefix in ABROAD_PREFIXES
    if not abroad and province_code not in known_provinces:
        raise CccdError(
            _("Mã tỉnh %(code)s ở 3 chữ số đầu số CCCD không có trong danh mục tỉnh, thành phố.")
            % {"code": province_code},
            "province",
        )
    century_digit = int(number[3])
    if century_digit > MAX_CENTURY_DIGIT:
        raise CccdError(
            _(
                "Chữ số thứ 4 của số CCCD (%(digit)d) không hợp lệ: chỉ dùng 0-3 "
                "cho người sinh từ 1900 đến 2099."
            )
            % {"digit": century_digit},
            "century",
        )
    birth_year = 1900 + 100 * (century_digit // 2) + int(number[4:6])
    if birth_year > today.year:
        raise CccdError(
            _("Năm sinh theo số CCCD (%(year)d) lớn hơn năm hiện tại.") % {"year": birth_year},
            "future",
        )
    return CccdInfo(
        number=number,
        province_code=province_code,
        birth_year=birth_year,
        male=century_digit % 2 == 0,
        abroad=abroad,
    )


def _gender_label(male: bool) -> str:
    return str(_("Nam")) if male else str(_("Nữ"))


def check_cccd_against_record(
    info: CccdInfo, *, birth_year: int | None, male: bool | None
) -> list[str]:
    """Warnings (never errors) when the number disagrees with the record.

    The number is usually right and the record wrong, or the reverse; either
    way a person must look, so nothing is fixed silently. ``None`` means the
    record does not say, and is not compared. A birth registered abroad is
    unusual enough in a commune list to be pointed out too.
    """
    warnings: list[str] = []
    if birth_year is not None and birth_year != info.birth_year:
        warnings.append(
            _("Năm sinh theo số CCCD (%(cccd)d) khác năm sinh trong hồ sơ (%(record)d).")
            % {"cccd": info.birth_year, "record": birth_year}
        )
    if male is not None and male != info.male:
        warnings.append(
            _("Giới tính theo số CCCD (%(cccd)s) khác giới tính trong hồ sơ (%(record)s).")
            % {"cccd": _gender_label(info.male), "record": _gender_label(male)}
        )
    if info.abroad:
        warnings.append(
            _(
                "Số CCCD bắt đầu bằng mã quốc gia %(code)s (khai sinh đăng ký ở nước ngoài): "
                "đề nghị kiểm tra lại."
            )
            % {"code": info.province_code}
        )
    return warnings
