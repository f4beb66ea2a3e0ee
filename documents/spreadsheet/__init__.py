"""The one reader of the spreadsheets people bring in: registry lists, bank results, police results.

Workbooks made by hand or sent back by a bank or the police share their
troubles: a file that is not an .xlsx at all, title rows and merged cells
above the header, a row of column numbers under it, a totals row and a
signature block after the table, dates and amounts typed every way. They are
solved here once; each import keeps only its own columns and row rules.

- :mod:`~documents.spreadsheet.opening`: size, what the file really is,
  openpyxl read-only, the sheets;
- :mod:`~documents.spreadsheet.header`: the header row by folded synonyms,
  column numbers, totals, subtotals, signatures;
- :mod:`~documents.spreadsheet.table`: the data rows up to the end of the
  table, and a whole table for the smaller imports;
- :mod:`~documents.spreadsheet.cells`: text, dates, amounts, the cell-length
  limit;
- :mod:`~documents.spreadsheet.errors`: :class:`WorkbookError` for the whole
  file, :class:`RowError` for a cell.

The imports use the names below; nothing here knows their columns.
"""

from documents.spreadsheet.cells import (
    DATE_SEP,
    MAX_CELL_CHARS,
    DateError,
    cell_amount,
    cell_date,
    cell_text,
    clean_text,
    fold_key,
    is_blank,
    shown,
    too_long,
    unescape_text,
    written_date,
)
from documents.spreadsheet.errors import (
    RowError,
    WorkbookError,
    missing_columns,
    no_data,
    no_header,
)
from documents.spreadsheet.header import (
    HEADER_SEARCH_ROWS,
    PARENTHESIS,
    HeaderNames,
    find_header,
    is_column_number,
    is_column_number_row,
    is_signature,
    is_subtotal,
    is_totals,
    merged_parent,
)
from documents.spreadsheet.opening import (
    choose_sheets,
    declared_rows,
    iter_sheet_rows,
    open_workbook,
)
from documents.spreadsheet.table import DataRow, DataRows, Table, read_table

__all__ = [
    "DATE_SEP",
    "HEADER_SEARCH_ROWS",
    "MAX_CELL_CHARS",
    "PARENTHESIS",
    "DataRow",
    "DataRows",
    "DateError",
    "HeaderNames",
    "RowError",
    "Table",
    "WorkbookError",
    "cell_amount",
    "cell_date",
    "cell_text",
    "choose_sheets",
    "clean_text",
    "declared_rows",
    "find_header",
    "fold_key",
    "is_blank",
    "is_column_number",
    "is_column_number_row",
    "is_signature",
    "is_subtotal",
    "is_totals",
    "iter_sheet_rows",
    "merged_parent",
    "missing_columns",
    "no_data",
    "no_header",
    "open_workbook",
    "read_table",
    "shown",
    "too_long",
    "unescape_text",
    "written_date",
]
