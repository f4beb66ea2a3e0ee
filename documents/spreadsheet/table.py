"""The data rows of a table, and a whole table read at once for the smaller imports.

:class:`DataRows` streams the rows under a header (the registry import feeds
100,000 of them to its parser as they are read); :func:`read_table` reads the
first table of a bank's or the police's returned file into memory.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from documents.spreadsheet.cells import MAX_CELL_CHARS, cell_text, is_blank
from documents.spreadsheet.errors import no_data, no_header
from documents.spreadsheet.header import (
    HEADER_SEARCH_ROWS,
    TOTALS_HINT,
    HeaderNames,
    Row,
    find_header,
    is_column_number_row,
    is_signature,
    is_subtotal,
    is_totals,
)
from documents.spreadsheet.opening import (
    Source,
    check_size,
    choose_sheets,
    csv_rows,
    head_of,
    iter_sheet_rows,
    open_workbook,
    opened,
)


@dataclass(slots=True)
class DataRow:
    """One row of a table: its Excel number and its cells.

    ``cells`` has the table's width plus one cell, always ``None``: the
    column of a field the sheet lacks. Whitespace-only cells are ``None``.
    ``stored`` is the same row before ``convert``; ``long_cells`` the columns
    whose text is longer than the table's limit.
    """

    number: int
    cells: tuple[object, ...]
    stored: tuple[object, ...]
    long_cells: tuple[int, ...] = ()


class DataRows:
    """The rows under a header, up to the totals row or the signature block.

    Blank rows and subtotal rows (``Cộng thôn …``) are skipped; the table
    ends at a totals row (``Tổng cộng`` in a ``lead`` column) or at a row of
    the signature block, and :attr:`ended_at` is then that row's number. A
    row with a value in a ``keys`` column (a person's ID or birth date) is
    never a totals row whatever its name folds to (``Tống Công Bình``);
    the signature block is looked for only in rows with nothing in the
    ``data`` columns. ``convert`` (e.g. from a legacy encoding) is applied to
    each padded row before it is looked at.
    """

    def __init__(
        self,
        rows: Iterable[Row],
        *,
        first_row: int,
        width: int,
        lead: Iterable[int] = (0, 1, 2),
        keys: Iterable[int] = (),
        data: Iterable[int] = (),
        convert: Callable[[tuple[object, ...]], tuple[object, ...]] | None = None,
        max_chars: int = MAX_CELL_CHARS,
    ) -> None:
        self._rows = iter(rows)
        self._number = first_row - 1
        self.width = width
        self.lead = [col for col in lead if col < width]
        self.keys = [col for col in keys if col < width]
        self.data = [col for col in data if col < width]
        self.convert = convert
        self.max_chars = max_chars
        self.ended_at: int | None = None
        self._pads = [(None,) * (n + 1) for n in range(width + 1)]

    def __iter__(self) -> Iterator[DataRow]:
        width, max_chars = self.width, self.max_chars
        for raw in self._rows:
            self._number += 1
            # Rows are tuples, except openpyxl's filler for a missing row (a list).
            length = len(raw)
            if length > width:
                stored = tuple(raw[:width]) + (None,)
            else:
                stored = tuple(raw) + self._pads[width - length]
            row = stored if self.convert is None else self.convert(stored)
            blank, spaces, long = True, False, False
            for value in row:
                if value is not None:
                    if value.__class__ is str:
                        if not value.strip():  # type: ignore[attr-defined]
                            spaces = True
                            continue
                        if len(value) > max_chars:  # type: ignore[arg-type]
                            long = True
                    blank = False
            if blank:
                continue
            if spaces:
                row = tuple(
                    None if value.__class__ is str and not value.strip() else value  # type: ignore[attr-defined]
                    for value in row
                )
            ending = self._ending(row)
            if ending == "subtotal":
                continue
            if ending is not None:
                self.ended_at = self._number
                return
            long_cells: tuple[int, ...] = ()
            if long:
                long_cells = tuple(
                    col
                    for col, value in enumerate(row)
                    if isinstance(value, str) and len(value) > max_chars
                )
            yield DataRow(self._number, row, stored, long_cells)

    def _ending(self, row: tuple[object, ...]) -> str | None:
        """``"totals"``, ``"subtotal"``, ``"signature"`` or ``None`` for a row of the table."""
        if not any(row[col] is not None for col in self.keys):
            for col in self.lead:
                value = row[col]
                if isinstance(value, str) and TOTALS_HINT.match(value):
                    if is_totals(value):
                        return "totals"
                    if is_subtotal(value):
                        return "subtotal"
        if not any(row[col] is not None for col in self.data):
            if any(isinstance(value, str) and is_signature(value) for value in row):
                return "signature"
        return None

    def rest(self) -> Iterator[tuple[int, Row]]:
        """The rows after the end of the table, as stored, with their numbers."""
        for row in self._rows:
            self._number += 1
            yield self._number, row


# --- A whole table ------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A sheet's table: where its header is and its data rows.

    ``columns`` maps a field to its column, ``titles`` a field to its header
    as written; ``header_row`` is the header's Excel row.
    """

    sheet: str
    header_row: int
    columns: dict[str, int]
    titles: dict[str, str]
    rows: list[DataRow]
    width: int

    def missing(self, required: Iterable[str]) -> list[str]:
        return [name for name in required if name not in self.columns]

    def cell(self, row: DataRow, name: str) -> object:
        """The cell of field ``name`` in ``row``; ``None`` when the sheet lacks the column."""
        return row.cells[self.columns.get(name, self.width)]


def read_table(
    source: Source,
    names: HeaderNames,
    *,
    filename: str = "",
    keys: Sequence[str] = (),
    data: Sequence[str] = (),
) -> Table:
    """The table of the first sheet with a header row naming three of ``names``' fields.

    ``source`` is an .xlsx, or a UTF-8 .csv when ``filename`` ends in
    ``.csv`` (a workbook named .csv is read as a workbook). The header may sit
    under title rows; a column-number row under it is skipped; rows are read
    as :class:`DataRows` reads them, ``keys`` and ``data`` naming fields.
    """
    with opened(source) as handle:
        check_size(handle)
        if filename.lower().endswith(".csv") and not head_of(handle).startswith(b"PK"):
            return _first_table([("CSV", iter(csv_rows(handle)))], names, keys, data)
        with open_workbook(handle) as workbook:
            sheets = ((ws.title, iter_sheet_rows(ws)) for ws in choose_sheets(workbook, None))
            return _first_table(sheets, names, keys, data)


def _first_table(
    sheets: Iterable[tuple[str, Iterator[Row]]],
    names: HeaderNames,
    keys: Sequence[str],
    data: Sequence[str],
) -> Table:
    titles_seen: list[str] = []
    filled = False
    for title, rows in sheets:
        titles_seen.append(title)
        prefix = list(itertools.islice(rows, HEADER_SEARCH_ROWS + 2))
        filled = filled or any(not is_blank(value) for row in prefix for value in row)
        found = find_header(prefix, names)
        if found is None:
            continue
        index, by_column = found
        start = index + 1
        if start < len(prefix) and is_column_number_row(prefix[start]):
            start += 1
        columns = {name: col for col, name in by_column.items()}
        width = max(by_column) + 1
        table = DataRows(
            itertools.chain(prefix[start:], rows),
            first_row=start + 1,
            width=width,
            lead=range(3),
            keys=[columns[name] for name in keys if name in columns],
            data=[columns[name] for name in data if name in columns],
        )
        return Table(
            sheet=title,
            header_row=index + 1,
            columns=columns,
            titles={name: cell_text(prefix[index][col]) for name, col in columns.items()},
            rows=list(table),
            width=width,
        )
    if not filled:
        raise no_data(None)
    example = [names.canonical(name) for name in list(names.synonyms)[:3]]
    raise no_header(titles_seen[0] if len(titles_seen) == 1 else None, example)
