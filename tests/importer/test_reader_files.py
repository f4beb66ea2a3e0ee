"""Whole-file problems: wrong type, damaged, empty, no header, missing columns."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from desk.importer.reader import read_workbook
from documents.spreadsheet import WorkbookError
from tests.importer.workbooks import STANDARD_HEADER, data_row, write_workbook


def refusal(source, reference, today, **options) -> str:
    with pytest.raises(WorkbookError) as caught:
        read_workbook(source, reference=reference, today=today, **options)
    assert str(caught.value) == caught.value.message
    return caught.value.message


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("STT,Họ và tên,Ngày sinh\n1,Nguyễn Văn An,12/03/1950\n".encode(), "tệp văn bản hoặc CSV"),
        ("STT;Ho va ten\n1;Lê Thi Hoa\n".encode("cp1252"), "tệp văn bản hoặc CSV"),
        ("STT\tHọ và tên\n1\tNguyễn Văn An\n".encode("utf-16"), "tệp văn bản hoặc CSV"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "Excel 97-2003 .xls"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "tệp PDF"),
        (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "trang HTML"),
        (bytes(range(256)) * 4, "không nhận ra định dạng"),
    ],
    ids=["csv-utf8", "csv-cp1252", "unicode-text-utf16", "xls", "pdf", "html", "random-bytes"],
)
def test_a_file_of_another_type_renamed_xlsx_is_refused_saying_what_it_is(
    tmp_path, reference, today, content, words
):
    path = tmp_path / "danh-sach.xlsx"
    path.write_bytes(content)
    message = refusal(path, reference, today)
    assert words in message
    assert "Lưu thành (Save As)" in message


def test_a_truncated_xlsx_is_reported_as_damaged(tmp_path, reference, today):
    path = tmp_path / "ds.xlsx"
    write_workbook(path, [data_row()])
    truncated = tmp_path / "cut.xlsx"
    truncated.write_bytes(path.read_bytes()[:2000])
    assert "bị hỏng" in refusal(truncated, reference, today)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path, reference, today):
    path = tmp_path / "nen.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("danh-sach.csv", "STT,Họ và tên\n")
    assert "tệp nén .zip" in refusal(path, reference, today)


def test_an_ods_spreadsheet_is_refused_by_name(tmp_path, reference, today):
    path = tmp_path / "ds.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    assert "OpenDocument .ods" in refusal(path, reference, today)


def test_an_empty_file_is_refused(tmp_path, reference, today):
    path = tmp_path / "rong.xlsx"
    path.write_bytes(b"")
    assert refusal(path, reference, today) == "Tệp rỗng (0 byte)."


def test_a_workbook_without_any_cell_is_refused(tmp_path, reference, today):
    path = tmp_path / "trong.xlsx"
    Workbook().save(path)
    assert refusal(path, reference, today) == "Tệp không có dữ liệu."


def test_an_empty_named_sheet_is_refused(tmp_path, reference, today):
    path = tmp_path / "trong.xlsx"
    workbook = Workbook()
    workbook.active.title = "DS"
    workbook.create_sheet("Trống")
    workbook["DS"].append(STANDARD_HEADER)
    workbook.save(path)
    assert refusal(path, reference, today, sheet="Trống") == "Trang tính “Trống” không có dữ liệu."


def test_a_sheet_without_a_recognisable_header_is_refused(tmp_path, reference, today):
    path = tmp_path / "khong-tieu-de.xlsx"
    write_workbook(path, [["Nguyễn Văn An", "12/03/1950", "Nam"]], header=None)
    message = refusal(path, reference, today)
    assert message.startswith("Không tìm thấy dòng tiêu đề cột trong 50 dòng đầu")
    assert "Họ và tên, Ngày sinh, Giới tính, Số CCCD, Thôn, Diện đối tượng, Mức trợ cấp" in message


def test_a_missing_required_column_is_refused_naming_every_missing_column(
    tmp_path, reference, today
):
    path = tmp_path / "thieu-cot.xlsx"
    header = ["STT", "Họ và tên", "Thôn", "Diện đối tượng", "Ghi chú"]
    write_workbook(path, [[1, "Nguyễn Văn An", "Yên Lạc", "NCC_G", None]], header=header)
    assert refusal(path, reference, today) == (
        "Trang “Danh sách” thiếu cột bắt buộc: Ngày sinh, Giới tính, Số CCCD, Mức trợ cấp. "
        "Giới tính có thể ghi bằng hai cột Nam và Nữ."
    )


def test_gender_columns_nam_and_nu_satisfy_the_gender_requirement(tmp_path, reference, today):
    path = tmp_path / "nam-nu.xlsx"
    header = ["STT", "Họ và tên", "Ngày sinh", "Nam", "Số CCCD", "Thôn", "Diện", "Mức trợ cấp"]
    write_workbook(path, [], header=header)
    assert "Giới tính" in refusal(path, reference, today)
    header.insert(4, "Nữ")
    write_workbook(path, [], header=header)
    assert read_workbook(path, reference=reference, today=today).rows == []


def test_an_uploaded_file_object_is_read_like_a_path(tmp_path, reference, today):
    path = tmp_path / "ds.xls"  # a real .xlsx saved under the wrong extension
    write_workbook(path, [data_row()])
    upload = io.BytesIO(path.read_bytes())
    assert [
        row.full_name for row in read_workbook(upload, reference=reference, today=today).rows
    ] == ["Nguyễn Văn An"]
    assert len(read_workbook(str(path), reference=reference, today=today).rows) == 1
