"""What goes wrong reading a file: the whole file (an exception), or one cell (a record).

A whole-file problem stops the reading with :class:`WorkbookError`, whose
Vietnamese message tells the user what to do; a problem of a cell is a
:class:`RowError` the import collects, so that every problem of the file is
shown at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from documents.spreadsheet.header import HEADER_SEARCH_ROWS


class WorkbookError(Exception):
    """The file cannot be read at all; ``message`` says why, in Vietnamese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class RowError:
    """A problem of the file, located for the user.

    ``row`` is the Excel row (1-based), ``None`` for the whole file or a whole
    column; ``column`` the header as written; ``value`` the cell as written.
    """

    sheet: str
    row: int | None
    column: str | None
    value: str
    message: str

    def __str__(self) -> str:
        if self.row is None and not self.column:
            return self.message
        where = _("Dòng %(row)s") % {"row": self.row} if self.row else _("Tệp")
        column = f", cột «{self.column}»" if self.column else ""
        value = f" (giá trị «{self.value}»)" if self.value else ""
        return f"{where}{column}{value}: {self.message}"


def not_xlsx(kind: str) -> WorkbookError:
    return WorkbookError(
        _(
            "Tệp không phải bảng tính Excel .xlsx (%(kind)s). Hãy mở tệp bằng Excel và chọn "
            "Lưu thành (Save As) kiểu “Excel Workbook (*.xlsx)” rồi tải lên lại."
        )
        % {"kind": kind}
    )


def corrupt() -> WorkbookError:
    return WorkbookError(
        _(
            "Tệp .xlsx bị hỏng hoặc tải lên chưa trọn vẹn, không đọc được. Hãy mở thử bằng Excel, "
            "lưu lại rồi tải lên lại."
        )
    )


def no_data(sheet: str | None) -> WorkbookError:
    if sheet is None:
        return WorkbookError(_("Tệp không có dữ liệu."))
    return WorkbookError(_("Trang tính “%(sheet)s” không có dữ liệu.") % {"sheet": sheet})


def no_header(sheet: str | None, example: Sequence[str]) -> WorkbookError:
    """No header row in the sheet (``None``: in any sheet); ``example`` names columns to look for."""
    values = {"rows": HEADER_SEARCH_ROWS, "sheet": sheet, "example": ", ".join(example)}
    if sheet is None:
        return WorkbookError(
            _(
                "Không tìm thấy dòng tiêu đề cột trong %(rows)d dòng đầu của các trang tính: "
                "cần một dòng có ít nhất 3 tên cột như %(example)s."
            )
            % values
        )
    return WorkbookError(
        _(
            "Không tìm thấy dòng tiêu đề cột trong %(rows)d dòng đầu của trang “%(sheet)s”: "
            "cần một dòng có ít nhất 3 tên cột như %(example)s."
        )
        % values
    )


def missing_columns(sheet: str, columns: Sequence[str], *, hint: str = "") -> WorkbookError:
    message = _("Trang “%(sheet)s” thiếu cột bắt buộc: %(columns)s.") % {
        "sheet": sheet,
        "columns": ", ".join(columns),
    }
    return WorkbookError(f"{message} {hint}" if hint else message)
