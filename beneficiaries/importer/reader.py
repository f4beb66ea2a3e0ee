"""Read a commune's hand-made registry workbook into typed rows and located issues.

The layout accepted is ``shared/domain/import-layout.md``: title rows, a
header row (the first with at least three known column names), an optional
sub-header row (``Nam``/``Nữ`` under ``Ngày sinh``) and column-number row,
data with empty rows between, then a totals row or a signature block.

Nothing here touches the database: the reference data comes in as a
:class:`~beneficiaries.importer.rows.Reference`. Whole-file problems raise
:class:`WorkbookError`; everything about a row or a column becomes an
:class:`~beneficiaries.importer.rows.Issue` so that the user sees every
problem of the file at once. The file is streamed (openpyxl read-only mode)
and the per-row work avoids exceptions, regexes and lookups it can cache, so
100,000 rows cost little more than openpyxl's own parsing.
"""

from __future__ import annotations

import datetime
import itertools
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO
from xml.etree.ElementTree import ParseError

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from beneficiaries.importer.layout import (
    HEADER_SEARCH_ROWS,
    HEADER_SYNONYMS,
    REQUIRED_FIELDS,
    find_header,
    resolve_layout,
)
from beneficiaries.importer.rowparser import (
    ENCODING_NAMES,
    UNICODE_VIETNAMESE,
    LegacyConverter,
    Lookups,
    RowParser,
)
from beneficiaries.importer.rows import ImportRow, Issue, Reference
from beneficiaries.importer.values import (
    is_blank,
)
from beneficiaries.rules.names import (
    TCVN3,
    VNI,
    detect_legacy_encoding,
)

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

#: Rows read before deciding on the encoding and the layout.
_PREFIX_ROWS = HEADER_SEARCH_ROWS + 3
PROGRESS_EVERY = 1000


class WorkbookError(Exception):
    """The file cannot be read at all; ``message`` says why, in Vietnamese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ReadResult:
    """Rows without errors, every issue, the sheets read and the columns ignored.

    ``data_rows`` counts the data rows seen, with or without errors, so a
    caller can say "120 dòng, 3 dòng có lỗi". ``encoding`` is ``"TCVN3"`` or
    ``"VNI"`` when the file was converted from a legacy encoding.
    """

    rows: list[ImportRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    data_rows: int = 0
    encoding: str | None = None

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.level == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.level == "warning"]


# --- Opening the file -------------------------------------------------------------------


def _not_xlsx(kind: str) -> WorkbookError:
    return WorkbookError(
        _(
            "Tệp không phải bảng tính Excel .xlsx (%(kind)s). Hãy mở tệp bằng Excel và chọn "
            "Lưu thành (Save As) kiểu “Excel Workbook (*.xlsx)” rồi tải lên lại."
        )
        % {"kind": kind}
    )


def _corrupt() -> WorkbookError:
    return WorkbookError(
        _(
            "Tệp .xlsx bị hỏng hoặc tải lên chưa trọn vẹn, không đọc được. Hãy mở thử bằng Excel, "
            "lưu lại rồi tải lên lại."
        )
    )


def _check_signature(head: bytes) -> None:
    """Refuse what is obviously not an .xlsx, naming what it seems to be."""
    if not head:
        raise WorkbookError(_("Tệp rỗng (0 byte)."))
    if head.startswith(b"PK"):
        return
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _not_xlsx(_("tệp Excel 97-2003 .xls, hoặc tệp Excel đặt mật khẩu"))
    if head.startswith(b"%PDF"):
        raise _not_xlsx(_("tệp PDF"))
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode Text" export: UTF-16 with a byte-order mark.
        raise _not_xlsx(_("tệp văn bản hoặc CSV"))
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<html", b"<!doctype", b"<?xml", b"<table", b"<meta")):
        raise _not_xlsx(_("trang HTML hoặc XML đặt tên .xls/.xlsx"))
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            if all(byte >= 0x20 or byte in b"\t\r\n" for byte in head):
                raise _not_xlsx(_("tệp văn bản hoặc CSV")) from None
        else:
            raise _not_xlsx(_("tệp văn bản hoặc CSV"))
    raise _not_xlsx(_("không nhận ra định dạng"))


def _check_archive(handle: IO[bytes]) -> None:
    """A zip that is not a workbook: .docx, .ods, .xlsb, or a broken zip."""
    try:
        with zipfile.ZipFile(handle) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        raise _corrupt() from None
    finally:
        handle.seek(0)
    if b"opendocument.spreadsheet" in mimetype:
        raise _not_xlsx(_("bảng tính OpenDocument .ods"))
    if "xl/workbook.bin" in names:
        raise _not_xlsx(_("tệp Excel nhị phân .xlsb"))
    if "word/document.xml" in names:
        raise _not_xlsx(_("tệp Word"))
    if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
        raise _not_xlsx(_("tệp nén .zip"))


# --- Reading -------------------------------------------------------------------------------


def iter_sheet_rows(worksheet: ReadOnlyWorksheet) -> Iterator[tuple[object, ...]]:
    """Every row of a read-only worksheet as a tuple of values, from row 1.

    The stored dimensions are dropped first: files written by some tools
    declare a size smaller than their content, and openpyxl would stop
    there. Rows then have their own length (trailing empty cells absent).
    """
    if hasattr(worksheet, "reset_dimensions"):
        worksheet.reset_dimensions()
    return worksheet.iter_rows(values_only=True)


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
    Raises :class:`WorkbookError` for problems of the whole file.

    With ``on_rows``, rows are handed over as they are read (every 1,000 sheet
    rows and at the end) instead of being kept in the result: the import plans
    and writes them while the rest of the file is read. A row handed over is
    final; a later :class:`WorkbookError` means the caller discards them all.
    """
    handle: IO[bytes]
    owned = isinstance(source, str | Path)
    handle = Path(source).open("rb") if owned else source  # type: ignore[arg-type]
    try:
        start = handle.tell()
        head = handle.read(512)
        handle.seek(start)
        _check_signature(head)
        _check_archive(handle)
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except (zipfile.BadZipFile, zlib.error, KeyError, EOFError, ParseError, OSError):
            raise _corrupt() from None
        except InvalidFileException:
            raise _not_xlsx(_("không nhận ra định dạng")) from None
        try:
            reader = _WorkbookReader(
                reference=reference, today=today, progress=progress, on_rows=on_rows
            )
            return reader.read(workbook, sheet)
        except (zipfile.BadZipFile, zlib.error, EOFError, ParseError):
            raise _corrupt() from None
        finally:
            workbook.close()
    finally:
        if owned:
            handle.close()


class _WorkbookReader:
    """State of one read: the result, the encoding decision, caches, duplicates."""

    def __init__(
        self,
        *,
        reference: Reference,
        today: datetime.date,
        progress: Callable[[int], None] | None,
        on_rows: Callable[[list[ImportRow]], None] | None = None,
    ) -> None:
        self.reference = reference
        self.today = today
        self.progress = progress
        self.on_rows = on_rows
        self.result = ReadResult()
        self.rows_read = 0
        self.encoding: str | None = None
        self.unicode_seen: str | None = None
        self.legacy_seen: str | None = None
        # (personal ID, category) -> (sheet, row); personal ID -> (full name, sheet, row)
        self.seen_enrolments: dict[tuple[str, str], tuple[str, int]] = {}
        self.seen_people: dict[str, tuple[str, str, int]] = {}
        self.lookups = Lookups(reference)

    # Sheets ----------------------------------------------------------------------------

    def read(self, workbook: Workbook, sheet: str | None) -> ReadResult:
        if sheet is not None:
            names = [ws.title for ws in workbook.worksheets]
            if sheet not in names:
                raise WorkbookError(
                    _("Không có trang tính “%(sheet)s” trong tệp (các trang: %(names)s).")
                    % {"sheet": sheet, "names": ", ".join(names)}
                )
            outcome = self._read_sheet(workbook[sheet])
            if outcome == "empty":
                raise WorkbookError(
                    _("Trang tính “%(sheet)s” không có dữ liệu.") % {"sheet": sheet}
                )
            if outcome == "no-header":
                raise self._no_header(sheet)
            if isinstance(outcome, list):
                raise self._missing_columns(sheet, outcome)
        else:
            outcomes: dict[str, object] = {}
            for worksheet in workbook.worksheets:
                if worksheet.sheet_state != "visible":
                    continue
                outcomes[worksheet.title] = self._read_sheet(worksheet)
            incomplete = {
                name: outcome for name, outcome in outcomes.items() if isinstance(outcome, list)
            }
            if not self.result.sheets:
                if incomplete:
                    name, missing = next(iter(incomplete.items()))
                    raise self._missing_columns(name, missing)  # type: ignore[arg-type]
                if all(outcome == "empty" for outcome in outcomes.values()):
                    raise WorkbookError(_("Tệp không có dữ liệu."))
                raise self._no_header(None)
            for name, missing in incomplete.items():
                self._issue(
                    name,
                    None,
                    None,
                    "",
                    _("Bỏ qua trang tính này vì thiếu cột bắt buộc: %(columns)s.")
                    % {"columns": ", ".join(missing)},  # type: ignore[arg-type]
                    "warning",
                )
        self._hand_over()
        if self.progress is not None:
            self.progress(self.rows_read)
        self.result.encoding = self.encoding
        return self.result

    def _hand_over(self) -> None:
        if self.on_rows is not None and self.result.rows:
            rows = list(self.result.rows)
            self.result.rows.clear()  # the same list the row parsers append to
            self.on_rows(rows)

    def _no_header(self, sheet: str | None) -> WorkbookError:
        example = ", ".join(HEADER_SYNONYMS[name][0] for name in REQUIRED_FIELDS)
        if sheet is None:
            return WorkbookError(
                _(
                    "Không tìm thấy dòng tiêu đề cột trong %(rows)d dòng đầu của các trang tính: "
                    "cần một dòng có ít nhất 3 tên cột như %(example)s."
                )
                % {"rows": HEADER_SEARCH_ROWS, "example": example}
            )
        return WorkbookError(
            _(
                "Không tìm thấy dòng tiêu đề cột trong %(rows)d dòng đầu của trang “%(sheet)s”: "
                "cần một dòng có ít nhất 3 tên cột như %(example)s."
            )
            % {"rows": HEADER_SEARCH_ROWS, "sheet": sheet, "example": example}
        )

    @staticmethod
    def _missing_columns(sheet: str, missing: list[str]) -> WorkbookError:
        return WorkbookError(
            _(
                "Trang “%(sheet)s” thiếu cột bắt buộc: %(columns)s. Giới tính có thể ghi bằng "
                "hai cột Nam và Nữ."
            )
            % {"sheet": sheet, "columns": ", ".join(missing)}
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
        self._decide_encoding(title, prefix)
        converter = LegacyConverter(self.encoding) if self.encoding else None
        readable = prefix if converter is None else [converter.row(row) for row in prefix]
        found = find_header(readable)
        if found is None:
            return "no-header"
        layout = resolve_layout(readable, found[0])
        missing = layout.missing()
        if missing:
            return missing
        self.result.sheets.append(title)
        for text in layout.unknown:
            self._issue(
                title,
                None,
                text,
                "",
                _("Cột “%(column)s” không thuộc mẫu nhập: bỏ qua.") % {"column": text},
                "warning",
            )
            if text not in self.result.unknown_columns:
                self.result.unknown_columns.append(text)
        for text, kept in layout.duplicates:
            self._issue(
                title,
                None,
                text,
                "",
                _("Cột “%(column)s” trùng nội dung với cột “%(kept)s”: chỉ dùng cột “%(kept)s”.")
                % {"column": text, "kept": kept},
                "warning",
            )
        # Data rows go to the parser as stored: it converts them after checking
        # the name's encoding against the file's.
        parser = RowParser(self, title, layout, converter)
        stream = itertools.chain(prefix[layout.data_start :], self._counted(rows))
        excel_row = layout.data_start
        for row in stream:
            excel_row += 1
            if parser.feed(excel_row, row):
                break
        else:
            return None
        # The list ended at a totals row or a signature block. Rows that still
        # look like people after it are not read, but never silently.
        end_row = excel_row
        for row in stream:
            excel_row += 1
            if parser.looks_like_data(row):
                self._issue(
                    title,
                    excel_row,
                    None,
                    "",
                    _(
                        "Danh sách kết thúc ở dòng %(end)d (dòng tổng cộng hoặc phần ký tên) nên "
                        "từ dòng %(row)d trở đi không được đọc, dù có vẻ là dữ liệu. Nếu đó là "
                        "một danh sách khác, hãy chuyển sang trang tính riêng."
                    )
                    % {"end": end_row, "row": excel_row},
                    "warning",
                )
                break
        return None

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

    # Legacy encodings ------------------------------------------------------------------

    def _decide_encoding(self, sheet: str, prefix: list[tuple[object, ...]]) -> None:
        """Decide once per workbook whether text is Unicode, TCVN3 or VNI.

        Evidence comes from the title rows, the header and the first data rows
        of each sheet: cells with letters only Unicode has, and cells
        :func:`detect_legacy_encoding` recognises. One legacy encoding alone
        converts the whole file (one warning); both legacy encodings in
        comparable numbers, or legacy text next to Unicode text, refuse the
        file: converting would garble one part or the other.
        """
        votes: Counter[str] = Counter()
        examples: dict[str, str] = {}
        for row in prefix:
            for value in row:
                if not isinstance(value, str) or value.isascii():
                    continue
                if UNICODE_VIETNAMESE.search(value):
                    kind = "unicode"
                else:
                    kind = detect_legacy_encoding(value)
                    if kind is None:
                        continue
                votes[kind] += 1
                examples.setdefault(kind, value.strip())
        tcvn3, vni = votes[TCVN3], votes[VNI]
        if tcvn3 and vni and min(tcvn3, vni) * 5 > max(tcvn3, vni):
            raise WorkbookError(
                _(
                    "Trang “%(sheet)s” có chữ Việt gõ lẫn hai bảng mã TCVN3 (“%(a)s”) và VNI "
                    "(“%(b)s”): hãy chuyển tệp sang bảng mã Unicode (Unikey: Công cụ chuyển mã, "
                    "hoặc EVKey) rồi nhập lại."
                )
                % {"sheet": sheet, "a": examples[TCVN3], "b": examples[VNI]}
            )
        legacy = TCVN3 if tcvn3 > vni else VNI if vni else None
        if votes["unicode"]:
            self.unicode_seen = self.unicode_seen or examples["unicode"]
        if legacy is not None:
            if self.encoding not in (None, legacy):
                raise self._mixed_encoding(sheet, examples[legacy], self.legacy_seen or "")
            self.legacy_seen = self.legacy_seen or examples[legacy]
        if self.unicode_seen and (legacy or self.encoding):
            raise self._mixed_encoding(
                sheet, self.legacy_seen or examples.get(legacy or "", ""), self.unicode_seen
            )
        if legacy is not None and self.encoding is None:
            self.encoding = legacy
            self._issue(
                sheet,
                None,
                None,
                "",
                _(
                    "Tệp gõ bằng bảng mã %(encoding)s, không phải Unicode: đã tự chuyển toàn bộ "
                    "chữ sang Unicode. Hãy kiểm tra lại họ tên, tên thôn sau khi nhập."
                )
                % {"encoding": ENCODING_NAMES[legacy]},
                "warning",
            )

    def _mixed_encoding(self, sheet: str, legacy: str, unicode: str) -> WorkbookError:
        return WorkbookError(
            _(
                "Tệp có chữ Việt gõ lẫn bảng mã cũ (ví dụ “%(legacy)s”) và Unicode (ví dụ "
                "“%(unicode)s”, trang “%(sheet)s”): hãy chuyển toàn bộ tệp sang bảng mã "
                "Unicode (Unikey: Công cụ chuyển mã) rồi nhập lại."
            )
            % {"legacy": legacy, "unicode": unicode, "sheet": sheet}
        )

    # Issues ----------------------------------------------------------------------------

    def _issue(
        self,
        sheet: str,
        row: int | None,
        column: str | None,
        value: str,
        message: str,
        level: str = "error",
    ) -> None:
        self.result.issues.append(Issue(sheet, row, column, value, str(message), level))  # type: ignore[arg-type]
