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
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO
from xml.etree.ElementTree import ParseError

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from beneficiaries.importer.layout import (
    _PARENTHESIS,
    HEADER_SEARCH_ROWS,
    HEADER_SYNONYMS,
    REQUIRED_FIELDS,
    _Layout,
    _resolve_layout,
    find_header,
)
from beneficiaries.importer.rows import CategoryRef, ImportRow, Issue, Reference
from beneficiaries.importer.values import (
    METHOD_WORDS,
    RECEIVER_WORDS,
    Method,
    ReceiverKind,
    bank_fallback_keys,
    bank_keys,
    cell_text,
    fold_key,
    is_blank,
    is_signature,
    is_subtotal,
    is_totals,
    parse_birth,
    parse_coefficient,
    parse_gender,
)
from beneficiaries.rules.accounts import (
    AccountNumberError,
    PhoneError,
    normalize_account_number,
    normalize_phone,
)
from beneficiaries.rules.cccd import (
    CccdError,
    CccdInfo,
    check_cccd_against_record,
    normalize_cccd,
    parse_cccd,
)
from beneficiaries.rules.money import AmountError, parse_amount
from beneficiaries.rules.names import (
    TCVN3,
    VNI,
    convert_legacy,
    detect_legacy_encoding,
    fold_name,
    normalize_name,
)
from reports.xlsx import unescape_text

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

#: Rows read before deciding on the encoding and the layout.
_PREFIX_ROWS = HEADER_SEARCH_ROWS + 3
#: People from this age must have a personal ID (Luật Căn cước 2023).
ID_REQUIRED_FROM_AGE = 14
PROGRESS_EVERY = 1000

# Characters of Unicode Vietnamese that the legacy encodings (single-byte,
# Latin-1 range) never produce: ă đ ĩ ũ ơ ư, the Latin Extended Additional
# block, and combining marks of decomposed text.
_UNICODE_VIETNAMESE = re.compile(
    "[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0"
    "\u0300-\u0323\u1ea0-\u1ef9]"
)
_ENCODING_NAMES = {TCVN3: "TCVN3 (ABC, phông .VnTime)", VNI: "VNI (phông VNI-Times)"}


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
        self.lookups = _Lookups(reference)

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
        converter = _Converter(self.encoding) if self.encoding else None
        readable = prefix if converter is None else [converter.row(row) for row in prefix]
        found = find_header(readable)
        if found is None:
            return "no-header"
        layout = _resolve_layout(readable, found[0])
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
        parser = _RowParser(self, title, layout, converter)
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
                if _UNICODE_VIETNAMESE.search(value):
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
                % {"encoding": _ENCODING_NAMES[legacy]},
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


class _Converter:
    """Converts the text cells of a legacy-encoded workbook to Unicode.

    ASCII cells are left alone (nothing to convert), and so are cells that
    already hold Unicode Vietnamese: converting them would garble them.
    """

    __slots__ = ("encoding", "cache")

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.cache: dict[str, str] = {}

    def row(self, row: tuple[object, ...]) -> tuple[object, ...]:
        if all(not isinstance(value, str) or value.isascii() for value in row):
            return row
        return tuple(self.text(value) if isinstance(value, str) else value for value in row)

    def text(self, value: str) -> str:
        if value.isascii() or _UNICODE_VIETNAMESE.search(value):
            return value
        converted = self.cache.get(value)
        if converted is None:
            converted = convert_legacy(value, self.encoding)
            if len(self.cache) < 50_000:
                self.cache[value] = converted
        return converted


class _Lookups:
    """Reference lookups cached by the raw cell text (the same words repeat on every row)."""

    def __init__(self, reference: Reference) -> None:
        self.reference = reference
        self.programmes: dict[str, str | None] = {}
        self.categories: dict[str, tuple[CategoryRef, ...]] = {}
        self.banks: dict[str, tuple[str, bool] | str | None] = {}

    def programme(self, text: str) -> str | None:
        try:
            return self.programmes[text]
        except KeyError:
            code = self.reference.programmes.get(fold_key(text))
            self.programmes[text] = code
            return code

    def category(self, text: str) -> tuple[CategoryRef, ...]:
        try:
            return self.categories[text]
        except KeyError:
            refs = self.reference.categories.get(fold_key(text), ())
            if not refs and ("(" in text or "[" in text):
                refs = self.reference.categories.get(fold_key(_PARENTHESIS.sub(" ", text)), ())
            self.categories[text] = refs
            return refs

    def bank(self, text: str) -> tuple[str, bool] | str | None:
        """``(bin, e-wallet)``, ``"ambiguous"``, or ``None`` for an unknown bank."""
        try:
            return self.banks[text]
        except KeyError:
            pass
        banks = self.reference.banks
        ambiguous = self.reference.ambiguous_banks
        found: tuple[str, bool] | str | None = None
        for key in (*bank_keys(text), *bank_fallback_keys(text)):
            if key in banks:
                found = banks[key]
                break
            if key in ambiguous:
                found = "ambiguous"
                break
        self.banks[text] = found
        return found


def _as_text(value: object) -> str:
    """A cell as text for a lookup: strings as they are (the lookup caches by them)."""
    return value if value.__class__ is str else cell_text(value)  # type: ignore[return-value]


# "Tổng", "Cộng" and their capitals: a cheap test before folding a cell.
_TOTALS_HINT = re.compile(r"\s*[TtCc][oòóỏõọôồốổỗộOÒÓỎÕỌÔỒỐỔỖỘ]")
_FIELDS_OF_DATA = ("birth_date", "birth_male", "birth_female", "personal_id", "amount", "category")


class _RowParser:
    """Turns the data rows of one sheet into ImportRow objects and issues."""

    def __init__(
        self,
        reader: _WorkbookReader,
        sheet: str,
        layout: _Layout,
        converter: _Converter | None,
    ) -> None:
        self.reader = reader
        self.converter = converter
        self.sheet = sheet
        self.titles = layout.titles
        self.today = reader.today
        self.reference = reader.reference
        self.lookups = reader.lookups
        self.issues = reader.result.issues
        self.rows = reader.result.rows
        self.legacy = reader.encoding
        index = {name: col for col, name in layout.columns.items()}
        self.width = max(layout.columns) + 1
        absent = self.width  # always None once the row is padded
        self.pads = [(None,) * (n + 1) for n in range(self.width + 1)]

        def col(name: str) -> int:
            return index.get(name, absent)

        self.c_number = col("row_number")
        self.c_name = col("full_name")
        self.c_birth = col("birth_date")
        self.c_birth_m = col("birth_male")
        self.c_birth_f = col("birth_female")
        self.split_birth = "birth_male" in index and "birth_female" in index
        self.c_gender = col("gender")
        self.c_male = col("male")
        self.c_female = col("female")
        self.marks = "male" in index and "female" in index
        self.c_id = col("personal_id")
        self.c_village = col("village")
        self.c_programme = col("programme")
        self.c_category = col("category")
        self.c_amount = col("amount")
        self.c_coefficient = col("coefficient")
        self.c_decision = col("decision_number")
        self.c_method = col("method")
        self.c_receiver = col("receiver_kind")
        self.c_rep_name = col("rep_name")
        self.c_rep_id = col("rep_personal_id")
        self.c_relationship = col("relationship")
        self.c_account = col("account_number")
        self.c_bank = col("bank")
        self.c_holder = col("account_holder")
        self.c_phone = col("phone")
        self.c_note = col("note")
        self.data_cols = [index[name] for name in _FIELDS_OF_DATA if name in index]
        # Totals are written in the first cells: row number, name, or merged across them.
        self.lead_cols = sorted(
            {c for c in (self.c_number, self.c_name) if c != absent}
            | set(range(min(3, self.width)))
        )
        self.texts: dict[str, str] = {}

    # Helpers ---------------------------------------------------------------------------

    def _error(self, row: int, name: str, value: object, message: str) -> None:
        self.issues.append(
            Issue(self.sheet, row, self.titles.get(name), cell_text(value), str(message), "error")
        )

    def _warning(self, row: int, name: str | None, value: object, message: str) -> None:
        self.issues.append(
            Issue(
                self.sheet,
                row,
                self.titles.get(name) if name else None,
                cell_text(value),
                str(message),
                "warning",
            )
        )

    def _text(self, value: object) -> str:
        """A text cell cleaned up (NFC, single spaces); numbers as written."""
        if value is None:
            return ""
        if isinstance(value, str):
            cleaned = self.texts.get(value)
            if cleaned is None:
                # Undo the exporter's formula escaping ("'-…"): a round trip changes nothing.
                cleaned = normalize_name(unescape_text(value))
                if len(self.texts) < 100_000:
                    self.texts[value] = cleaned
            return cleaned
        return cell_text(value)

    # Rows ------------------------------------------------------------------------------

    def looks_like_data(self, row: Sequence[object]) -> bool:
        """Whether a row after the end of the list has a name, a personal ID and an amount."""
        length = len(row)
        return all(
            col < length and not is_blank(row[col])
            for col in (self.c_name, self.c_id, self.c_amount)
        ) and not any(
            isinstance(row[col], str) and is_totals(row[col])  # type: ignore[arg-type]
            for col in self.lead_cols
            if col < length
        )

    def feed(self, excel_row: int, row: tuple[object, ...]) -> bool:
        """Parse one sheet row; ``True`` when the list has ended (totals, signatures)."""
        width = self.width
        length = len(row)
        # Rows are tuples, except openpyxl's filler for a missing row (a list).
        if length > width:
            row = tuple(row[:width]) + (None,)
        else:
            row = tuple(row) + self.pads[width - length]
        raw_name = row[self.c_name]
        if self.converter is not None:
            row = self.converter.row(row)
        # Whitespace-only cells become None, so that the parsing below tests
        # emptiness with ``is None``; a row of nothing else is skipped.
        blank = True
        spaces = False
        for value in row:
            if value is not None:
                if value.__class__ is str and not value.strip():
                    spaces = True
                else:
                    blank = False
        if blank:
            return False
        if spaces:
            row = tuple(
                None if value.__class__ is str and not value.strip() else value for value in row
            )
        # A person (a CCCD or a birth date) is never the totals row, whatever the
        # name: "Tống Công Bình" folds to "TONG CONG BINH".
        has_person = any(
            row[col] is not None
            for col in (self.c_id, self.c_birth, self.c_birth_m, self.c_birth_f)
        )
        for col in self.lead_cols:
            value = row[col]
            if not has_person and isinstance(value, str) and _TOTALS_HINT.match(value):
                if is_totals(value):
                    return True
                if is_subtotal(value):
                    return False
        has_data = any(row[col] is not None for col in self.data_cols)
        if not has_data:
            texts = [value for value in row if isinstance(value, str)]
            if any(is_signature(text) for text in texts):
                return True
            filled = [value for value in row if value is not None]
            if filled and not (len(filled) == 1 and row[self.c_number] is not None):
                self._warning(
                    excel_row,
                    None,
                    " | ".join(cell_text(value) for value in filled),
                    _(
                        "Dòng không có ngày sinh, số CCCD, diện đối tượng và mức trợ cấp: bỏ qua "
                        "(coi là dòng tiêu đề nhóm hoặc ghi chú)."
                    ),
                )
            return False
        self.reader.result.data_rows += 1
        self._parse(excel_row, row, raw_name)
        return False

    def _parse(self, r: int, row: tuple[object, ...], stored_name: object) -> None:
        """Parse a data row; ``stored_name`` is the name cell before any conversion."""
        issues = self.issues
        start = len(issues)
        today = self.today

        # Name --------------------------------------------------------------------------
        raw_name = row[self.c_name]
        full_name = self._text(raw_name)
        if not full_name:
            self._error(r, "full_name", raw_name, _("Chưa có họ và tên."))
        elif isinstance(stored_name, str) and not stored_name.isascii():
            self._check_name_encoding(r, "full_name", stored_name)

        # Birth and gender -------------------------------------------------------------
        gender: str | None = None
        birth_name = "birth_date"
        if self.split_birth:
            male_value, female_value = row[self.c_birth_m], row[self.c_birth_f]
            male_blank, female_blank = male_value is None, female_value is None
            if not male_blank and not female_blank:
                raw_birth = None
                self._error(
                    r,
                    "birth_male",
                    f"{cell_text(male_value)} | {cell_text(female_value)}",
                    _("Ngày sinh ghi ở cả cột Nam và cột Nữ: chỉ ghi vào cột đúng giới tính."),
                )
            elif male_blank and female_blank:
                raw_birth = None
                self._error(
                    r,
                    "birth_male",
                    "",
                    _("Chưa có ngày sinh: ghi vào cột Nam hoặc cột Nữ theo giới tính."),
                )
            else:
                gender = "M" if not male_blank else "F"
                birth_name = "birth_male" if gender == "M" else "birth_female"
                raw_birth = male_value if gender == "M" else female_value
        else:
            raw_birth = row[self.c_birth]
        birth_date: datetime.date | None = None
        birth_year: int | None = None
        if raw_birth is not None or not self.split_birth:
            birth_date, birth_year, birth_error, birth_warning = parse_birth(raw_birth, today=today)
            if birth_error is not None:
                self._error(r, birth_name, raw_birth, birth_error)
            elif birth_warning is not None:
                self._warning(r, birth_name, raw_birth, birth_warning)

        raw_gender = row[self.c_gender]
        if raw_gender is not None:
            gender = parse_gender(raw_gender)
            if gender is None:
                self._error(
                    r,
                    "gender",
                    raw_gender,
                    _("Giới tính “%(value)s” không hợp lệ: ghi Nam hoặc Nữ.")
                    % {"value": cell_text(raw_gender)},
                )
        elif self.marks:
            male_mark = row[self.c_male] is not None
            female_mark = row[self.c_female] is not None
            if male_mark and female_mark:
                self._error(
                    r,
                    "male",
                    f"{cell_text(row[self.c_male])} | {cell_text(row[self.c_female])}",
                    _("Đánh dấu cả cột Nam và cột Nữ: chỉ đánh dấu một cột."),
                )
            elif male_mark or female_mark:
                gender = "M" if male_mark else "F"
            elif gender is None:
                self._error(r, "male", "", _("Chưa đánh dấu giới tính (cột Nam hoặc cột Nữ)."))
        elif gender is None and not self.split_birth:
            self._error(r, "gender", raw_gender, _("Chưa có giới tính."))

        # Personal ID ----------------------------------------------------------------------
        raw_id = row[self.c_id]
        personal_id = self._personal_id(r, "personal_id", raw_id, birth_year, gender)
        if raw_id is None and birth_year is not None:
            if not self._under_id_age(birth_date, birth_year):
                self._error(
                    r,
                    "personal_id",
                    raw_id,
                    _(
                        "Số CCCD bắt buộc với người từ %(age)d tuổi (chỉ trẻ em dưới %(age)d tuổi "
                        "được để trống)."
                    )
                    % {"age": ID_REQUIRED_FROM_AGE},
                )

        # Village --------------------------------------------------------------------------
        raw_village = row[self.c_village]
        village = self._text(raw_village)
        if not village:
            self._error(r, "village", raw_village, _("Chưa có thôn (nơi ở)."))

        # Programme and category -------------------------------------------------------
        raw_programme = row[self.c_programme]
        programme: str | None = None
        if raw_programme is not None:
            programme = self.lookups.programme(_as_text(raw_programme))
            if programme is None:
                self._error(
                    r,
                    "programme",
                    raw_programme,
                    _(
                        "Không có chương trình “%(value)s”: ghi NCC (Người có công), BTXH (Bảo trợ "
                        "xã hội) hoặc HTXH (Hưu trí xã hội)."
                    )
                    % {"value": cell_text(raw_programme)},
                )
        category, programme = self._category(r, row[self.c_category], programme, raw_programme)

        # Amount and coefficient -----------------------------------------------------------
        raw_amount = row[self.c_amount]
        amount = 0
        if isinstance(raw_amount, int) and not isinstance(raw_amount, bool) and raw_amount > 0:
            amount = raw_amount
        else:
            try:
                amount = parse_amount(raw_amount)
            except AmountError as exc:
                self._error(r, "amount", raw_amount, exc.message)
            else:
                if amount == 0:
                    self._error(r, "amount", raw_amount, _("Mức trợ cấp phải lớn hơn 0."))
        coefficient = self._coefficient(r, row[self.c_coefficient], programme, category)

        # Method and receiver --------------------------------------------------------------
        raw_method = row[self.c_method]
        method: Method = "cash"
        ewallet = False
        if raw_method is not None:
            found_method = METHOD_WORDS.get(fold_key(_as_text(raw_method)))
            if found_method is None:
                self._error(
                    r,
                    "method",
                    raw_method,
                    _(
                        "Hình thức nhận “%(value)s” không hợp lệ: ghi Tài khoản, Ví điện tử, "
                        "Tiền mặt hoặc Tại nhà."
                    )
                    % {"value": cell_text(raw_method)},
                )
            else:
                method, ewallet = found_method

        raw_rep_name = row[self.c_rep_name]
        rep_name = self._text(raw_rep_name)
        raw_receiver = row[self.c_receiver]
        receiver: ReceiverKind = "proxy" if rep_name else "self"
        if raw_receiver is not None:
            found_receiver = RECEIVER_WORDS.get(fold_key(_as_text(raw_receiver)))
            if found_receiver is None:
                self._error(
                    r,
                    "receiver_kind",
                    raw_receiver,
                    _("Người nhận “%(value)s” không hợp lệ: ghi Bản thân, Ủy quyền hoặc Giám hộ.")
                    % {"value": cell_text(raw_receiver)},
                )
            else:
                receiver = found_receiver
                if receiver == "self" and rep_name:
                    self._warning(
                        r,
                        "receiver_kind",
                        raw_receiver,
                        _(
                            "Có tên người nhận thay (%(name)s) nhưng người nhận ghi là bản thân: "
                            "tiền sẽ trả cho chính đối tượng."
                        )
                        % {"name": rep_name},
                    )
        rep_personal_id = self._representative(
            r, raw_rep_name, rep_name, row[self.c_rep_id], receiver, personal_id
        )

        # Account ----------------------------------------------------------------------------
        account_number, bank_bin, account_holder, ewallet = self._account(
            r, row, method, ewallet, receiver, full_name, rep_name
        )

        # Phone ------------------------------------------------------------------------------
        raw_phone = row[self.c_phone]
        phone = ""
        if raw_phone is not None:
            try:
                phone = normalize_phone(raw_phone)  # type: ignore[arg-type]
            except PhoneError as exc:
                self._error(r, "phone", raw_phone, exc.message)

        # Duplicates inside the file ------------------------------------------------------
        if personal_id is not None:
            self._duplicates(r, personal_id, category, full_name, raw_id)

        if any(issue.level == "error" for issue in issues[start:]):
            return
        self.rows.append(
            ImportRow(
                sheet=self.sheet,
                row=r,
                full_name=full_name,
                birth_date=birth_date,
                birth_year=birth_year,  # type: ignore[arg-type]
                gender=gender,  # type: ignore[arg-type]
                personal_id=personal_id,
                village=village,
                programme_code=programme,  # type: ignore[arg-type]
                category_code=category,  # type: ignore[arg-type]
                amount=amount,
                coefficient=coefficient,
                decision_number=self._text(row[self.c_decision]),
                method=method,
                ewallet=ewallet,
                receiver_kind=receiver,
                rep_name=rep_name,
                rep_personal_id=rep_personal_id,
                relationship=self._text(row[self.c_relationship]),
                account_number=account_number,
                bank_bin=bank_bin,
                account_holder=account_holder,
                phone=phone,
                note=self._text(row[self.c_note]),
            )
        )

    # Fields ---------------------------------------------------------------------------

    def _check_name_encoding(self, r: int, name: str, value: str) -> None:
        """A name in a legacy encoding inside a Unicode file, or the reverse."""
        if self.legacy is None:
            if not _UNICODE_VIETNAMESE.search(value):
                encoding = detect_legacy_encoding(value)
                if encoding is not None:
                    self._error(
                        r,
                        name,
                        value,
                        _(
                            "Họ tên có vẻ gõ bằng bảng mã %(encoding)s trong khi tệp dùng Unicode: "
                            "hãy chuyển sang Unicode."
                        )
                        % {"encoding": _ENCODING_NAMES[encoding]},
                    )
        elif _UNICODE_VIETNAMESE.search(value):
            self._error(
                r,
                name,
                value,
                _(
                    "Họ tên gõ bằng Unicode trong khi tệp dùng bảng mã %(encoding)s: hãy chuyển "
                    "toàn bộ tệp sang Unicode."
                )
                % {"encoding": _ENCODING_NAMES[self.legacy]},
            )

    def _personal_id(
        self, r: int, name: str, raw: object, birth_year: int | None, gender: str | None
    ) -> str | None:
        """Normalise and check a personal ID; ``None`` when blank or wrong (error reported)."""
        if raw is None:
            return None
        try:
            number, warnings = normalize_cccd(raw)  # type: ignore[arg-type]
            info: CccdInfo = parse_cccd(
                number, known_provinces=self.reference.known_provinces, today=self.today
            )
        except CccdError as exc:
            self._error(r, name, raw, exc.message)
            return None
        male = None if gender is None else gender == "M"
        if name == "personal_id":
            warnings = [
                *warnings,
                *check_cccd_against_record(info, birth_year=birth_year, male=male),
            ]
        else:
            warnings = [*warnings, *check_cccd_against_record(info, birth_year=None, male=None)]
        for warning in warnings:
            self._warning(r, name, raw, warning)
        return number

    def _under_id_age(self, birth_date: datetime.date | None, birth_year: int) -> bool:
        """Whether the person may be under 14 today (a year alone gives the benefit of the doubt)."""
        today = self.today
        if birth_date is not None:
            age = (
                today.year
                - birth_date.year
                - ((today.month, today.day) < (birth_date.month, birth_date.day))
            )
        else:
            age = today.year - birth_year - 1
        return age < ID_REQUIRED_FROM_AGE

    def _category(
        self, r: int, raw: object, programme: str | None, raw_programme: object
    ) -> tuple[str | None, str | None]:
        """The category code and the programme it settles (from the column or the category)."""
        if raw is None:
            self._error(r, "category", raw, _("Chưa có diện đối tượng."))
            return None, programme
        refs = self.lookups.category(_as_text(raw))
        if not refs:
            self._error(
                r,
                "category",
                raw,
                _(
                    "Không có diện đối tượng “%(value)s” trong danh mục: ghi mã (ví dụ NCC_G, "
                    "BTXH_K6_N), tên hoặc tên ngắn của diện."
                )
                % {"value": cell_text(raw)},
            )
            return None, programme
        if programme is not None:
            matching = [ref for ref in refs if ref[1] == programme]
            if not matching:
                self._error(
                    r,
                    "category",
                    raw,
                    _(
                        "Diện “%(value)s” thuộc chương trình %(actual)s, không thuộc chương trình "
                        "%(programme)s ghi ở cột “%(column)s”."
                    )
                    % {
                        "value": cell_text(raw),
                        "actual": ", ".join(sorted({ref[1] for ref in refs})),
                        "programme": programme,
                        "column": self.titles.get("programme", ""),
                    },
                )
                return None, programme
            refs = tuple(matching)
        if len(refs) > 1:
            self._error(
                r,
                "category",
                raw,
                _("Diện “%(value)s” trùng tên với nhiều diện (%(codes)s): hãy ghi mã diện.")
                % {"value": cell_text(raw), "codes": ", ".join(ref[0] for ref in refs)},
            )
            return None, programme
        code, category_programme = refs[0]
        return code, category_programme

    def _coefficient(
        self, r: int, raw: object, programme: str | None, category: str | None
    ) -> Decimal | None:
        if raw is None:
            return None
        coefficient, error = parse_coefficient(raw)
        if error is not None:
            self._error(r, "coefficient", raw, error)
            return None
        if programme is None or category is None:
            return coefficient
        if programme not in self.reference.coefficient_programmes:
            self._warning(
                r,
                "coefficient",
                raw,
                _(
                    "Chương trình %(programme)s trả theo số tiền ghi trong quyết định, không "
                    "theo hệ số: bỏ qua hệ số."
                )
                % {"programme": programme},
            )
            return None
        expected = self.reference.category_coefficients.get(category)
        if expected is not None and coefficient != expected:
            self._warning(
                r,
                "coefficient",
                raw,
                _("Hệ số %(value)s khác hệ số của diện %(category)s (%(expected)s).")
                % {
                    "value": cell_text(raw),
                    "category": category,
                    "expected": f"{expected.normalize():f}".replace(".", ","),
                },
            )
        return coefficient

    def _representative(
        self,
        r: int,
        raw_rep_name: object,
        rep_name: str,
        raw_rep_id: object,
        receiver: ReceiverKind,
        personal_id: str | None,
    ) -> str | None:
        """The representative's personal ID, checked against the beneficiary's."""
        if receiver in ("proxy", "guardian") and not rep_name:
            self._error(
                r,
                "rep_name",
                raw_rep_name,
                _(
                    "Người nhận là người được ủy quyền hoặc giám hộ nhưng chưa có họ tên người nhận thay."
                ),
            )
        if not rep_name:
            if raw_rep_id is not None:
                self._error(
                    r,
                    "rep_personal_id",
                    raw_rep_id,
                    _("Có số CCCD người nhận thay nhưng chưa có họ tên người nhận thay."),
                )
            return None
        if raw_rep_id is None:
            self._error(
                r,
                "rep_personal_id",
                raw_rep_id,
                _("Chưa có số CCCD của người nhận thay %(name)s (bắt buộc khi có người nhận thay).")
                % {"name": rep_name},
            )
            return None
        rep_id = self._personal_id(r, "rep_personal_id", raw_rep_id, None, None)
        if rep_id is not None and rep_id == personal_id:
            self._error(
                r,
                "rep_personal_id",
                raw_rep_id,
                _("Người nhận thay không thể là chính đối tượng (trùng số CCCD)."),
            )
        return rep_id

    def _account(
        self,
        r: int,
        row: tuple[object, ...],
        method: Method,
        ewallet: bool,
        receiver: ReceiverKind,
        full_name: str,
        rep_name: str,
    ) -> tuple[str, str | None, str, bool]:
        """``(account number, bank BIN, folded holder, e-wallet)``, with their checks."""
        raw_account = row[self.c_account]
        raw_bank = row[self.c_bank]
        raw_holder = row[self.c_holder]
        account_blank = raw_account is None
        bank_blank = raw_bank is None
        if method != "account":
            if not account_blank or not bank_blank:
                self._warning(
                    r,
                    "account_number" if not account_blank else "bank",
                    raw_account if not account_blank else raw_bank,
                    _(
                        "Hình thức nhận là tiền mặt nên số tài khoản, ngân hàng ở dòng này không "
                        "được dùng; nếu nhận qua tài khoản hãy ghi Hình thức nhận là Tài khoản."
                    ),
                )
            return "", None, "", False
        bank_bin: str | None = None
        if bank_blank:
            self._error(
                r,
                "bank",
                raw_bank,
                _("Nhận qua tài khoản nhưng chưa có tên ngân hàng (hoặc ví điện tử)."),
            )
        else:
            found = self.lookups.bank(_as_text(raw_bank))
            if found is None:
                self._error(
                    r,
                    "bank",
                    raw_bank,
                    _(
                        "Không nhận ra ngân hàng “%(value)s”: ghi tên ngắn như Agribank, "
                        "VietinBank, BIDV, hoặc tên đầy đủ."
                    )
                    % {"value": cell_text(raw_bank)},
                )
            elif found == "ambiguous":
                self._error(
                    r,
                    "bank",
                    raw_bank,
                    _(
                        "Tên ngân hàng “%(value)s” trùng với nhiều ngân hàng: ghi rõ hơn hoặc ghi mã BIN."
                    )
                    % {"value": cell_text(raw_bank)},
                )
            else:
                bank_bin, is_wallet = found  # type: ignore[misc]
                if is_wallet:
                    ewallet = True
                elif ewallet:
                    self._error(
                        r,
                        "bank",
                        raw_bank,
                        _(
                            "Hình thức nhận là ví điện tử nhưng “%(value)s” là ngân hàng: ghi tên ví "
                            "(ViettelMoney, VNPTMoney, MoMo) hoặc đổi hình thức nhận thành Tài khoản."
                        )
                        % {"value": cell_text(raw_bank)},
                    )
        account_number = ""
        if account_blank:
            self._error(
                r,
                "account_number",
                raw_account,
                _("Nhận qua tài khoản nhưng chưa có số tài khoản."),
            )
        else:
            try:
                account_number = normalize_account_number(raw_account, ewallet=ewallet)  # type: ignore[arg-type]
            except AccountNumberError as exc:
                self._error(r, "account_number", raw_account, exc.message)
        account_holder = ""
        if raw_holder is not None:
            account_holder = fold_name(cell_text(raw_holder))
            by_proxy = receiver in ("proxy", "guardian") and rep_name
            receiver_name = rep_name if by_proxy else full_name
            if receiver_name and account_holder != fold_name(receiver_name):
                self._warning(
                    r,
                    "account_holder",
                    raw_holder,
                    _(
                        "Tên chủ tài khoản “%(holder)s” khác tên người nhận tiền “%(receiver)s”: "
                        "hãy kiểm tra tài khoản có đúng của người nhận không."
                    )
                    % {"holder": account_holder, "receiver": receiver_name},
                )
        return account_number, bank_bin, account_holder, ewallet

    def _duplicates(
        self, r: int, personal_id: str, category: str | None, full_name: str, raw_id: object
    ) -> None:
        reader = self.reader
        person = reader.seen_people.get(personal_id)
        if person is None:
            reader.seen_people[personal_id] = (full_name, self.sheet, r)
        elif (
            full_name
            and person[0]
            and person[0] != full_name
            and fold_name(person[0]) != fold_name(full_name)
        ):
            self._error(
                r,
                "personal_id",
                raw_id,
                _(
                    "Số CCCD %(number)s đã ghi cho người khác (%(name)s) ở dòng %(row)d, "
                    "trang “%(sheet)s”."
                )
                % {"number": personal_id, "name": person[0], "row": person[2], "sheet": person[1]},
            )
        if category is None:
            return
        key = (personal_id, category)
        first = reader.seen_enrolments.get(key)
        if first is None:
            reader.seen_enrolments[key] = (self.sheet, r)
            return
        self._error(
            r,
            "personal_id",
            raw_id,
            _(
                "Trùng với dòng %(row)d (trang “%(sheet)s”): cùng số CCCD %(number)s và cùng "
                "diện %(category)s."
            )
            % {"row": first[1], "sheet": first[0], "number": personal_id, "category": category},
        )
