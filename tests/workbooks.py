"""Reading the generated workbooks without counting on fixed rows.

The official layout puts a heading of varying height above a sheet's table
(issuing body, motto, number and date, title, summary lines, "Kính gửi") and
a footer under it (totals, "Bằng chữ", place and date, signatures, "Nơi
nhận"). Tests find the parts by their text instead::

    header = header_row(ws)              # the table's header row ("STT" in column A)
    assert values(ws, header) == [...]   # the header
    assert table(ws)[0][:2] == [1, "Nguyễn Văn An"]
    totals = totals_row(ws)              # "Tổng cộng"
    assert footer(ws)[0][0].startswith("Bằng chữ:")

Rows and columns are openpyxl's (from 1); ``values`` gives a row as a list,
indexed from 0 like ``ws.iter_rows(values_only=True)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

TOTALS = "Tổng cộng"
#: Money cells: whole đồng with Vietnamese separators (locale 042A: 1.080.000).
MONEY_FORMAT = "[$-42A]#,##0"
PEOPLES_COMMITTEE = "ỦY BAN NHÂN DÂN"
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
MM = 1 / 25.4  # inches


def values(ws: Worksheet, row: int) -> list[Any]:
    """The values of one row, from column A to the sheet's last column."""
    return [ws.cell(row=row, column=col).value for col in range(1, ws.max_column + 1)]


def filled(ws: Worksheet, row: int) -> dict[str, Any]:
    """The cells of a row that hold a value, by column letter, left to right."""
    return {
        cell.column_letter: cell.value
        for cell in ws[row]
        if cell.value is not None and cell.value != ""
    }


def rows(ws: Worksheet, first: int, last: int | None = None) -> list[list[Any]]:
    """The values of rows ``first`` to ``last`` (the sheet's last row by default)."""
    return [values(ws, row) for row in range(first, (last or ws.max_row) + 1)]


def cells(ws: Worksheet, text: str | Callable[[Any], bool]) -> list[Cell]:
    """Every cell holding ``text`` (or whose value the predicate accepts), row by row."""
    test = text if callable(text) else (lambda value: value == text)
    return [cell for row in ws.iter_rows() for cell in row if test(cell.value)]


def find(ws: Worksheet, text: str | Callable[[Any], bool], *, after: int = 0) -> Cell:
    """The first cell holding ``text`` below row ``after``; fails the test when none does."""
    for cell in cells(ws, text):
        if cell.row > after:
            return cell
    raise AssertionError(f"{text!r} not found in sheet {ws.title!r} below row {after}")


def starting(prefix: str) -> Callable[[Any], bool]:
    """A predicate for :func:`find`: text that starts with ``prefix``."""
    return lambda value: isinstance(value, str) and value.startswith(prefix)


def has(ws: Worksheet, text: str | Callable[[Any], bool]) -> bool:
    return bool(cells(ws, text))


def header_row(ws: Worksheet, first: str = "STT") -> int:
    """The row of the table's header: the first row whose column A holds ``first``."""
    for row in range(1, ws.max_row + 1):
        if ws.cell(row=row, column=1).value == first:
            return row
    raise AssertionError(f"no table header starting with {first!r} in sheet {ws.title!r}")


def header(ws: Worksheet, first: str = "STT") -> list[Any]:
    return values(ws, header_row(ws, first))


def heading(ws: Worksheet, first: str = "STT") -> list[list[Any]]:
    """The rows above the table's header."""
    return rows(ws, 1, header_row(ws, first) - 1)


def heading_texts(ws: Worksheet, first: str = "STT") -> list[str]:
    """Every text above the table's header, in reading order."""
    return [value for row in heading(ws, first) for value in row if isinstance(value, str)]


def totals_row(ws: Worksheet, first: str = "STT") -> int:
    """The row of the totals ("Tổng cộng" in column A) under the table."""
    start = header_row(ws, first)
    for row in range(start + 1, ws.max_row + 1):
        if ws.cell(row=row, column=1).value == TOTALS:
            return row
    raise AssertionError(f"no totals row in sheet {ws.title!r}")


def table_end(ws: Worksheet, first: str = "STT") -> int:
    """The last row of the table's body: before the totals, else before the first
    empty row, else the sheet's last row."""
    start = header_row(ws, first)
    for row in range(start + 1, ws.max_row + 1):
        row_values = values(ws, row)
        if row_values[0] == TOTALS or all(v is None for v in row_values):
            return row - 1
    return ws.max_row


def table(ws: Worksheet, first: str = "STT") -> list[list[Any]]:
    """The rows of the table between its header and the totals (or the table's end)."""
    return rows(ws, header_row(ws, first) + 1, table_end(ws, first)) if _has_body(ws, first) else []


def _has_body(ws: Worksheet, first: str) -> bool:
    return table_end(ws, first) > header_row(ws, first)


def table_cell(ws: Worksheet, index: int, column: str, first: str = "STT") -> Cell:
    """The cell of the table's ``index``-th row (from 0) in ``column`` (a letter)."""
    return ws[f"{column}{header_row(ws, first) + 1 + index}"]


def footer(ws: Worksheet, first: str = "STT") -> list[list[Any]]:
    """The rows after the totals row (the amount in words, the signatures, "Nơi nhận")."""
    return rows(ws, totals_row(ws, first) + 1)


def merged(ws: Worksheet) -> set[str]:
    """The sheet's merged ranges as text ("A1:D1")."""
    return {str(r) for r in ws.merged_cells.ranges}


def merged_range(ws: Worksheet, cell: Cell) -> str:
    """The merged range that starts at ``cell`` (the cell itself when not merged)."""
    for found in ws.merged_cells.ranges:
        if found.min_row == cell.row and found.min_col == cell.column:
            return str(found)
    return cell.coordinate


def assert_official_page(ws: Worksheet) -> None:
    """A4, the margins of Nghị định 30/2020 (top 22 mm, bottom 20 mm, left 30 mm, right
    15 mm), the page number centred in the header from the second page on."""
    assert int(ws.page_setup.paperSize) == 9
    margins = ws.page_margins
    # Top 22 mm (the page number sits in it), bottom 20 mm: within 20–25 mm.
    assert (margins.top, margins.bottom) == (
        pytest.approx(22 * MM, abs=0.01),
        pytest.approx(20 * MM, abs=0.01),
    )
    assert (margins.left, margins.right) == (
        pytest.approx(30 * MM, abs=0.01),
        pytest.approx(15 * MM, abs=0.01),
    )
    assert ws.oddHeader.center.text == "&P"
    assert ws.HeaderFooter.differentFirst
    assert not ws.firstHeader.center.text  # no number on the first page
    assert not ws.oddFooter.center.text  # the number is in the header, not the footer


def assert_unsigned_heading(ws: Worksheet, title: str, symbol: str = "DS") -> Cell:
    """A sheet with its own official heading but no signatures (a changes sheet, an
    annex): issuing body and motto, the number, a title starting with ``title``;
    no signature block and no "Nơi nhận". Returns the title's cell."""
    assert ws["A1"].value == PEOPLES_COMMITTEE
    motto = find(ws, MOTTO[0])
    assert motto.row == 1 and motto.column > 1
    number = find(ws, starting("Số:"))
    assert number.column == 1 and number.value.endswith(f"/{symbol}-UBND")
    title_cell = find(ws, starting(title))
    assert title_cell.column == 1 and number.row < title_cell.row < header_row_of(ws)
    assert not has(ws, "Nơi nhận:")
    assert not has(ws, starting("(Ký"))
    return title_cell


def header_row_of(ws: Worksheet) -> int:
    """The table's header row, whatever its first header: the first row of the
    sheet's repeated print titles."""
    return int(ws.print_title_rows.split(":")[0].lstrip("$"))
