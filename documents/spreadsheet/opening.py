"""Opening a file safely: its size, what it really is, then openpyxl in read-only mode.

People upload what they have: an .xls saved long ago, a CSV, a PDF, a
workbook renamed .zip, half a file. Each is recognised before openpyxl sees
it, so the message says what the file is and how to save it as .xlsx.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from documents.spreadsheet.errors import WorkbookError, corrupt, not_xlsx

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

Source = str | Path | BinaryIO


def check_size(handle: IO[bytes]) -> None:
    """Refuse a file over ``IMPORT_MAX_UPLOAD_MB`` before reading any of it."""
    limit = settings.IMPORT_MAX_UPLOAD_MB
    start = handle.tell()
    size = handle.seek(0, 2) - start
    handle.seek(start)
    if size > limit * 1024 * 1024:
        raise WorkbookError(
            _(
                "Tệp lớn %(size)s MB, quá giới hạn %(limit)s MB. Hãy tách tệp hoặc liên hệ "
                "quản trị viên."
            )
            % {"size": f"{size / 1024 / 1024:.1f}".replace(".", ","), "limit": limit}
        )


def _check_signature(head: bytes) -> None:
    """Refuse what is obviously not an .xlsx, naming what it seems to be."""
    if not head:
        raise WorkbookError(_("Tệp rỗng (0 byte)."))
    if head.startswith(b"PK"):
        return
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise not_xlsx(_("tệp Excel 97-2003 .xls, hoặc tệp Excel đặt mật khẩu"))
    if head.startswith(b"%PDF"):
        raise not_xlsx(_("tệp PDF"))
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode Text" export: UTF-16 with a byte-order mark.
        raise not_xlsx(_("tệp văn bản hoặc CSV"))
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<html", b"<!doctype", b"<?xml", b"<table", b"<meta")):
        raise not_xlsx(_("trang HTML hoặc XML đặt tên .xls/.xlsx"))
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            if all(byte >= 0x20 or byte in b"\t\r\n" for byte in head):
                raise not_xlsx(_("tệp văn bản hoặc CSV")) from None
        else:
            raise not_xlsx(_("tệp văn bản hoặc CSV"))
    raise not_xlsx(_("không nhận ra định dạng"))


def _check_archive(handle: IO[bytes]) -> None:
    """A zip that is not a workbook: .docx, .ods, .xlsb, or a broken zip."""
    start = handle.tell()
    try:
        with zipfile.ZipFile(handle) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        raise corrupt() from None
    finally:
        handle.seek(start)
    if b"opendocument.spreadsheet" in mimetype:
        raise not_xlsx(_("bảng tính OpenDocument .ods"))
    if "xl/workbook.bin" in names:
        raise not_xlsx(_("tệp Excel nhị phân .xlsb"))
    if "word/document.xml" in names:
        raise not_xlsx(_("tệp Word"))
    if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
        raise not_xlsx(_("tệp nén .zip"))


@contextmanager
def opened(source: Source) -> Iterator[IO[bytes]]:
    """A binary handle on the source, closed afterwards only if opened here."""
    if isinstance(source, str | Path):
        with Path(source).open("rb") as handle:
            yield handle
    else:
        yield source


def head_of(handle: IO[bytes]) -> bytes:
    start = handle.tell()
    head = handle.read(512)
    handle.seek(start)
    return head


@contextmanager
def open_workbook(source: Source) -> Iterator[Workbook]:
    """The workbook of an .xlsx file, read-only and streamed; closed on leaving.

    Checked before openpyxl sees it (size, what the file really is, whether
    the zip is a workbook), so the user is told what to do rather than shown
    openpyxl's error. A file found damaged while it is read also becomes a
    :class:`WorkbookError`.
    """
    with opened(source) as handle:
        check_size(handle)
        _check_signature(head_of(handle))
        _check_archive(handle)
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except (zipfile.BadZipFile, zlib.error, KeyError, EOFError, ParseError, OSError):
            raise corrupt() from None
        except InvalidFileException:
            raise not_xlsx(_("không nhận ra định dạng")) from None
        try:
            yield workbook
        except (zipfile.BadZipFile, zlib.error, EOFError, ParseError):
            raise corrupt() from None
        finally:
            workbook.close()


def declared_rows(handle: IO[bytes]) -> int:
    """Rows the workbook declares (its dimensions), for a progress bar; 0 when unreadable."""
    start = handle.tell()
    try:
        with open_workbook(handle) as workbook:
            return sum((ws.max_row or 0) for ws in workbook.worksheets)
    except WorkbookError:
        return 0
    finally:
        handle.seek(start)


def choose_sheets(workbook: Workbook, name: str | None) -> list[ReadOnlyWorksheet]:
    """The sheet named ``name``, or every visible sheet when no name is given."""
    if name is None:
        return [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
    names = [ws.title for ws in workbook.worksheets]
    if name not in names:
        raise WorkbookError(
            _("Không có trang tính “%(sheet)s” trong tệp (các trang: %(names)s).")
            % {"sheet": name, "names": ", ".join(names)}
        )
    return [workbook[name]]


def iter_sheet_rows(worksheet: ReadOnlyWorksheet) -> Iterator[tuple[object, ...]]:
    """Every row of a read-only worksheet as a tuple of values, from row 1.

    The stored dimensions are dropped first: files written by some tools
    declare a size smaller than their content, and openpyxl would stop
    there. Rows then have their own length (trailing empty cells absent).
    """
    if hasattr(worksheet, "reset_dimensions"):
        worksheet.reset_dimensions()
    return worksheet.iter_rows(values_only=True)


def csv_rows(handle: IO[bytes]) -> list[tuple[object, ...]]:
    try:
        text = handle.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise WorkbookError(_("Tệp CSV phải mã hóa UTF-8.")) from None
    return [tuple(row) for row in csv.reader(io.StringIO(text))]
