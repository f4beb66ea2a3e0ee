"""The officer's workbook given back with a column saying what is wrong on each row.

The original cells are copied as values (formatting is not kept: the point is
to find and fix the rows), in constant memory, so a 100,000-row file is no
problem.
"""

from __future__ import annotations

import datetime
from typing import IO

import xlsxwriter
from openpyxl import load_workbook

from beneficiaries.models import ImportBatch
from documents.xlsx import escape_text

RESULT_HEADER = "KẾT QUẢ KIỂM TRA"


def write_error_file(batch: ImportBatch, target: IO[bytes]) -> None:
    problems: dict[tuple[str, int], list[str]] = {}
    general: list[str] = []
    for issue in batch.issues:
        label = "Lỗi" if issue["level"] == "error" else "Cảnh báo"
        text = f"{label}: {issue['column'] + ': ' if issue['column'] else ''}{issue['message']}"
        if issue["row"]:
            problems.setdefault((issue["sheet"], issue["row"]), []).append(text)
        else:
            general.append(text)
    out = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False})
    bold = out.add_format({"bold": True})
    red = out.add_format({"font_color": "#B42318", "text_wrap": True})
    date_fmt = out.add_format({"num_format": "dd/mm/yyyy"})
    if general:
        ws = out.add_worksheet("Lỗi chung")
        ws.set_column(0, 0, 120)
        for index, text in enumerate(general):
            ws.write_string(index, 0, text, red)
    with batch.file.open("rb") as handle:
        source = load_workbook(handle, read_only=True, data_only=True)
        try:
            for sheet in source.worksheets:
                if sheet.sheet_state != "visible":
                    continue
                ws = out.add_worksheet(sheet.title[:31])
                width = max(sheet.max_column or 1, 1)
                ws.set_column(width, width, 60)
                for index, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                    for col, value in enumerate(values):
                        _copy(ws, index - 1, col, value, date_fmt)
                    found = problems.get((sheet.title, index))
                    if found:
                        ws.write_string(index - 1, width, "\n".join(found), red)
                    elif index == 1:
                        ws.write_string(0, width, RESULT_HEADER, bold)
        finally:
            source.close()
    out.close()


def _copy(ws, row: int, col: int, value, date_fmt) -> None:
    if value is None:
        return
    if isinstance(value, datetime.datetime | datetime.date):
        if not isinstance(value, datetime.datetime):
            value = datetime.datetime.combine(value, datetime.time())
        ws.write_datetime(row, col, value, date_fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value)
    else:
        ws.write_string(row, col, escape_text(str(value)))
