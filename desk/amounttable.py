"""A decree's table of NCC fixed amounts as a workbook: the sample, the reading.

One row per category: *Mã đối tượng* (the category code, e.g. ``NCC_A``),
*Số tiền* (whole đồng a month) and *Áp dụng từ tháng* (mm/yyyy). The file is
read through the one spreadsheet reader (:func:`documents.spreadsheet.read_table`)
and every row checked before anything else: an unknown category, a category
paid base level × coefficient, an amount that is not a positive whole number of
đồng, a month that is not one, a category twice — the whole file is refused
with the list of its row errors. A row with neither amount nor month is left
out (the sample lists every category; fill in those the decree changes).

Between the preview and the confirmation the table travels in the page's
address as text (:func:`encode_table`), read back through the same row rules
(:func:`decode_table`).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO

from django.utils.translation import gettext as _

from amounts.changes import FixedAmount
from amounts.services import fixed_amount_problem
from beneficiaries.models import Category, Programme
from core.rules.money import AmountError
from core.rules.months import read_month
from documents.spreadsheet import (
    HeaderNames,
    RowError,
    WorkbookError,
    cell_amount,
    clean_text,
    missing_columns,
    read_table,
    shown,
)
from documents.xlsx import Column, Sheet, write_xlsx

H_CATEGORY, H_NAME, H_AMOUNT, H_MONTH = "category", "name", "amount", "month"
NAMES = HeaderNames(
    {
        H_CATEGORY: ("Mã đối tượng", "Mã diện", "Mã diện đối tượng", "Mã"),
        H_NAME: ("Tên diện", "Diện đối tượng", "Tên đối tượng"),
        H_AMOUNT: ("Số tiền", "Mức trợ cấp", "Mức hưởng", "Số tiền hằng tháng"),
        H_MONTH: ("Áp dụng từ tháng", "Từ tháng", "Tháng áp dụng"),
    }
)
REQUIRED = (H_CATEGORY, H_AMOUNT, H_MONTH)
SHEET_NAME = "Bảng số tiền"


@dataclass
class ReadTable:
    """The rows of a table, or why it is refused (``errors``; then nothing is used)."""

    rows: list[FixedAmount] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def fixed_categories():
    """The categories a table may name: those of programmes with fixed amounts."""
    return Category.objects.filter(
        programme__amount_mode=Programme.AmountMode.FIXED, coefficient__isnull=True
    ).order_by("programme__order", "code")


def _month(value: object) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date().replace(day=1)
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    if isinstance(value, str):
        return read_month(value)
    return None


class _Checker:
    """The row rules, shared by the file and the page's address."""

    def __init__(self, sheet: str, codes: Sequence[str]) -> None:
        self.sheet = sheet
        wanted = {code.strip().upper() for code in codes if code}
        self.categories = {
            category.code.upper(): category
            for category in Category.objects.filter(code__in=wanted).select_related("programme")
        }
        self.seen: dict[str, int] = {}
        self.result = ReadTable()

    def check(
        self, number: int, code_cell: object, amount_cell: object, month_cell: object, titles
    ) -> None:
        errors = self.result.errors
        before = len(errors)

        def error(column: str, cell: object, message: str) -> None:
            errors.append(RowError(self.sheet, number, titles[column], shown(cell), message))

        code = clean_text(code_cell).upper()
        category = self.categories.get(code)
        if not code:
            error(H_CATEGORY, code_cell, _("Chưa ghi mã đối tượng."))
        elif category is None:
            error(H_CATEGORY, code_cell, _("Không có diện đối tượng mã này."))
        elif problem := fixed_amount_problem(category):
            error(H_CATEGORY, code_cell, problem)
        elif code in self.seen:
            error(
                H_CATEGORY,
                code_cell,
                _("Diện này đã có ở dòng %(row)s: mỗi diện một dòng.") % {"row": self.seen[code]},
            )
        amount = None
        try:
            amount = cell_amount(amount_cell)
        except AmountError as exc:
            error(H_AMOUNT, amount_cell, exc.message)
        else:
            if amount <= 0:
                error(H_AMOUNT, amount_cell, _("Số tiền phải lớn hơn 0 đồng."))
        month = _month(month_cell)
        if month is None:
            error(
                H_MONTH,
                month_cell,
                _("Tháng áp dụng ghi dạng mm/yyyy, ví dụ 07/2026."),
            )
        if category is not None and code not in self.seen:
            self.seen[code] = number
        if len(errors) == before:
            self.result.rows.append(FixedAmount(category, amount, month))


def read_amount_table(source: IO[bytes], *, filename: str = "") -> ReadTable:
    """The table of an uploaded workbook, every row checked; nothing is written."""
    try:
        table = read_table(source, NAMES, filename=filename, data=[H_AMOUNT, H_MONTH])
        missing = table.missing(REQUIRED)
        if missing:
            raise missing_columns(table.sheet, [NAMES.canonical(name) for name in missing])
    except WorkbookError as exc:
        return ReadTable(errors=[RowError("", None, None, "", exc.message)])
    codes = [clean_text(table.cell(row, H_CATEGORY)) for row in table.rows]
    checker = _Checker(table.sheet, codes)
    for row in table.rows:
        amount_cell, month_cell = table.cell(row, H_AMOUNT), table.cell(row, H_MONTH)
        if amount_cell is None and month_cell is None:
            continue  # a category of the sample the decree leaves as it is
        checker.check(
            row.number, table.cell(row, H_CATEGORY), amount_cell, month_cell, table.titles
        )
    result = checker.result
    if not result.rows and not result.errors:
        result.errors.append(
            RowError(
                table.sheet,
                None,
                None,
                "",
                _("Tệp không có dòng nào ghi số tiền và tháng áp dụng."),
            )
        )
    if result.errors:
        result.rows = []
    return result


# --- The table in the page's address ----------------------------------------------


def encode_table(rows: Sequence[FixedAmount]) -> str:
    """``NCC_A:3012000:2026-07;NCC_B:…``"""
    return ";".join(f"{row.category.code}:{row.amount}:{row.from_month:%Y-%m}" for row in rows)


def decode_table(text: str) -> ReadTable:
    """The rows :func:`encode_table` wrote, checked by the same row rules."""
    parts = [part.split(":") for part in (text or "").split(";") if part.strip()]
    checker = _Checker("", [part[0] for part in parts])
    titles = {H_CATEGORY: _("Mã đối tượng"), H_AMOUNT: _("Số tiền"), H_MONTH: _("Tháng")}
    for number, part in enumerate(parts, start=1):
        code, amount, month = (part + ["", "", ""])[:3]
        checker.check(number, code, amount, month, titles)
    result = checker.result
    if not result.rows and not result.errors:
        result.errors.append(RowError("", None, None, "", _("Bảng số tiền trống.")))
    if result.errors:
        result.rows = []
    return result


# --- The sample --------------------------------------------------------------------


def write_amount_template(target: str | IO[bytes]) -> int:
    """A workbook listing the categories with fixed amounts, amounts and months blank."""
    rows = ([category.code, category.short_name, None, None] for category in fixed_categories())
    sheet = Sheet(
        name=SHEET_NAME,
        title_lines=(
            _("BẢNG SỐ TIỀN TRỢ CẤP ƯU ĐÃI HẰNG THÁNG THEO VĂN BẢN"),
            _(
                "Ghi số tiền (đồng) và tháng áp dụng (mm/yyyy) cho các diện văn bản thay đổi; "
                "để trống cả hai ở các diện không đổi."
            ),
        ),
        columns=[
            Column("Mã đối tượng", width=16),
            Column("Tên diện", width=40),
            Column("Số tiền", kind="money", width=16),
            Column("Áp dụng từ tháng", width=18),
        ],
        rows=rows,
        landscape=False,
    )
    return write_xlsx(target, [sheet])


def error_lines(errors: Sequence[RowError]) -> list[str]:
    return [str(error) for error in errors]


__all__ = [
    "ReadTable",
    "decode_table",
    "encode_table",
    "error_lines",
    "fixed_categories",
    "read_amount_table",
    "write_amount_template",
]
