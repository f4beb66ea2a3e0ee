"""Read a commune's hand-made registry workbook into typed rows and located issues.

The layout accepted is ``docs/domain/import-layout.md``: title rows, a
header row (the first with at least three known column names), an optional
sub-header row (``Nam``/``Nữ`` under ``Ngày sinh``) and column-number row,
data with empty rows between, then a totals row or a signature block.

Opening the file, finding the header and walking the table are the shared
reader's (:mod:`documents.spreadsheet`); what is the registry's is here and
in the modules it uses: its columns (:mod:`~desk.importer.layout`),
the legacy encodings (:mod:`~desk.importer.encoding`) and the row
parser (:mod:`~desk.importer.rowparser`).

Nothing here touches the database: the reference data comes in as a
:class:`~desk.importer.rows.Reference`. Whole-file problems raise
:class:`~documents.spreadsheet.WorkbookError`; everything about a row or a
column becomes an :class:`~desk.importer.rows.Issue` so that the
user sees every problem of the file at once. The file is streamed (openpyxl
read-only mode) and the per-row work avoids exceptions, regexes and lookups
it can cache, so 100,000 rows cost little more than openpyxl's own parsing.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from django.utils.translation import gettext as _

from desk.importer.context import ReadState
from desk.importer.encoding import EncodingDecision, LegacyConverter
from desk.importer.layout import (
    HEADER_SYNONYMS,
    REQUIRED_FIELDS,
    find_header,
    resolve_layout,
)
from desk.importer.rowparser import RowParser
from desk.importer.rows import ImportRow, Issue, ReadResult, Reference
from documents.spreadsheet import (
    HEADER_SEARCH_ROWS,
    DataRows,
    WorkbookError,
    choose_sheets,
    is_blank,
    iter_sheet_rows,
    missing_columns,
    no_data,
    no_header,
    open_workbook,
)

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

#: Rows read before deciding on the encoding and the layout.
_PREFIX_ROWS = HEADER_SEARCH_ROWS + 3
PROGRESS_EVERY = 1000


def read_workbook(
    source: str | Path | BinaryIO,
    *,
    reference: Reference,
    today: datetime.date,
    sheet: str | None = None,
    progress: Callable[[int], None] | None = None,
    on_rows: Callable[[list[ImportRow]], None] | None = None,
) -> ReadResult:
    """Read a registry workbook: typed rows without errors, and every issue.

    ``sheet`` names the sheet to read; without it every sheet with a header
    row is read (a sheet whose header lacks required columns is then skipped
    with a warning, unless no sheet is complete). ``progress`` is called with
    the number of sheet rows read every 1,000 rows and once at the end.
    Raises :class:`~documents.spreadsheet.WorkbookError` for problems of the
    whole file.

    With ``on_rows``, rows are handed over as they are read (every 1,000 sheet
    rows and at the end) instead of being kept in the result: the import plans
    and writes them while the rest of the file is read. A row handed over is
    final; a later :class:`~documents.spreadsheet.WorkbookError` means the
    caller discards them all.
    """
    with open_workbook(source) as workbook:
        reader = _WorkbookReader(
            reference=reference, today=today, progress=progress, on_rows=on_rows
        )
        return reader.read(workbook, sheet)


class _WorkbookReader:
    """One read: the state the sheets share, the encoding decision, the progress."""

    def __init__(
        self,
        *,
        reference: Reference,
        today: datetime.date,
        progress: Callable[[int], None] | None,
        on_rows: Callable[[list[ImportRow]], None] | None = None,
    ) -> None:
        self.state = ReadState(reference=reference, today=today)
        self.result = self.state.result
        self.progress = progress
        self.on_rows = on_rows
        self.rows_read = 0
        self.encoding = EncodingDecision()

    # Sheets ----------------------------------------------------------------------------

    def read(self, workbook: Workbook, sheet: str | None) -> ReadResult:
        if sheet is not None:
            outcome = self._read_sheet(choose_sheets(workbook, sheet)[0])
            if outcome == "empty":
                raise no_data(sheet)
            if outcome == "no-header":
                raise self._no_header(sheet)
            if isinstance(outcome, list):
                raise self._missing_columns(sheet, outcome)
        else:
            outcomes: dict[str, object] = {}
            for worksheet in choose_sheets(workbook, None):
                outcomes[worksheet.title] = self._read_sheet(worksheet)
            incomplete = {
                name: outcome for name, outcome in outcomes.items() if isinstance(outcome, list)
            }
            if not self.result.sheets:
                if incomplete:
                    name, missing = next(iter(incomplete.items()))
                    raise self._missing_columns(name, missing)  # type: ignore[arg-type]
                if all(outcome == "empty" for outcome in outcomes.values()):
                    raise no_data(None)
                raise self._no_header(None)
            for name, missing in incomplete.items():
                self._issue(
                    name,
                    None,
                    None,
                    _("Bỏ qua trang tính này vì thiếu cột bắt buộc: %(columns)s.")
                    % {"columns": ", ".join(missing)},  # type: ignore[arg-type]
                    "warning",
                )
        self._hand_over()
        if self.progress is not None:
            self.progress(self.rows_read)
        self.result.encoding = self.encoding.encoding
        return self.result

    def _hand_over(self) -> None:
        if self.on_rows is not None and self.result.rows:
            rows = list(self.result.rows)
            self.result.rows.clear()  # the same list the row parsers append to
            self.on_rows(rows)

    @staticmethod
    def _no_header(sheet: str | None) -> WorkbookError:
        return no_header(sheet, [HEADER_SYNONYMS[name][0] for name in REQUIRED_FIELDS])

    @staticmethod
    def _missing_columns(sheet: str, missing: list[str]) -> WorkbookError:
        return missing_columns(
            sheet, missing, hint=_("Giới tính có thể ghi bằng hai cột Nam và Nữ.")
        )

    def _read_sheet(self, worksheet: ReadOnlyWorksheet) -> str | list[str] | None:
        """Read one sheet; ``"empty"``, ``"no-header"``, the missing columns, or ``None``."""
        title = worksheet.title
        rows = iter_sheet_rows(worksheet)
        prefix: list[tuple[object, ...]] = []
        for row in rows:
            prefix.append(row)
            self._count_row()
            if len(prefix) >= _PREFIX_ROWS:
                break
        if not any(not is_blank(value) for row in prefix for value in row):
            return "empty"
        converted = self.encoding.decide(title, prefix)
        if converted is not None:
            self._issue(title, None, None, converted, "warning")
        legacy = self.encoding.encoding
        converter = LegacyConverter(legacy) if legacy else None
        readable = prefix if converter is None else [converter.row(row) for row in prefix]
        found = find_header(readable)
        if found is None:
            return "no-header"
        layout = resolve_layout(readable, found[0])
        missing = layout.missing()
        if missing:
            return missing
        self.result.sheets.append(title)
        self._column_warnings(title, layout.unknown, layout.duplicates)
        # Data rows go to the parser as stored: it checks the name's encoding
        # against the file's before the table converts them.
        parser = RowParser(self.state, title, layout, legacy)
        cols = parser.cols
        table = DataRows(
            itertools.chain(prefix[layout.data_start :], self._counted(rows)),
            first_row=layout.data_start + 1,
            width=cols.width,
            lead=cols.lead,
            keys=cols.person,
            data=cols.data,
            convert=converter.row if converter is not None else None,
        )
        for data_row in table:
            parser.feed(data_row)
        if table.ended_at is not None:
            self._after_end(title, parser, table)
        return None

    def _column_warnings(
        self, title: str, unknown: list[str], duplicates: list[tuple[str, str]]
    ) -> None:
        for text in unknown:
            self._issue(
                title,
                None,
                text,
                _("Cột “%(column)s” không thuộc mẫu nhập: bỏ qua.") % {"column": text},
                "warning",
            )
            if text not in self.result.unknown_columns:
                self.result.unknown_columns.append(text)
        for text, kept in duplicates:
            self._issue(
                title,
                None,
                text,
                _("Cột “%(column)s” trùng nội dung với cột “%(kept)s”: chỉ dùng cột “%(kept)s”.")
                % {"column": text, "kept": kept},
                "warning",
            )

    def _after_end(self, title: str, parser: RowParser, table: DataRows) -> None:
        """Rows that still look like people after the totals or signatures: not read, but never silently."""
        for excel_row, row in table.rest():
            if parser.looks_like_data(row):
                self._issue(
                    title,
                    excel_row,
                    None,
                    _(
                        "Danh sách kết thúc ở dòng %(end)d (dòng tổng cộng hoặc phần ký tên) nên "
                        "từ dòng %(row)d trở đi không được đọc, dù có vẻ là dữ liệu. Nếu đó là "
                        "một danh sách khác, hãy chuyển sang trang tính riêng."
                    )
                    % {"end": table.ended_at, "row": excel_row},
                    "warning",
                )
                return

    def _counted(self, rows: Iterable[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
        for row in rows:
            self._count_row()
            yield row

    def _count_row(self) -> None:
        self.rows_read += 1
        if self.rows_read % PROGRESS_EVERY == 0:
            self._hand_over()
            if self.progress is not None:
                self.progress(self.rows_read)

    def _issue(
        self, sheet: str, row: int | None, column: str | None, message: str, level: str
    ) -> None:
        self.result.issues.append(Issue(sheet, row, column, "", str(message), level))  # type: ignore[arg-type]
