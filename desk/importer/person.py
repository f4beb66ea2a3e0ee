"""A registry row's person: name, birth, gender, personal ID, village, phone.

Each step reads its cells from the row, reports what is wrong through the
sheet's context and returns what it could read; the row parser calls them in
the order the user reads the columns, so issues come out in that order.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.rules.accounts import PhoneError, normalize_phone
from core.rules.cccd import (
    CccdError,
    CccdInfo,
    check_cccd_against_record,
    normalize_cccd,
    parse_cccd,
)
from desk.importer.context import SheetContext
from desk.importer.encoding import name_encoding_error
from desk.importer.values import parse_birth, parse_gender
from documents.spreadsheet import cell_text

#: People from this age must have a personal ID (Luật Căn cước 2023).
ID_REQUIRED_FROM_AGE = 14

Cells = tuple[object, ...]


@dataclass(slots=True)
class PersonFields:
    full_name: str
    birth_date: datetime.date | None
    birth_year: int | None
    gender: str | None
    personal_id: str | None
    village: str


def read_person(ctx: SheetContext, r: int, row: Cells, stored_name: object) -> PersonFields:
    """The person of row ``r``; ``stored_name`` is the name cell before any conversion."""
    full_name = _name(ctx, r, row, stored_name)
    gender, birth_name, raw_birth = _split_birth(ctx, r, row)
    birth_date, birth_year = _birth(ctx, r, birth_name, raw_birth)
    gender = _gender(ctx, r, row, gender)
    personal_id = _own_personal_id(ctx, r, row, birth_date, birth_year, gender)
    raw_village = row[ctx.cols.village]
    village = ctx.text(raw_village)
    if not village:
        ctx.error(r, "village", raw_village, _("Chưa có thôn (nơi ở)."))
    return PersonFields(full_name, birth_date, birth_year, gender, personal_id, village)


def _name(ctx: SheetContext, r: int, row: Cells, stored_name: object) -> str:
    raw_name = row[ctx.cols.name]
    full_name = ctx.text(raw_name)
    if not full_name:
        ctx.error(r, "full_name", raw_name, _("Chưa có họ và tên."))
    elif isinstance(stored_name, str) and not stored_name.isascii():
        message = name_encoding_error(stored_name, ctx.legacy)
        if message is not None:
            ctx.error(r, "full_name", stored_name, message)
    return full_name


def _split_birth(ctx: SheetContext, r: int, row: Cells) -> tuple[str | None, str, object]:
    """``(gender, field, raw birth)``: a date under ``Nam`` or ``Nữ`` also gives the gender."""
    cols = ctx.cols
    if not cols.split_birth:
        return None, "birth_date", row[cols.birth]
    male_value, female_value = row[cols.birth_male], row[cols.birth_female]
    if male_value is not None and female_value is not None:
        ctx.error(
            r,
            "birth_male",
            f"{cell_text(male_value)} | {cell_text(female_value)}",
            _("Ngày sinh ghi ở cả cột Nam và cột Nữ: chỉ ghi vào cột đúng giới tính."),
        )
        return None, "birth_male", None
    if male_value is None and female_value is None:
        ctx.error(
            r,
            "birth_male",
            "",
            _("Chưa có ngày sinh: ghi vào cột Nam hoặc cột Nữ theo giới tính."),
        )
        return None, "birth_male", None
    if male_value is not None:
        return "M", "birth_male", male_value
    return "F", "birth_female", female_value


def _birth(
    ctx: SheetContext, r: int, name: str, raw: object
) -> tuple[datetime.date | None, int | None]:
    if raw is None and ctx.cols.split_birth:
        return None, None  # already reported with the split columns
    birth_date, birth_year, error, warning = parse_birth(raw, today=ctx.today)
    if error is not None:
        ctx.error(r, name, raw, error)
    elif warning is not None:
        ctx.warning(r, name, raw, warning)
    return birth_date, birth_year


def _gender(ctx: SheetContext, r: int, row: Cells, gender: str | None) -> str | None:
    """The gender column, else the ``Nam``/``Nữ`` marks, else what the birth columns said."""
    cols = ctx.cols
    raw_gender = row[cols.gender]
    if raw_gender is not None:
        gender = parse_gender(raw_gender)
        if gender is None:
            ctx.error(
                r,
                "gender",
                raw_gender,
                _("Giới tính “%(value)s” không hợp lệ: ghi Nam hoặc Nữ.")
                % {"value": cell_text(raw_gender)},
            )
    elif cols.marks:
        male_mark = row[cols.male] is not None
        female_mark = row[cols.female] is not None
        if male_mark and female_mark:
            ctx.error(
                r,
                "male",
                f"{cell_text(row[cols.male])} | {cell_text(row[cols.female])}",
                _("Đánh dấu cả cột Nam và cột Nữ: chỉ đánh dấu một cột."),
            )
        elif male_mark or female_mark:
            gender = "M" if male_mark else "F"
        elif gender is None:
            ctx.error(r, "male", "", _("Chưa đánh dấu giới tính (cột Nam hoặc cột Nữ)."))
    elif gender is None and not cols.split_birth:
        ctx.error(r, "gender", raw_gender, _("Chưa có giới tính."))
    return gender


def _own_personal_id(
    ctx: SheetContext,
    r: int,
    row: Cells,
    birth_date: datetime.date | None,
    birth_year: int | None,
    gender: str | None,
) -> str | None:
    """The beneficiary's personal ID, required from the age of 14."""
    raw_id = row[ctx.cols.personal_id]
    number = personal_id(ctx, r, "personal_id", raw_id, birth_year, gender)
    if raw_id is None and birth_year is not None and not _under_id_age(ctx, birth_date, birth_year):
        ctx.error(
            r,
            "personal_id",
            raw_id,
            _(
                "Số CCCD bắt buộc với người từ %(age)d tuổi (chỉ trẻ em dưới %(age)d tuổi "
                "được để trống)."
            )
            % {"age": ID_REQUIRED_FROM_AGE},
        )
    return number


def personal_id(
    ctx: SheetContext,
    r: int,
    name: str,
    raw: object,
    birth_year: int | None,
    gender: str | None,
) -> str | None:
    """Normalise and check a personal ID; ``None`` when blank or wrong (error reported).

    The beneficiary's is checked against the birth year and gender of the
    row (``name`` ``personal_id``); a representative's on its own.
    """
    if raw is None:
        return None
    try:
        number, warnings = normalize_cccd(raw)  # type: ignore[arg-type]
        info: CccdInfo = parse_cccd(
            number, known_provinces=ctx.reference.known_provinces, today=ctx.today
        )
    except CccdError as exc:
        ctx.error(r, name, raw, exc.message)
        return None
    if name == "personal_id":
        male = None if gender is None else gender == "M"
        record = check_cccd_against_record(info, birth_year=birth_year, male=male)
    else:
        record = check_cccd_against_record(info, birth_year=None, male=None)
    for warning in [*warnings, *record]:
        ctx.warning(r, name, raw, warning)
    return number


def _under_id_age(ctx: SheetContext, birth_date: datetime.date | None, birth_year: int) -> bool:
    """Whether the person may be under 14 today (a year alone gives the benefit of the doubt)."""
    today = ctx.today
    if birth_date is not None:
        age = (
            today.year
            - birth_date.year
            - ((today.month, today.day) < (birth_date.month, birth_date.day))
        )
    else:
        age = today.year - birth_year - 1
    return age < ID_REQUIRED_FROM_AGE


def read_phone(ctx: SheetContext, r: int, row: Cells) -> str:
    raw_phone = row[ctx.cols.phone]
    if raw_phone is None:
        return ""
    try:
        return normalize_phone(raw_phone)  # type: ignore[arg-type]
    except PhoneError as exc:
        ctx.error(r, "phone", raw_phone, exc.message)
        return ""
