"""Files typed with TCVN3 (.VnTime) or VNI (VNI-Times) fonts: converted whole, or refused."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from desk.importer.reader import read_workbook
from documents.spreadsheet import WorkbookError
from tests.importer.workbooks import (
    data_row,
    encode_workbook,
    fill_sheet,
    to_tcvn3,
    to_vni,
    write_workbook,
)

ROWS = [
    data_row(),
    data_row(
        row_number=2,
        full_name="Trịnh Thị Hằng",
        birth_date="01/01/1960",
        gender="Nữ",
        personal_id="038160000123",
        village="Đồng Mưng",
        programme="Bảo trợ xã hội",
        category="Khuyết tật nặng",
        amount=750_000,
        method="Tại nhà",
    ),
]


@pytest.mark.parametrize(
    ("encode", "encoding", "label"),
    [(to_tcvn3, "TCVN3", "TCVN3 (ABC, phông .VnTime)"), (to_vni, "VNI", "VNI (phông VNI-Times)")],
)
def test_a_legacy_encoded_file_is_converted_with_one_warning(
    tmp_path, reference, today, encode, encoding, label
):
    path = tmp_path / f"{encoding}.xlsx"
    write_workbook(path, ROWS)
    encode_workbook(path, encode)
    result = read_workbook(path, reference=reference, today=today)
    assert result.errors == []
    assert result.encoding == encoding
    assert [(r.full_name, r.village, r.category_code, r.gender, r.method) for r in result.rows] == [
        ("Nguyễn Văn An", "Yên Lạc", "NCC_G", "M", "cash"),
        ("Trịnh Thị Hằng", "Đồng Mưng", "BTXH_K6_N", "F", "home"),
    ]
    [warning] = result.warnings
    assert warning.row is None
    assert warning.message.startswith(f"Tệp gõ bằng bảng mã {label}, không phải Unicode")


def test_a_unicode_file_is_not_converted(tmp_path, reference, today):
    path = tmp_path / "unicode.xlsx"
    write_workbook(path, ROWS)
    result = read_workbook(path, reference=reference, today=today)
    assert result.encoding is None
    assert result.issues == []


def test_tcvn3_and_vni_in_one_file_are_refused(tmp_path, reference, today):
    path = tmp_path / "hai-bang-ma.xlsx"
    workbook = Workbook()
    fill_sheet(workbook.active, ROWS, signature=False)
    workbook.save(path)
    encode_workbook(path, to_tcvn3)
    # The names were retyped in VNI on another machine.
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    ws = workbook.active
    for row in (9, 10):
        ws.cell(row=row, column=2).value = to_vni(["Nguyễn Văn An", "Trịnh Thị Hằng"][row - 9])
        ws.cell(row=row, column=6).value = to_vni("Thôn Đồng Mưng")
        ws.cell(row=row, column=21).value = to_vni("Ghi chú: hộ nghèo")
    workbook.save(path)
    with pytest.raises(WorkbookError) as caught:
        read_workbook(path, reference=reference, today=today)
    assert "lẫn hai bảng mã TCVN3" in caught.value.message
    assert "Unicode" in caught.value.message


def test_legacy_text_next_to_unicode_text_is_refused(tmp_path, reference, today):
    path = tmp_path / "tron.xlsx"
    workbook = Workbook()
    fill_sheet(workbook.active, ROWS)
    workbook.create_sheet("Cũ")
    fill_sheet(workbook["Cũ"], [data_row(personal_id="038050009999")])
    workbook.save(path)
    encode_workbook(path, to_tcvn3, sheets=["Cũ"])
    with pytest.raises(WorkbookError) as caught:
        read_workbook(path, reference=reference, today=today)
    assert "lẫn bảng mã cũ" in caught.value.message
    assert "hãy chuyển toàn bộ tệp sang bảng mã Unicode" in caught.value.message


def test_a_legacy_name_far_down_a_unicode_file_is_a_row_error(tmp_path, reference, today):
    path = tmp_path / "mot-dong-cu.xlsx"
    rows = [
        data_row(row_number=i, personal_id=f"038050{i:06d}", full_name=f"Nguyễn Văn Số {i}")
        for i in range(1, 80)
    ]
    rows.append(
        data_row(row_number=80, personal_id="038050000080", full_name=to_tcvn3("Lê Thị Hằng"))
    )
    write_workbook(path, rows)
    result = read_workbook(path, reference=reference, today=today)
    [error] = result.errors
    assert (error.column, error.value) == ("Họ và tên", "Lª ThÞ H»ng")
    assert "bảng mã TCVN3" in error.message
    assert len(result.rows) == 79
