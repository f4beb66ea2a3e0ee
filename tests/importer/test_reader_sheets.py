"""Which sheets of a workbook are read, and how a long one reports its progress."""

from __future__ import annotations

import re

import pytest
from openpyxl import Workbook, load_workbook

from desk.importer.reader import read_workbook
from documents.spreadsheet import WorkbookError
from tests.importer.workbooks import (
    FIELDS,
    HOA,
    STANDARD_HEADER,
    data_row,
    fill_sheet,
    names,
    write_workbook,
)

# --- Sheets -----------------------------------------------------------------------------------


def _workbook_with_sheets(path, sheets: dict[str, list[list[object]] | None]) -> None:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        ws = workbook.create_sheet(title)
        if rows is None:
            ws["A1"] = "Hướng dẫn: điền danh sách vào các trang NCC, BTXH."
        else:
            fill_sheet(ws, rows)
    workbook.save(path)


def test_every_sheet_with_a_header_is_read_when_none_is_named(tmp_path, reference, today):
    path = tmp_path / "hai-trang.xlsx"
    _workbook_with_sheets(path, {"Hướng dẫn": None, "NCC": [data_row()], "BTXH": [data_row(**HOA)]})
    result = read_workbook(path, reference=reference, today=today)
    assert result.sheets == ["NCC", "BTXH"]
    assert [(r.sheet, r.full_name) for r in result.rows] == [
        ("NCC", "Nguyễn Văn An"),
        ("BTXH", "Lê Thị Hoa"),
    ]
    assert result.issues == []


def test_a_named_sheet_is_the_only_one_read(tmp_path, reference, today):
    path = tmp_path / "hai-trang.xlsx"
    _workbook_with_sheets(path, {"NCC": [data_row()], "BTXH": [data_row(**HOA)]})
    result = read_workbook(path, reference=reference, today=today, sheet="BTXH")
    assert result.sheets == ["BTXH"]
    assert names(result) == ["Lê Thị Hoa"]


def test_a_named_sheet_that_does_not_exist_is_refused(tmp_path, reference, today):
    path = tmp_path / "hai-trang.xlsx"
    _workbook_with_sheets(path, {"NCC": [data_row()], "BTXH": [data_row(**HOA)]})
    with pytest.raises(WorkbookError) as caught:
        read_workbook(path, reference=reference, today=today, sheet="HTXH")
    assert caught.value.message == "Không có trang tính “HTXH” trong tệp (các trang: NCC, BTXH)."


def test_duplicates_are_found_across_sheets(tmp_path, reference, today):
    path = tmp_path / "trung.xlsx"
    _workbook_with_sheets(path, {"Thôn 1": [data_row()], "Thôn 2": [data_row()]})
    [error] = read_workbook(path, reference=reference, today=today).errors
    assert (error.sheet, error.row) == ("Thôn 2", 9)
    assert "Trùng với dòng 9 (trang “Thôn 1”)" in error.message


def test_an_incomplete_sheet_is_skipped_with_a_warning_when_another_is_complete(
    tmp_path, reference, today
):
    path = tmp_path / "tong-hop.xlsx"
    workbook = Workbook()
    fill_sheet(workbook.active, [data_row()])
    summary = workbook.create_sheet("Tổng hợp")
    summary.append(["STT", "Thôn", "Số tiền"])
    summary.append([1, "Yên Lạc", 2_055_000])
    workbook.save(path)
    result = read_workbook(path, reference=reference, today=today)
    assert names(result) == ["Nguyễn Văn An"]
    [warning] = result.warnings
    assert warning.sheet == "Tổng hợp"
    assert (
        "thiếu cột bắt buộc: Họ và tên, Ngày sinh, Giới tính, Số CCCD, Diện đối tượng"
        in warning.message
    )


def test_a_hidden_sheet_is_not_read(tmp_path, reference, today):
    path = tmp_path / "an.xlsx"
    _workbook_with_sheets(path, {"DS": [data_row()], "Cũ": [data_row(**HOA)]})
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    workbook["Cũ"].sheet_state = "hidden"
    workbook.save(path)
    assert read_workbook(path, reference=reference, today=today).sheets == ["DS"]


# --- Progress and size ------------------------------------------------------------------------


def test_progress_is_reported_every_thousand_rows_and_at_the_end(tmp_path, reference, today):
    path = tmp_path / "lon.xlsx"
    rows = [
        data_row(row_number=i, personal_id=f"038050{i:06d}", full_name=f"Người Số {i}")
        for i in range(1, 2_501)
    ]
    write_workbook(path, rows)
    calls: list[int] = []
    result = read_workbook(path, reference=reference, today=today, progress=calls.append)
    assert len(result.rows) == 2_500
    assert result.errors == []
    # Every row of the sheet is read (the signature block too, looking for stray data).
    assert calls == [1_000, 2_000, load_workbook(path).active.max_row]


def test_a_worksheet_declaring_a_wrong_size_is_still_read_to_the_end(tmp_path, reference, today):
    import zipfile

    path = tmp_path / "sai-kich-thuoc.xlsx"
    write_workbook(path, [data_row(), data_row(row_number=2, **HOA)])
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(
                    rb'<dimension ref="[A-Z0-9:]+"', b'<dimension ref="A1:C3"', data
                )
                assert count == 1
            target.writestr(item, data)
    result = read_workbook(damaged, reference=reference, today=today)
    assert names(result) == ["Nguyễn Văn An", "Lê Thị Hoa"]
    assert [row.bank_bin for row in result.rows] == [None, None]
    assert len(FIELDS) == len(STANDARD_HEADER)
