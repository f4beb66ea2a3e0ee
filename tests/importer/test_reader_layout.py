"""Finding the table in a hand-made workbook: titles, header, sub-headers, end of data, sheets."""

from __future__ import annotations

import datetime

import pytest
from openpyxl import Workbook

from desk.importer.layout import HEADER_SYNONYMS, find_header
from desk.importer.reader import read_workbook
from tests.importer.workbooks import (
    HOA,
    STANDARD_HEADER,
    account_row,
    data_row,
    fill_sheet,
    names,
)


def test_the_canonical_headers_are_the_first_synonyms_of_the_spec():
    assert STANDARD_HEADER[:9] == [
        "STT",
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Số CCCD",
        "Thôn",
        "Chương trình",
        "Diện đối tượng",
        "Mức trợ cấp",
    ]
    assert HEADER_SYNONYMS["bank"][:4] == ["Ngân hàng", "Tên ngân hàng", "Mở tại ngân hàng", "NH"]


def test_find_header_skips_title_rows_and_maps_columns():
    rows = [
        ("UBND XÃ YẾN SƠN", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("DANH SÁCH ĐỐI TƯỢNG",),
        (),
        ("TT", "Họ tên", "Năm sinh", "Ghi chú lạ", "CMND/CCCD"),
    ]
    assert find_header(rows) == (
        3,
        {0: "row_number", 1: "full_name", 2: "birth_date", 4: "personal_id"},
    )


def test_find_header_needs_three_known_columns():
    assert find_header([("Họ và tên", "Ngày sinh", "Cột lạ")]) is None


def test_a_standard_list_is_read_between_its_titles_and_its_signatures(read_list):
    result = read_list([data_row(), [], [], data_row(row_number=2, **HOA)])
    assert result.errors == []
    assert result.warnings == []
    assert names(result) == ["Nguyễn Văn An", "Lê Thị Hoa"]
    assert [row.row for row in result.rows] == [9, 12]
    assert result.sheets == ["Danh sách"]
    assert result.data_rows == 2


@pytest.mark.parametrize("style", [True, "plain", "letters", False])
def test_the_column_number_row_is_skipped_in_any_style(read_list, style):
    result = read_list([data_row()], column_numbers=style)
    assert result.issues == []
    assert names(result) == ["Nguyễn Văn An"]


@pytest.mark.parametrize(
    "header",
    [
        [
            "TT",
            "Họ tên đối tượng",
            "Ngày tháng năm sinh",
            "Giới",
            "CMND/CCCD",
            "Nơi ở",
            "Nhóm đối tượng",
            "Diện hưởng",
            "Số tiền",
        ],
        [
            "Số TT",
            "Tên đối tượng",
            "Ngày/tháng/năm sinh",
            "Nam/Nữ",
            "Số định danh cá nhân",
            "Thôn (xóm)",
            "Loại đối tượng",
            "Diện",
            "Mức hưởng",
        ],
        [
            "stt",
            "HỌ VÀ TÊN",
            "ngay sinh",
            "GIOI TINH",
            "so cccd",
            "THÔN/XÓM",
            "chuong trinh",
            "dien doi tuong",
            "MỨC TRỢ CẤP (đồng)",
        ],
        [
            "S T T",
            "Họ và\ntên",
            "Ngày, tháng, năm sinh",
            "Giới  tính",
            "Số CCCD (12 số)",
            "Địa chỉ",
            "Chương trình",
            "Đối tượng",
            "Mức trợ cấp hằng tháng",
        ],
    ],
    ids=["synonyms", "more-synonyms", "folded", "punctuation"],
)
def test_headers_are_matched_by_synonym_after_folding(read_list, header):
    result = read_list([data_row()[:9]], header=header)
    assert result.issues == []
    row = result.rows[0]
    assert (row.full_name, row.personal_id, row.category_code, row.amount) == (
        "Nguyễn Văn An",
        "038050001234",
        "NCC_G",
        2_055_000,
    )


def test_columns_may_come_in_any_order(read_list):
    result = read_list([list(reversed(account_row()))], header=list(reversed(STANDARD_HEADER)))
    assert result.issues == []
    row = result.rows[0]
    assert (row.full_name, row.bank_bin, row.account_number) == (
        "Nguyễn Văn An",
        "970405",
        "3508205123456",
    )


def test_an_unknown_column_is_reported_once_and_ignored(read_list):
    header = [*STANDARD_HEADER, "Ký nhận"]
    rows = [[*data_row(), "chữ ký"], [*data_row(row_number=2, **HOA), "chữ ký"]]
    result = read_list(rows, header=header)
    assert result.errors == []
    assert len(result.rows) == 2
    [warning] = result.warnings
    assert (warning.row, warning.column, warning.level) == (None, "Ký nhận", "warning")
    assert warning.message == "Cột “Ký nhận” không thuộc mẫu nhập: bỏ qua."
    assert result.unknown_columns == ["Ký nhận"]


def test_a_second_column_for_the_same_field_is_ignored_with_a_warning(read_list):
    header = [*STANDARD_HEADER, "Địa chỉ"]
    result = read_list([[*data_row(), "Xóm 3"]], header=header)
    assert result.rows[0].village == "Yên Lạc"
    assert "trùng nội dung với cột “Thôn”" in result.warnings[0].message


def test_data_ends_at_the_totals_row(read_list, tmp_path, reference, today):
    path = tmp_path / "totals.xlsx"
    workbook = Workbook()
    fill_sheet(workbook.active, [data_row()], signature=False)
    # Anything after the totals is not data, even if it looks like a row.
    workbook.active.append(data_row(row_number=2, **HOA))
    workbook.save(path)
    result = read_workbook(path, reference=reference, today=today)
    assert names(result) == ["Nguyễn Văn An"]
    assert result.errors == []
    # … but not silently: the row after the totals is pointed out.
    [warning] = result.warnings
    assert warning.row == 11
    assert warning.message.startswith(
        "Danh sách kết thúc ở dòng 10 (dòng tổng cộng hoặc phần ký tên) nên từ dòng 11 trở đi "
        "không được đọc"
    )


@pytest.mark.parametrize(
    "totals", ["Cộng", "CỘNG", "Tổng cộng:", "TỔNG CỘNG", "Tổng số", "Cộng: 2 người"]
)
def test_every_spelling_of_the_totals_row_ends_the_data(read_list, totals):
    rows = [data_row(), [None, totals, None, None, None, None, None, None, 2_055_000]]
    rows.append(data_row(row_number=2, **HOA))
    result = read_list(rows, totals=False, signature=False)
    assert names(result) == ["Nguyễn Văn An"]
    assert [warning.row for warning in result.warnings] == [11]


def test_a_subtotal_inside_the_list_is_skipped_and_reading_goes_on(read_list):
    rows = [data_row(), [None, "Cộng thôn Yên Lạc", None, None, None, None, None, None, 2_055_000]]
    rows.append(data_row(row_number=2, **HOA))
    result = read_list(rows)
    assert names(result) == ["Nguyễn Văn An", "Lê Thị Hoa"]
    assert result.issues == []


def test_a_surname_like_tong_is_not_a_totals_row(read_list):
    result = read_list([data_row(full_name="Tống Văn Công"), data_row(row_number=2, **HOA)])
    assert names(result) == ["Tống Văn Công", "Lê Thị Hoa"]


def test_data_ends_at_the_signature_block_without_a_totals_row(read_list):
    result = read_list([data_row(), data_row(row_number=2, **HOA)], totals=False)
    assert names(result) == ["Nguyễn Văn An", "Lê Thị Hoa"]
    assert result.issues == []


@pytest.mark.parametrize(
    "line",
    [
        "NGƯỜI LẬP BIỂU",
        "Kế toán",
        "CHỦ TỊCH",
        "KT. CHỦ TỊCH",
        "Nơi nhận:",
        "Yến Sơn, ngày 05 tháng 01 năm 2025",
    ],
)
def test_each_signature_line_ends_the_data(read_list, line):
    rows = [data_row(), [], [None, None, None, None, None, line]]
    rows.append(data_row(row_number=2, **HOA))
    result = read_list(rows, totals=False, signature=False)
    assert names(result) == ["Nguyễn Văn An"]
    assert result.errors == []
    assert [warning.row for warning in result.warnings] == [12]


def test_data_ends_after_the_last_non_empty_row(read_list):
    result = read_list([data_row(), []], totals=False, signature=False, title_rows=False)
    assert names(result) == ["Nguyễn Văn An"]


def test_rows_numbered_but_empty_are_skipped_silently(read_list):
    result = read_list([data_row(), [2], [3]])
    assert names(result) == ["Nguyễn Văn An"]
    assert result.issues == []


def test_a_group_heading_row_is_skipped_with_a_warning(read_list):
    result = read_list(
        [["I", "NGƯỜI CÓ CÔNG"], data_row(), ["II", "BẢO TRỢ XÃ HỘI"], data_row(**HOA)]
    )
    assert names(result) == ["Nguyễn Văn An", "Lê Thị Hoa"]
    assert [(w.row, w.value) for w in result.warnings] == [
        (9, "I | NGƯỜI CÓ CÔNG"),
        (11, "II | BẢO TRỢ XÃ HỘI"),
    ]


def test_a_list_without_title_rows_or_column_numbers_is_read(read_list):
    result = read_list(
        [data_row()], title_rows=False, column_numbers=False, totals=False, signature=False
    )
    assert [row.row for row in result.rows] == [2]


# --- Gender in two columns ------------------------------------------------------------------

GENDER_HEADER = [
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Nam",
    "Nữ",
    "Số CCCD",
    "Thôn",
    "Diện đối tượng",
    "Mức trợ cấp",
]


def test_gender_may_be_an_x_in_a_nam_or_nu_column(read_list):
    rows = [
        [
            1,
            "Nguyễn Văn An",
            "12/03/1950",
            "x",
            None,
            "038050001234",
            "Yên Lạc",
            "NCC_G",
            2_055_000,
        ],
        [2, "Lê Thị Hoa", "01/01/1960", None, "X", "038160000123", "Yên Lạc", "BTXH_K6_N", 750_000],
    ]
    result = read_list(rows, header=GENDER_HEADER)
    assert result.errors == []
    assert [row.gender for row in result.rows] == ["M", "F"]


@pytest.mark.parametrize(
    ("male", "female", "message"),
    [
        ("x", "x", "Đánh dấu cả cột Nam và cột Nữ: chỉ đánh dấu một cột."),
        (None, None, "Chưa đánh dấu giới tính (cột Nam hoặc cột Nữ)."),
    ],
)
def test_gender_marks_in_both_or_neither_column_are_errors(read_list, male, female, message):
    rows = [
        [
            1,
            "Nguyễn Văn An",
            "12/03/1950",
            male,
            female,
            "038050001234",
            "Yên Lạc",
            "NCC_G",
            2_055_000,
        ]
    ]
    result = read_list(rows, header=GENDER_HEADER)
    assert [(e.column, e.message) for e in result.errors] == [("Nam", message)]


def _two_row_header_workbook(path, group: str, rows: list[list[object]]) -> None:
    """Header in two rows: ``group`` merged over ``Nam`` | ``Nữ``, other cells merged down."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = "DS"
    ws["A1"] = "UBND XÃ YẾN SƠN"
    ws.merge_cells("A1:C1")
    ws["A3"] = "DANH SÁCH CHI TRẢ TRỢ CẤP"
    ws.merge_cells("A3:I3")
    ws.append(["STT", "Họ và tên", group, None, "Số CCCD", "Thôn", "Diện đối tượng", "Mức trợ cấp"])
    ws.append([None, None, "Nam", "Nữ"])
    for column in "ABEFGH":
        ws.merge_cells(f"{column}4:{column}5")
    ws.merge_cells("C4:D4")
    ws.append([f"({i})" for i in range(1, 9)])
    for row in rows:
        ws.append(row)
    ws.append(["Tổng cộng"])
    workbook.save(path)


def test_dates_of_birth_written_under_the_gender_give_both(tmp_path, reference, today):
    path = tmp_path / "ngay-sinh-nam-nu.xlsx"
    _two_row_header_workbook(
        path,
        "Ngày sinh",
        [
            [1, "Nguyễn Văn An", "12/03/1950", None, "038050001234", "Yên Lạc", "NCC_G", 2_055_000],
            [2, "Lê Thị Hoa", None, 1960, "038160000123", "Yên Lạc", "BTXH_K6_N", 750_000],
            [
                3,
                "Trần Thị Cúc",
                None,
                # Excel date cells are naive datetimes.
                datetime.datetime(1955, 7, 1),  # noqa: DTZ001
                "038155000456",
                "Yên Lạc",
                "NCC_C",
                2_055_000,
            ],
        ],
    )
    result = read_workbook(path, reference=reference, today=today)
    assert result.issues == []
    assert [(r.gender, r.birth_date, r.birth_year) for r in result.rows] == [
        ("M", datetime.date(1950, 3, 12), 1950),
        ("F", None, 1960),
        ("F", datetime.date(1955, 7, 1), 1955),
    ]
    assert [r.row for r in result.rows] == [7, 8, 9]


def test_a_date_under_both_gender_columns_is_an_error(tmp_path, reference, today):
    path = tmp_path / "ngay-sinh-ca-hai.xlsx"
    _two_row_header_workbook(
        path,
        "Ngày sinh",
        [[1, "Nguyễn Văn An", "12/03/1950", "1950", "038050001234", "Yên Lạc", "NCC_G", 2_055_000]],
    )
    [error] = read_workbook(path, reference=reference, today=today).errors
    assert error.column == "Ngày sinh (Nam)"
    assert error.value == "12/03/1950 | 1950"
    assert "cả cột Nam và cột Nữ" in error.message


def test_a_gender_header_spanning_nam_and_nu_takes_marks(tmp_path, reference, today):
    path = tmp_path / "gioi-tinh-nam-nu.xlsx"
    workbook = Workbook()
    ws = workbook.active
    ws.append(["DANH SÁCH"])
    ws.append(
        ["STT", "Họ và tên", "Ngày sinh", "Giới tính", None, "Số CCCD", "Thôn", "Diện", "Số tiền"]
    )
    ws.append([None, None, None, "Nam", "Nữ"])
    ws.merge_cells("D2:E2")
    ws.append(
        [1, "Lê Thị Hoa", "01/01/1960", None, "x", "038160000123", "Yên Lạc", "BTXH_K6_N", 750_000]
    )
    workbook.save(path)
    result = read_workbook(path, reference=reference, today=today)
    assert result.issues == []
    assert [(r.gender, r.row) for r in result.rows] == [("F", 4)]


def test_a_representative_group_header_maps_its_sub_columns(tmp_path, reference, today):
    path = tmp_path / "nguoi-nhan-thay.xlsx"
    workbook = Workbook()
    ws = workbook.active
    ws.append(
        [
            "STT",
            "Họ và tên",
            "Ngày sinh",
            "Giới tính",
            "Số CCCD",
            "Thôn",
            "Diện",
            "Mức trợ cấp",
            "Người nhận thay",
            None,
            None,
        ]
    )
    ws.append([None, None, None, None, None, None, None, None, "Họ và tên", "Số CCCD", "Quan hệ"])
    ws.merge_cells("I1:K1")
    ws.append(
        [
            1,
            "Nguyễn Văn An",
            "12/03/1950",
            "Nam",
            "038050001234",
            "Yên Lạc",
            "NCC_G",
            2_055_000,
            "Nguyễn Văn Bình",
            "038080009999",
            "Con trai",
        ]
    )
    workbook.save(path)
    result = read_workbook(path, reference=reference, today=today)
    assert result.issues == []
    row = result.rows[0]
    assert (row.full_name, row.personal_id, row.receiver_kind) == (
        "Nguyễn Văn An",
        "038050001234",
        "proxy",
    )
    assert (row.rep_name, row.rep_personal_id, row.relationship) == (
        "Nguyễn Văn Bình",
        "038080009999",
        "Con trai",
    )
