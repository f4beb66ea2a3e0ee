"""The shared spreadsheet reader on its own: opening, header search, the table's end, cell values."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook

from core.rules.money import AmountError
from documents.spreadsheet import (
    DataRows,
    DateError,
    HeaderNames,
    RowError,
    WorkbookError,
    cell_amount,
    cell_date,
    cell_text,
    clean_text,
    declared_rows,
    find_header,
    fold_key,
    is_column_number_row,
    is_signature,
    is_subtotal,
    is_totals,
    open_workbook,
    read_table,
    shown,
    too_long,
    unescape_text,
    written_date,
)

NAMES = HeaderNames(
    {
        "number": ["STT", "TT"],
        "name": ["Họ và tên", "Họ tên"],
        "reference": ["Mã thanh toán"],
        "amount": ["Số tiền", "Mức trợ cấp"],
        "note": ["Ghi chú"],
    }
)
HEADER = ["STT", "Họ và tên", "Mã thanh toán", "Số tiền (đồng)", "Ghi chú"]


def workbook_bytes(*rows: list[object], title: str = "Danh sách") -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.title = title
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def refusal(data: bytes, **options) -> str:
    with pytest.raises(WorkbookError) as caught:
        read_table(io.BytesIO(data), NAMES, **options)
    return caught.value.message


# --- Opening -------------------------------------------------------------------------


def test_the_header_is_found_under_title_rows_and_merged_titles():
    data = workbook_bytes(
        ["ỦY BAN NHÂN DÂN XÃ YẾN SƠN", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        ["DANH SÁCH CHI TRẢ"],
        [],
        ["TT", "Họ tên", "Mã thanh toán", "Mức trợ cấp (đồng)", "Ghi chú"],
        [1, 2, 3, 4, 5],
        [1, "Nguyễn Văn An", "ASXH00000001", 2_055_000, None],
    )
    table = read_table(io.BytesIO(data), NAMES)
    assert (table.sheet, table.header_row) == ("Danh sách", 4)
    assert table.columns == {"number": 0, "name": 1, "reference": 2, "amount": 3, "note": 4}
    assert table.titles["amount"] == "Mức trợ cấp (đồng)"
    [row] = table.rows  # the column-number row is not data
    assert row.number == 6
    assert table.cell(row, "name") == "Nguyễn Văn An"
    assert table.cell(row, "note") is None


def test_a_table_ends_at_its_totals_row_and_skips_blank_rows_and_subtotals():
    data = workbook_bytes(
        HEADER,
        [1, "Nguyễn Văn An", "ASXH00000001", 100],
        [],
        ["Cộng thôn Yên Lạc", None, None, 100],
        [2, "Tống Công Bình", "ASXH00000002", 200],
        ["Tổng cộng", None, None, 300],
        [3, "Lê Thị Hoa", "ASXH00000003", 300],
    )
    # A row with a payment reference is a payment's, whatever its name folds to.
    table = read_table(io.BytesIO(data), NAMES, keys=["reference"])
    assert [(row.number, table.cell(row, "name")) for row in table.rows] == [
        (2, "Nguyễn Văn An"),
        (5, "Tống Công Bình"),  # a surname, not a total
    ]
    # Without a key column, "TONG CONG BINH" reads as the totals row.
    assert [row.number for row in read_table(io.BytesIO(data), NAMES).rows] == [2]


def test_a_table_ends_at_the_signature_block():
    data = workbook_bytes(
        HEADER,
        [1, "Nguyễn Văn An", "ASXH00000001", 100],
        [None, "Yến Sơn, ngày 05 tháng 01 năm 2024"],
        [None, "NGƯỜI LẬP BIỂU", None, "TM. ỦY BAN NHÂN DÂN"],
        [None, "Trần Văn Ký", "ASXH00000009", 1],
    )
    rows = DataRows(
        [
            (1, "Nguyễn Văn An", "ASXH00000001", 100),
            (None, "Yến Sơn, ngày 05 tháng 01 năm 2024"),
            (None, "NGƯỜI LẬP BIỂU", None, "TM. ỦY BAN NHÂN DÂN"),
            (None, "Trần Văn Ký", "ASXH00000009", 1),
        ],
        first_row=2,
        width=5,
        data=[2, 3],
    )
    assert [row.number for row in rows] == [2]
    assert rows.ended_at == 3
    assert [number for number, _row in rows.rest()] == [4, 5]
    table = read_table(io.BytesIO(data), NAMES, data=["reference", "amount"])
    assert [row.number for row in table.rows] == [2]


def test_a_key_column_keeps_a_row_whose_label_looks_like_a_total():
    rows = DataRows([("Cộng", "038050001234"), ("Tổng cộng", None)], first_row=1, width=2, keys=[1])
    assert [row.cells[:2] for row in rows] == [("Cộng", "038050001234")]
    assert rows.ended_at == 2


def test_rows_are_padded_blanks_become_none_and_conversion_keeps_the_stored_row():
    rows = DataRows(
        [("a", "  ", "b", "ignored beyond the width"), ["x"]],
        first_row=10,
        width=3,
        convert=lambda row: tuple(v.upper() if isinstance(v, str) else v for v in row),
    )
    first, second = list(rows)
    assert first.cells == ("A", None, "B", None)
    assert first.stored[:3] == ("a", "  ", "b")
    assert second.number == 11 and second.cells == ("X", None, None, None)


def test_an_over_long_cell_is_named_by_its_column():
    rows = DataRows([("ok", "x" * 1001, "y" * 1000)], first_row=1, width=3)
    [row] = rows
    assert row.long_cells == (1,)
    assert too_long("x" * 1001) == "Ô dài 1001 ký tự, vượt giới hạn 1000 ký tự."
    assert too_long("x" * 1000) is None
    assert too_long("abcd", 3) == "Ô dài 4 ký tự, vượt giới hạn 3 ký tự."
    assert shown("x" * 150) == "x" * 99 + "…"
    assert shown(" short ") == "short"


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(settings):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    data = b"PK" + bytes(1024 * 1024)
    assert refusal(data) == (
        "Tệp lớn 1,0 MB, quá giới hạn 1 MB. Hãy tách tệp hoặc liên hệ quản trị viên."
    )


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"STT,Ho va ten\n1,An\n", "tệp văn bản hoặc CSV"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "Excel 97-2003 .xls"),
        (b"%PDF-1.7\n", "tệp PDF"),
    ],
)
def test_a_file_that_is_not_xlsx_is_refused_saying_what_it_is(content, words):
    message = refusal(content)
    assert words in message and "Lưu thành (Save As)" in message


def test_an_empty_a_broken_and_a_zipped_file_are_refused():
    assert refusal(b"") == "Tệp rỗng (0 byte)."
    assert "bị hỏng" in refusal(workbook_bytes(HEADER)[:1500])
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("a.txt", "x")
    assert "tệp nén .zip" in refusal(archive.getvalue())


def test_a_csv_is_read_when_named_csv_and_must_be_utf8():
    data = "\ufeffSTT,Họ và tên,Mã thanh toán,Số tiền (đồng)\n1,Nguyễn Văn An,ASXH1,5\n"
    table = read_table(io.BytesIO(data.encode()), NAMES, filename="ket-qua.CSV")
    assert table.sheet == "CSV"
    assert [table.cell(row, "amount") for row in table.rows] == ["5"]
    assert refusal(b"STT,H\xf4 t\xean\n", filename="a.csv") == ("Tệp CSV phải mã hóa UTF-8.")
    # A workbook named .csv is still a workbook.
    renamed = read_table(io.BytesIO(workbook_bytes(HEADER)), NAMES, filename="a.csv")
    assert renamed.sheet == "Danh sách"


def test_no_header_and_no_data_are_whole_file_errors():
    message = refusal(workbook_bytes(["Nguyễn Văn An", 100]))
    assert message == (
        "Không tìm thấy dòng tiêu đề cột trong 50 dòng đầu của trang “Danh sách”: "
        "cần một dòng có ít nhất 3 tên cột như STT, Họ và tên, Mã thanh toán."
    )
    assert refusal(workbook_bytes()) == "Tệp không có dữ liệu."


def test_the_first_visible_sheet_with_a_header_is_read():
    workbook = Workbook()
    workbook.active.title = "Bìa"
    workbook.active.append(["Trang bìa"])
    hidden = workbook.create_sheet("Ẩn")
    hidden.append(HEADER)
    hidden.sheet_state = "hidden"
    workbook.create_sheet("Dữ liệu").append(HEADER)
    out = io.BytesIO()
    workbook.save(out)
    assert read_table(io.BytesIO(out.getvalue()), NAMES).sheet == "Dữ liệu"


def test_declared_rows_counts_a_workbook_and_gives_zero_for_anything_else():
    handle = io.BytesIO(workbook_bytes(HEADER, [1], [2]))
    assert declared_rows(handle) == 3
    assert handle.tell() == 0
    assert declared_rows(io.BytesIO(b"not a workbook")) == 0


def test_open_workbook_reads_a_path(tmp_path):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(workbook_bytes(HEADER))
    with open_workbook(path) as workbook:
        assert workbook.sheetnames == ["Danh sách"]


# --- Header and the end of a table --------------------------------------------------------


def test_headers_match_folded_and_without_brackets():
    assert NAMES.field("HỌ VÀ  TÊN") == "name"
    assert NAMES.field("ho va ten") == "name"
    assert NAMES.field("Số tiền [VND]") == "amount"
    assert NAMES.field("Cột lạ") is None and NAMES.field(12) is None
    assert NAMES.canonical("amount") == "Số tiền"
    assert find_header([("Họ tên", "Số tiền")], NAMES) is None
    assert find_header([("Họ tên", "Số tiền")], NAMES, minimum=2) == (0, {0: "name", 1: "amount"})


def test_totals_subtotals_signatures_and_column_numbers_are_recognised():
    assert is_totals("Tổng cộng") and is_totals("CỘNG: 12 người") and is_totals("Tổng số")
    assert not is_totals("Tống Thị Hoa") and not is_totals("Cộng thôn Yên Lạc")
    assert is_subtotal("Cộng thôn Yên Lạc")
    assert is_signature("(Ký, ghi rõ họ tên)") and is_signature("Bằng chữ: một triệu đồng")
    assert not is_signature("Nguyễn Văn An")
    assert is_column_number_row([1, 2, "(3)", "(5)=(3)x(4)"])
    assert not is_column_number_row([1, "Nguyễn Văn An", 3])


# --- Cell values ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("15/09/2023", (2023, 9, 15)),
        ("5/9/2023", (2023, 9, 5)),
        ("15-09-2023", (2023, 9, 15)),
        ("15.09.2023", (2023, 9, 15)),
        (" 15 / 09 / 2023 ", (2023, 9, 15)),
        ("2023-09-15", (2023, 9, 15)),
        ("2023-09-15 00:00:00", (2023, 9, 15)),
        ("31/02/2023", (2023, 2, 31)),  # written as a date; whether it exists is checked later
        ("09/2023", None),
        ("15 tháng 9", None),
    ],
)
def test_written_date_reads_every_accepted_form(text, parts):
    assert written_date(text) == parts


def test_cell_date_takes_date_cells_and_text_and_refuses_the_rest():
    day = datetime.date(2023, 9, 15)
    assert cell_date(datetime.datetime(2023, 9, 15, 0, 0)) == day  # noqa: DTZ001 (a cell)
    assert cell_date(day) == day
    assert cell_date("15/09/2023") == day
    assert cell_date(None) is None and cell_date("  ") is None
    with pytest.raises(DateError) as caught:
        cell_date("31/02/2023")
    assert caught.value.impossible
    for wrong in ("hôm qua", 45184):
        with pytest.raises(DateError) as caught:
            cell_date(wrong)
        assert not caught.value.impossible


def test_cell_amount_reads_whole_dong_every_way():
    assert cell_amount(2_055_000) == 2_055_000
    assert cell_amount(2_055_000.0) == 2_055_000
    assert cell_amount("2.055.000 đ") == 2_055_000
    assert cell_amount("2,055,000") == 2_055_000
    assert cell_amount(Decimal("1080000")) == 1_080_000
    assert cell_amount(0) == 0
    for wrong in (None, True, -5, "1,5 triệu", 10.5):
        with pytest.raises(AmountError):
            cell_amount(wrong)


def test_text_helpers_clean_quote_and_unescape():
    assert clean_text("  Nguyễn\u00a0 Văn\u200b  An ") == "Nguyễn Văn An"
    assert clean_text("'=SUM(A1)") == "=SUM(A1)"
    assert unescape_text("'-5") == "-5" and unescape_text("'abc") == "'abc"
    assert clean_text(None) == "" and clean_text(38085001234.0) == "38085001234"
    assert clean_text(datetime.date(2023, 9, 15)) == "15/09/2023"
    assert cell_text(datetime.datetime(2023, 9, 15, 8, 30)) == "15/09/2023 08:30"  # noqa: DTZ001
    assert fold_key("Ngày/tháng/năm sinh") == fold_key("NGAY THANG NAM SINH") == "NGAYTHANGNAMSINH"


def test_a_row_error_reads_as_a_sentence():
    assert (
        str(RowError("DS", 5, "Số tiền", "1", "Sai."))
        == "Dòng 5, cột «Số tiền» (giá trị «1»): Sai."
    )
    assert str(RowError("DS", None, "Kết quả", "", "Thiếu cột này.")) == (
        "Tệp, cột «Kết quả»: Thiếu cột này."
    )
    assert str(RowError("", None, None, "", "Tệp rỗng (0 byte).")) == "Tệp rỗng (0 byte)."
