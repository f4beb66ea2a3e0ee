"""The one writer every .xlsx and .csv export goes through.

An export is a header plus an iterable of rows (pretix's ListExporter idea);
this module renders it in constant memory with XlsxWriter, formats
identifiers as text (a CCCD or account number must never become a number
that loses digits), and escapes text that a spreadsheet would read as a
formula.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any, Literal

import xlsxwriter

Kind = Literal["text", "id", "int", "money", "date", "decimal"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "#,##0"  # Vietnamese Excel shows the thousands separator as a dot
DATE_FORMAT = "dd/mm/yyyy"


def escape_text(value: str) -> str:
    """Text that starts like a formula gets a leading apostrophe (read back by the import)."""
    if value and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unescape_text(value: str) -> str:
    """The inverse of :func:`escape_text`, for the import."""
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = "text"
    width: int = 14


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    title_lines: Sequence[str] = ()
    # (cell range "A2:A500" style column letter, list source) drop-downs for templates.
    validations: Sequence[tuple[int, dict]] = ()
    landscape: bool = True


def _col_letter(index: int) -> str:
    return xlsxwriter.utility.xl_col_to_name(index)


def write_xlsx(
    target: str | IO[bytes], sheets: Sequence[Sheet], *, hidden: Sequence[Sheet] = ()
) -> int:
    """Write the sheets; returns the number of data rows written (all sheets)."""
    workbook = xlsxwriter.Workbook(
        target, {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    base = {"font_name": "Times New Roman", "font_size": 11, "valign": "top"}
    fmt = {
        "title": workbook.add_format({**base, "bold": True, "align": "center", "font_size": 13}),
        "header": workbook.add_format(
            {
                **base,
                "bold": True,
                "align": "center",
                "text_wrap": True,
                "border": 1,
                "bg_color": "#EEF2F6",
            }
        ),
        "text": workbook.add_format({**base, "border": 1}),
        "id": workbook.add_format({**base, "border": 1, "num_format": "@"}),
        "int": workbook.add_format({**base, "border": 1, "num_format": "0"}),
        "money": workbook.add_format({**base, "border": 1, "num_format": MONEY_FORMAT}),
        "date": workbook.add_format({**base, "border": 1, "num_format": DATE_FORMAT}),
        "decimal": workbook.add_format({**base, "border": 1, "num_format": "0.0#"}),
    }
    total = 0
    for sheet in [*sheets, *hidden]:
        ws = workbook.add_worksheet(sheet.name[:31])
        if sheet in hidden:
            ws.hide()
        if sheet.landscape:
            ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        for index, column in enumerate(sheet.columns):
            ws.set_column(index, index, column.width, fmt["id"] if column.kind == "id" else None)
        row_no = 0
        last_col = max(len(sheet.columns) - 1, 0)
        for line in sheet.title_lines:
            ws.merge_range(row_no, 0, row_no, last_col, line, fmt["title"])
            row_no += 1
        header_row = row_no
        for index, column in enumerate(sheet.columns):
            ws.write_string(row_no, index, column.header, fmt["header"])
        ws.repeat_rows(header_row)
        ws.freeze_panes(header_row + 1, 0)
        row_no += 1
        for values in sheet.rows:
            for index, (column, value) in enumerate(zip(sheet.columns, values, strict=False)):
                _write_cell(ws, row_no, index, column.kind, value, fmt)
            row_no += 1
            total += 0 if sheet in hidden else 1
        for col_index, options in sheet.validations:
            letter = _col_letter(col_index)
            ws.data_validation(f"{letter}{header_row + 2}:{letter}{header_row + 5001}", options)
    workbook.close()
    return total


def _write_cell(ws, row: int, col: int, kind: Kind, value: Any, fmt: dict) -> None:
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt["id" if kind == "id" else "text"])
    elif kind in ("money", "int") and isinstance(value, int):
        ws.write_number(row, col, value, fmt[kind])
    elif kind == "decimal" and isinstance(value, Decimal | int | float):
        ws.write_number(row, col, float(value), fmt["decimal"])
    elif kind == "date" and isinstance(value, datetime.date):
        ws.write_datetime(row, col, datetime.datetime.combine(value, datetime.time()), fmt["date"])
    elif kind == "date" and isinstance(value, int):
        ws.write_number(row, col, value, fmt["int"])  # year only
    else:
        ws.write_string(row, col, escape_text(str(value)), fmt["id" if kind == "id" else "text"])


def write_csv(target: IO[str], columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> int:
    """The same table as CSV (UTF-8 with BOM so Excel shows Vietnamese), formulas escaped."""
    target.write("\ufeff")
    writer = csv.writer(target)
    writer.writerow([c.header for c in columns])
    count = 0
    for values in rows:
        out = []
        for column, value in zip(columns, values, strict=False):
            if value is None:
                out.append("")
            elif column.kind == "date" and isinstance(value, datetime.date):
                out.append(value.strftime("%d/%m/%Y"))
            elif isinstance(value, int | Decimal) and column.kind != "id":
                out.append(str(value))
            else:
                out.append(escape_text(str(value)))
        writer.writerow(out)
        count += 1
    return count
