"""The reader's value rules, cell by cell: each row is written to a real list and read back."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tests.importer.results import FIRST_DATA_ROW, only_error, only_row, warning_messages
from tests.importer.workbooks import data_row

# --- Dates of birth ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "birth_date", "birth_year"),
    [
        # An Excel date cell: openpyxl gives a naive datetime.
        (datetime.datetime(1950, 3, 12), datetime.date(1950, 3, 12), 1950),  # noqa: DTZ001
        (datetime.date(1950, 3, 12), datetime.date(1950, 3, 12), 1950),
        ("12/03/1950", datetime.date(1950, 3, 12), 1950),
        ("2/3/1950", datetime.date(1950, 3, 2), 1950),
        ("12-03-1950", datetime.date(1950, 3, 12), 1950),
        ("12.03.1950", datetime.date(1950, 3, 12), 1950),
        (" 12 / 03 / 1950 ", datetime.date(1950, 3, 12), 1950),
        ("1950-03-12", datetime.date(1950, 3, 12), 1950),
        ("1950", None, 1950),
        (1950, None, 1950),
        (1950.0, None, 1950),
        ("Năm 1950", None, 1950),
        ("năm 1950", None, 1950),
        ("00/00/1950", None, 1950),
        ("--/--/1950", None, 1950),
        ("0/0/1950", None, 1950),
        ("xx/xx/1950", None, 1950),
    ],
)
def test_dates_of_birth_are_read_in_every_customary_form(read_list, cell, birth_date, birth_year):
    row = only_row(read_list([data_row(birth_date=cell)]))
    assert (row.birth_date, row.birth_year) == (birth_date, birth_year)


def test_a_month_and_year_keeps_the_year_with_a_warning(read_list):
    result = read_list([data_row(birth_date="05/1950")])
    row = only_row(result)
    assert (row.birth_date, row.birth_year) == (None, 1950)
    assert warning_messages(result) == [
        "Ngày sinh chỉ có tháng và năm (05/1950): chỉ lưu năm sinh 1950."
    ]


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("31/02/1950", "không tồn tại"),
        ("12/13/1950", "không tồn tại"),
        ("16/06/2025", "sau ngày hôm nay"),
        ("2026", "sau năm hiện tại"),
        (2030, "sau năm hiện tại"),
        ("12/03/1850", "không hợp lý"),
        ("mười hai tháng ba", "Không đọc được ngày sinh"),
        (18334, "là một con số"),
        (None, "Chưa có ngày sinh"),
    ],
)
def test_impossible_future_and_unreadable_dates_are_errors(read_list, cell, words):
    error = only_error(read_list([data_row(birth_date=cell)]))
    assert words in error.message
    assert error.column == "Ngày sinh"
    assert error.row == FIRST_DATA_ROW


def test_the_error_quotes_the_date_as_written(read_list):
    error = only_error(read_list([data_row(birth_date="31/02/1950")]))
    assert error.value == "31/02/1950"
    assert error.message == "Ngày sinh 31/02/1950 không tồn tại (sai ngày hoặc tháng)."


# --- Gender ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "gender"),
    [("Nam", "M"), ("nam", "M"), ("NAM", "M"), ("Nữ", "F"), ("nu", "F"), ("NỮ", "F"), ("nữ ", "F")],
)
def test_gender_words_are_read_whatever_the_case_and_diacritics(read_list, cell, gender):
    birth_and_id = (
        {"personal_id": "038050001234"} if gender == "M" else {"personal_id": "038150001234"}
    )
    row = only_row(read_list([data_row(gender=cell, **birth_and_id)]))
    assert row.gender == gender


def test_an_unknown_gender_word_is_an_error(read_list):
    error = only_error(read_list([data_row(gender="Khác")]))
    assert error.message == "Giới tính “Khác” không hợp lệ: ghi Nam hoặc Nữ."
    assert (error.column, error.value) == ("Giới tính", "Khác")


# --- Personal ID -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell", ["038050001234", "038 050 001 234", "038.050.001.234", "'038050001234"]
)
def test_personal_ids_with_separators_are_normalised(read_list, cell):
    assert only_row(read_list([data_row(personal_id=cell)])).personal_id == "038050001234"


def test_a_numeric_id_cell_gets_its_leading_zero_back_with_a_warning(read_list):
    result = read_list([data_row(personal_id=38050001234)])
    assert only_row(result).personal_id == "038050001234"
    [warning] = result.warnings
    assert "đã khôi phục thành 038050001234" in warning.message
    assert (warning.column, warning.value, warning.row) == ("Số CCCD", "38050001234", 9)


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("38050001234", "12 chữ số"),
        ("038050001", "CMND 9 chữ số"),
        ("099050001234", "Mã tỉnh 099"),
        ("038450001234", "Chữ số thứ 4"),
        ("03805000123A", "chỉ gồm chữ số"),
    ],
)
def test_malformed_personal_ids_are_errors(read_list, cell, words):
    error = only_error(read_list([data_row(personal_id=cell)]))
    assert words in error.message
    assert error.column == "Số CCCD"


def test_an_id_disagreeing_with_birth_year_and_gender_gives_two_warnings(read_list):
    # 038 1 60 …: a woman born 1960, on a row of a man born 1950.
    result = read_list([data_row(personal_id="038160001234")])
    only_row(result)
    messages = warning_messages(result)
    assert "Năm sinh theo số CCCD (1960) khác năm sinh trong hồ sơ (1950)." in messages
    assert "Giới tính theo số CCCD (Nữ) khác giới tính trong hồ sơ (Nam)." in messages


def test_an_adult_without_personal_id_is_an_error(read_list):
    error = only_error(read_list([data_row(personal_id=None)]))
    assert "bắt buộc với người từ 14 tuổi" in error.message
    assert error.column == "Số CCCD"


@pytest.mark.parametrize(
    "birth",
    ["16/06/2011", "01/01/2015", "2012", 2013],
    ids=["turns-14-tomorrow", "aged-10", "year-2012", "numeric-year-2013"],
)
def test_a_child_under_14_may_have_no_personal_id(read_list, birth):
    row = only_row(
        read_list(
            [
                data_row(
                    personal_id=None,
                    birth_date=birth,
                    programme="BTXH",
                    category="BTXH_K1_4P",
                    amount=750_000,
                )
            ]
        )
    )
    assert row.personal_id is None


def test_a_child_who_turned_14_today_needs_a_personal_id(read_list):
    error = only_error(read_list([data_row(personal_id=None, birth_date="15/06/2011")]))
    assert "bắt buộc" in error.message


# --- Programme and category -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("programme", "category", "expected"),
    [
        ("NCC", "NCC_G", ("NCC", "NCC_G")),
        ("Người có công", "Thương binh", ("NCC", "NCC_G")),
        ("nguoi co cong", "thuong binh", ("NCC", "NCC_G")),
        ("NCC", "Thương binh; người hưởng chính sách như thương binh", ("NCC", "NCC_G")),
        ("BTXH", "BTXH_K6_N", ("BTXH", "BTXH_K6_N")),
        ("Bảo trợ xã hội", "Khuyết tật nặng", ("BTXH", "BTXH_K6_N")),
        ("BẢO TRỢ XÃ HỘI", "khuyet tat nang", ("BTXH", "BTXH_K6_N")),
        (None, "BMVNAH", ("NCC", "NCC_D")),
        (None, "Người khuyết tật đặc biệt nặng", ("BTXH", "BTXH_K6_DBN")),
    ],
)
def test_programme_and_category_are_read_by_code_name_or_short_name(
    read_list, programme, category, expected
):
    row = only_row(read_list([data_row(programme=programme, category=category)]))
    assert (row.programme_code, row.category_code) == expected


def test_an_unknown_category_is_an_error_naming_it(read_list):
    error = only_error(read_list([data_row(category="Cựu chiến binh")]))
    assert "Không có diện đối tượng “Cựu chiến binh” trong danh mục" in error.message
    assert (error.column, error.value) == ("Diện đối tượng", "Cựu chiến binh")


def test_a_category_of_another_programme_is_an_error(read_list):
    error = only_error(read_list([data_row(programme="BTXH", category="Thương binh")]))
    assert error.message == (
        "Diện “Thương binh” thuộc chương trình NCC, không thuộc chương trình BTXH ghi ở cột "
        "“Chương trình”."
    )


def test_an_unknown_programme_is_an_error(read_list):
    result = read_list([data_row(programme="Chính sách khác")])
    assert result.rows == []
    assert "Không có chương trình “Chính sách khác”" in result.errors[0].message


def test_a_missing_category_is_an_error(read_list):
    assert only_error(read_list([data_row(category=None)])).message == "Chưa có diện đối tượng."


# --- Amount and coefficient -------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [2_055_000, 2_055_000.0, "2055000", "2.055.000", "2.055.000 đ", "2,055,000", "2 055 000"],
)
def test_amounts_are_read_as_whole_dong(read_list, cell):
    assert only_row(read_list([data_row(amount=cell)])).amount == 2_055_000


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (0, "Mức trợ cấp phải lớn hơn 0."),
        ("0 đ", "Mức trợ cấp phải lớn hơn 0."),
        (-500_000, "Số tiền không được là số âm."),
        ("1.080.000,50", "Số tiền phải là số đồng chẵn, không có phần thập phân."),
        ("hai triệu", "Không đọc được số tiền “hai triệu”: hãy ghi dạng 1.080.000 hoặc 1080000."),
        (None, "Chưa có số tiền."),
    ],
)
def test_zero_negative_and_unreadable_amounts_are_errors(read_list, cell, message):
    error = only_error(read_list([data_row(amount=cell)]))
    assert (error.column, error.message) == ("Mức trợ cấp", message)


@pytest.mark.parametrize("cell", ["1,5", "1.5", 1.5, " 1,50 "])
def test_coefficients_take_a_decimal_comma_or_dot(read_list, cell):
    row = only_row(
        read_list(
            [data_row(programme="BTXH", category="BTXH_K6_N", amount=750_000, coefficient=cell)]
        )
    )
    assert row.coefficient == Decimal("1.5")


def test_a_coefficient_differing_from_the_category_is_a_warning(read_list):
    result = read_list(
        [data_row(programme="BTXH", category="BTXH_K6_N", amount=1_000_000, coefficient="2")]
    )
    assert only_row(result).coefficient == Decimal("2")
    assert warning_messages(result) == ["Hệ số 2 khác hệ số của diện BTXH_K6_N (1,5)."]


def test_a_coefficient_on_a_fixed_amount_programme_is_ignored_with_a_warning(read_list):
    result = read_list([data_row(coefficient="1,5")])
    assert only_row(result).coefficient is None
    assert "không theo hệ số" in warning_messages(result)[0]


@pytest.mark.parametrize("cell", ["một rưỡi", "0", "-1", "1,555", "150"])
def test_an_unreadable_coefficient_is_an_error(read_list, cell):
    error = only_error(
        read_list(
            [data_row(programme="BTXH", category="BTXH_K6_N", amount=750_000, coefficient=cell)]
        )
    )
    assert error.column == "Hệ số"
    assert "không hợp lệ" in error.message


def test_an_over_long_cell_is_an_error_of_its_column(read_list):
    error = only_error(read_list([data_row(note="x" * 1001)]))
    assert (error.row, error.column) == (FIRST_DATA_ROW, "Ghi chú")
    assert error.message == "Ô dài 1001 ký tự, vượt giới hạn 1000 ký tự."
    assert error.value == "x" * 99 + "…"
