"""The one writer every .xlsx and .csv export goes through.

An export is a header plus an iterable of rows (pretix's ListExporter idea);
this module renders it in constant memory with XlsxWriter, formats
identifiers as text (a CCCD or account number must never become a number
that loses digits), and escapes text that a spreadsheet would read as a
formula.

A sheet may carry a :class:`Document`: the official layout of Nghị định
30/2020 (Phụ lục I) around the table — issuing body and national motto,
title and summary, a totals row with the amount in words, place and date,
and the signature columns. In constant-memory mode rows are written strictly
in order, so the document's header goes before the table and its footer
after the last row (the totals are summed while the rows stream).
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any, Literal

import xlsxwriter

from core.rules.money import amount_in_words

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
class Signature:
    """One signature column: its title lines (``KẾ TOÁN``) and the signer's name."""

    title: str  # several lines separated by "\n" ("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH")
    name: str = ""


MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
SIGN_HINT = "(Ký, ghi rõ họ tên)"
SIGNING_SPACE_ROWS = 3


@dataclass(frozen=True)
class Document:
    """The official layout around a sheet's table (written once, here)."""

    issuing_lines: Sequence[str]  # "ỦY BAN NHÂN DÂN", "XÃ YẾN SƠN"
    number_line: str  # "Số:       /DS-UBND"
    place_and_date: str  # "Yến Sơn, ngày 05 tháng 01 năm 2027"
    title: str
    summary_lines: Sequence[str] = ()
    # Money columns summed on the totals row; the first is also read out in words.
    total_columns: Sequence[int] = ()
    totals_label: str = "Tổng cộng"
    signatures: Sequence[Signature] = ()


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    title_lines: Sequence[str] = ()
    # (cell range "A2:A500" style column letter, list source) drop-downs for templates.
    validations: Sequence[tuple[int, dict]] = ()
    landscape: bool = True
    document: Document | None = None


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
        "body": workbook.add_format({**base, "bold": True, "align": "center"}),
        "plain_center": workbook.add_format({**base, "align": "center"}),
        "motto": workbook.add_format({**base, "bold": True, "align": "center", "underline": 1}),
        "italic_center": workbook.add_format({**base, "italic": True, "align": "center"}),
        "doc_title": workbook.add_format(
            {**base, "bold": True, "align": "center", "font_size": 14}
        ),
        "total_label": workbook.add_format({**base, "bold": True, "border": 1, "align": "center"}),
        "total_money": workbook.add_format(
            {**base, "bold": True, "border": 1, "num_format": MONEY_FORMAT}
        ),
        "total_blank": workbook.add_format({**base, "bold": True, "border": 1}),
        "words": workbook.add_format({**base, "italic": True}),
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
        if sheet.document is not None:
            ws.set_footer("&C&P/&N")  # page numbers: the lists run to many pages
            row_no = _write_document_head(ws, sheet.document, last_col, fmt)
        for line in sheet.title_lines:
            _merge(ws, row_no, 0, last_col, line, fmt["title"])
            row_no += 1
        header_row = row_no
        for index, column in enumerate(sheet.columns):
            ws.write_string(row_no, index, column.header, fmt["header"])
        ws.repeat_rows(header_row)
        ws.freeze_panes(header_row + 1, 0)
        row_no += 1
        sums = dict.fromkeys(sheet.document.total_columns if sheet.document else (), 0)
        for values in sheet.rows:
            for index, (column, value) in enumerate(zip(sheet.columns, values, strict=False)):
                _write_cell(ws, row_no, index, column.kind, value, fmt)
            for index in sums:
                if isinstance(values[index], int):
                    sums[index] += values[index]
            row_no += 1
            total += 0 if sheet in hidden else 1
        if sheet.document is not None:
            _write_document_foot(ws, sheet.document, row_no, last_col, sums, fmt)
        for col_index, options in sheet.validations:
            letter = _col_letter(col_index)
            ws.data_validation(f"{letter}{header_row + 2}:{letter}{header_row + 5001}", options)
    workbook.close()
    return total


def _merge(ws, row: int, first: int, last: int, text: str, cell_format) -> None:
    """A merged cell (a single cell when the range is one column wide)."""
    if last > first:
        ws.merge_range(row, first, row, last, text, cell_format)
    else:
        ws.write_string(row, first, text, cell_format)


def _write_document_head(ws, doc: Document, last_col: int, fmt: dict) -> int:
    """Issuing body left, national motto right, then title and summary; returns the next row."""
    split = max(1, (last_col + 1) * 2 // 5)  # the motto is the longer block
    left = [*doc.issuing_lines, doc.number_line]
    right = [*MOTTO, doc.place_and_date]
    left_formats = [fmt["body"]] * len(doc.issuing_lines) + [fmt["plain_center"]]
    right_formats = [fmt["body"], fmt["motto"], fmt["italic_center"]]
    rows = max(len(left), len(right))
    for row in range(rows):
        if row < len(left):
            _merge(ws, row, 0, split - 1, escape_text(left[row]), left_formats[row])
        if row < len(right):
            _merge(ws, row, split, last_col, escape_text(right[row]), right_formats[row])
    row = rows + 1
    _merge(ws, row, 0, last_col, escape_text(doc.title), fmt["doc_title"])
    row += 1
    for line in doc.summary_lines:
        _merge(ws, row, 0, last_col, escape_text(line), fmt["italic_center"])
        row += 1
    return row + 1


def signature_columns(column_count: int, blocks: int) -> list[tuple[int, int]]:
    """The first and last column of each signature block: the width cut in equal parts."""
    bounds = [column_count * i // blocks for i in range(blocks + 1)]
    return [(bounds[i], max(bounds[i], bounds[i + 1] - 1)) for i in range(blocks)]


def _write_document_foot(
    ws, doc: Document, row: int, last_col: int, sums: dict[int, int], fmt: dict
) -> None:
    """Totals row, amount in words, place and date, signature columns."""
    if doc.total_columns:
        first_total = min(doc.total_columns)
        _merge(ws, row, 0, max(first_total - 1, 0), doc.totals_label, fmt["total_label"])
        for col in range(first_total, last_col + 1):
            if col in sums:
                ws.write_number(row, col, sums[col], fmt["total_money"])
            else:
                ws.write_blank(row, col, None, fmt["total_blank"])
        row += 1
        words = amount_in_words(sums[doc.total_columns[0]])
        _merge(ws, row, 0, last_col, f"Bằng chữ: {words}.", fmt["words"])
        row += 1
    if not doc.signatures:
        return
    blocks = signature_columns(last_col + 1, len(doc.signatures))
    row += 1
    last_first, last_last = blocks[-1]
    _merge(ws, row, last_first, last_last, escape_text(doc.place_and_date), fmt["italic_center"])
    row += 1
    titles = [s.title.split("\n") for s in doc.signatures]
    for line in range(max(len(t) for t in titles)):
        for (first, last), lines in zip(blocks, titles, strict=True):
            if line < len(lines):
                _merge(ws, row, first, last, escape_text(lines[line]), fmt["body"])
        row += 1
    for first, last in blocks:
        _merge(ws, row, first, last, SIGN_HINT, fmt["italic_center"])
    row += 1 + SIGNING_SPACE_ROWS
    for (first, last), signature in zip(blocks, doc.signatures, strict=True):
        if signature.name:
            _merge(ws, row, first, last, escape_text(signature.name), fmt["body"])


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
