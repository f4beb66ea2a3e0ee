"""The reader's rules for how a row is paid, cell by cell: method, receiver, bank, account, phone."""

from __future__ import annotations

import pytest

from tests.importer.results import FIRST_DATA_ROW, only_error, only_row, warning_messages
from tests.importer.workbooks import account_row, data_row

# --- Payment method and receiver ----------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "method"),
    [
        (None, "cash"),
        ("Tiền mặt", "cash"),
        ("Bưu điện", "cash"),
        ("Tại điểm chi trả", "cash"),
        ("Tại nhà", "home"),
        ("Chi trả tại nhà", "home"),
        ("tai nha", "home"),
    ],
)
def test_cash_and_home_methods_are_read(read_list, cell, method):
    row = only_row(read_list([data_row(method=cell)]))
    assert (row.method, row.ewallet, row.account_number, row.bank_bin) == (method, False, "", None)


@pytest.mark.parametrize("cell", ["Tài khoản", "Qua tài khoản", "Chuyển khoản", "ATM", "atm"])
def test_account_method_words_are_read(read_list, cell):
    row = only_row(read_list([account_row(method=cell)]))
    assert (row.method, row.ewallet, row.account_number, row.bank_bin) == (
        "account",
        False,
        "3508205123456",
        "970405",
    )


def test_an_unknown_method_is_an_error(read_list):
    error = only_error(read_list([data_row(method="Chim bồ câu")]))
    assert error.column == "Hình thức nhận"
    assert "Hình thức nhận “Chim bồ câu” không hợp lệ" in error.message


def test_an_account_on_a_cash_row_is_ignored_with_a_warning(read_list):
    result = read_list([account_row(method="Tiền mặt")])
    row = only_row(result)
    assert (row.method, row.account_number, row.bank_bin) == ("cash", "", None)
    assert "không được dùng" in warning_messages(result)[0]


@pytest.mark.parametrize(
    ("missing", "column", "message"),
    [
        ("account_number", "Số tài khoản", "Nhận qua tài khoản nhưng chưa có số tài khoản."),
        ("bank", "Ngân hàng", "Nhận qua tài khoản nhưng chưa có tên ngân hàng (hoặc ví điện tử)."),
    ],
)
def test_the_account_method_needs_a_number_and_a_bank(read_list, missing, column, message):
    error = only_error(read_list([account_row(**{missing: None})]))
    assert (error.column, error.message) == (column, message)


@pytest.mark.parametrize(
    ("method", "bank", "number"),
    [
        ("Ví điện tử", "ViettelMoney", "0912 345 678"),
        ("Mobile Money", "Viettel Money", "+84 912 345 678"),
        ("Tài khoản", "VNPT Money", "0912345678"),
        ("Ví điện tử", "MoMo", 912345678),
    ],
)
def test_e_wallets_are_accounts_identified_by_a_phone_number(read_list, method, bank, number):
    row = only_row(
        read_list(
            [account_row(method=method, bank=bank, account_number=number, account_holder=None)]
        )
    )
    assert (row.method, row.ewallet, row.account_number) == ("account", True, "0912345678")


def test_an_e_wallet_method_with_a_bank_is_an_error(read_list):
    error = only_error(read_list([account_row(method="Ví điện tử")]))
    assert "là ngân hàng" in error.message


@pytest.mark.parametrize(
    ("receiver", "rep", "expected"),
    [
        (None, None, "self"),
        ("Bản thân", None, "self"),
        ("Chính chủ", None, "self"),
        (None, "Nguyễn Văn Bình", "proxy"),
        ("Ủy quyền", "Nguyễn Văn Bình", "proxy"),
        ("Uỷ quyền", "Nguyễn Văn Bình", "proxy"),
        ("Người được ủy quyền", "Nguyễn Văn Bình", "proxy"),
        ("Giám hộ", "Nguyễn Văn Bình", "guardian"),
        ("Người giám hộ", "Nguyễn Văn Bình", "guardian"),
    ],
)
def test_receiver_kinds_are_read_and_default_from_the_representative(
    read_list, receiver, rep, expected
):
    rep_fields = (
        {"rep_name": rep, "rep_personal_id": "038080009999", "relationship": "Con trai"}
        if rep
        else {}
    )
    row = only_row(read_list([data_row(receiver_kind=receiver, **rep_fields)]))
    assert row.receiver_kind == expected
    if rep:
        assert (row.rep_name, row.rep_personal_id, row.relationship) == (
            "Nguyễn Văn Bình",
            "038080009999",
            "Con trai",
        )


def test_an_unknown_receiver_word_is_an_error(read_list):
    error = only_error(read_list([data_row(receiver_kind="Hàng xóm")]))
    assert error.column == "Người nhận"


def test_a_representative_needs_a_personal_id(read_list):
    error = only_error(read_list([data_row(rep_name="Nguyễn Văn Bình")]))
    assert error.column == "CCCD người nhận thay"
    assert "Chưa có số CCCD của người nhận thay Nguyễn Văn Bình" in error.message


def test_the_representative_cannot_be_the_beneficiary(read_list):
    error = only_error(
        read_list([data_row(rep_name="Nguyễn Văn Bình", rep_personal_id="038050001234")])
    )
    assert error.message == "Người nhận thay không thể là chính đối tượng (trùng số CCCD)."


def test_a_guardian_receiver_without_a_representative_is_an_error(read_list):
    error = only_error(read_list([data_row(receiver_kind="Giám hộ")]))
    assert error.column == "Người nhận thay"


def test_a_representative_id_without_a_name_is_an_error(read_list):
    error = only_error(read_list([data_row(rep_personal_id="038080009999")]))
    assert "chưa có họ tên người nhận thay" in error.message


def test_a_malformed_representative_id_is_an_error(read_list):
    error = only_error(read_list([data_row(rep_name="Nguyễn Văn Bình", rep_personal_id="12345")]))
    assert (error.column, error.value) == ("CCCD người nhận thay", "12345")


# --- Banks and accounts --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bank", "bin_"),
    [
        ("Agribank", "970405"),
        ("AGRIBANK", "970405"),
        ("NHNo&PTNT", "970405"),
        ("NHNo&PTNT Hà Trung", "970405"),
        ("NH Nông nghiệp", "970405"),
        ("Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam", "970405"),
        ("Agribank - CN Hà Trung", "970405"),
        ("Agribank chi nhánh Hà Trung", "970405"),
        ("NH Agribank CN Hà Trung", "970405"),
        ("Agribank Hà Trung", "970405"),
        ("LienVietPostBank", "970449"),
        ("Bưu điện Liên Việt", "970449"),
        ("NH Bưu điện Liên Việt - CN Thanh Hóa", "970449"),
        ("LPBank", "970449"),
        ("Vietinbank", "970415"),
        ("NH Công thương", "970415"),
        ("Ngân hàng TMCP Công thương Việt Nam", "970415"),
        ("Vietcombank", "970436"),
        ("Ngân hàng Ngoại thương", "970436"),
        ("BIDV", "970418"),
        ("bidv chi nhánh Bỉm Sơn", "970418"),
        ("NH Đầu tư và Phát triển", "970418"),
        ("970405", "970405"),
    ],
)
def test_banks_are_recognised_however_they_are_written(read_list, bank, bin_):
    assert only_row(read_list([account_row(bank=bank)])).bank_bin == bin_


def test_an_unknown_bank_is_an_error(read_list):
    error = only_error(read_list([account_row(bank="Ngân hàng Mặt Trăng")]))
    assert (error.column, error.value) == ("Ngân hàng", "Ngân hàng Mặt Trăng")
    assert "Không nhận ra ngân hàng “Ngân hàng Mặt Trăng”" in error.message


def test_a_bank_name_shared_by_two_banks_is_an_error(read_list):
    error = only_error(read_list([account_row(bank="KEB Hana")]))
    assert "trùng với nhiều ngân hàng" in error.message


def test_an_account_number_typed_as_a_long_number_is_refused(read_list):
    error = only_error(read_list([account_row(account_number=3508205123456789)]))
    assert error.column == "Số tài khoản"
    assert "định dạng cột là văn bản" in error.message


@pytest.mark.parametrize("cell", ["3508 205 123 456", "3508-205-123456", "3508.205.123.456"])
def test_account_numbers_keep_only_their_digits(read_list, cell):
    assert only_row(read_list([account_row(account_number=cell)])).account_number == "3508205123456"


def test_a_short_account_number_is_an_error(read_list):
    error = only_error(read_list([account_row(account_number="12345")]))
    assert "từ 6 đến 19 chữ số" in error.message


@pytest.mark.parametrize("holder", ["NGUYEN VAN AN", "Nguyễn Văn An", "nguyen  van an"])
def test_the_account_holder_is_folded_and_matches_the_beneficiary(read_list, holder):
    result = read_list([account_row(account_holder=holder)])
    assert only_row(result).account_holder == "NGUYEN VAN AN"
    assert result.warnings == []


def test_a_holder_differing_from_the_beneficiary_is_a_warning(read_list):
    result = read_list([account_row(account_holder="TRAN THI BINH")])
    assert only_row(result).account_holder == "TRAN THI BINH"
    [warning] = result.warnings
    assert warning.column == "Chủ tài khoản"
    assert "khác tên người nhận tiền “Nguyễn Văn An”" in warning.message


def test_a_proxy_is_compared_with_the_holder_instead_of_the_beneficiary(read_list):
    proxy = {"rep_name": "Trần Thị Bình", "rep_personal_id": "038180009999"}
    assert read_list([account_row(account_holder="TRAN THI BINH", **proxy)]).warnings == []
    result = read_list([account_row(account_holder="NGUYEN VAN AN", **proxy)])
    assert "khác tên người nhận tiền “Trần Thị Bình”" in warning_messages(result)[0]


def test_a_missing_holder_is_left_empty(read_list):
    assert only_row(read_list([account_row(account_holder=None)])).account_holder == ""


# --- Phone, note, decision -----------------------------------------------------------------


@pytest.mark.parametrize("cell", ["0912 345 678", "0912.345.678", "+84 912 345 678", 912345678])
def test_phone_numbers_are_normalised(read_list, cell):
    assert only_row(read_list([data_row(phone=cell)])).phone == "0912345678"


def test_a_landline_is_an_error_with_the_phone_rule(read_list):
    error = only_error(read_list([data_row(phone="0237 3826 123")]))
    assert error.column == "Số điện thoại"
    assert error.message.startswith("Số điện thoại di động phải có 10 chữ số")


def test_text_fields_are_cleaned_up_and_kept(read_list):
    row = only_row(
        read_list(
            [
                data_row(
                    full_name="  Nguyễn   Văn\u00a0An ",
                    village=" Yên  Lạc ",
                    decision_number=" 123/QĐ-UBND ",
                    note="Chuyển đến\ntừ xã Hà Lâm",
                )
            ]
        )
    )
    assert (row.full_name, row.village, row.decision_number, row.note) == (
        "Nguyễn Văn An",
        "Yên Lạc",
        "123/QĐ-UBND",
        "Chuyển đến từ xã Hà Lâm",
    )


def test_a_row_without_name_or_village_has_an_error_for_each(read_list):
    result = read_list([data_row(full_name=None, village=None)])
    assert [(issue.column, issue.message) for issue in result.errors] == [
        ("Họ và tên", "Chưa có họ và tên."),
        ("Thôn", "Chưa có thôn (nơi ở)."),
    ]


# --- Duplicates inside the file -----------------------------------------------------------


def test_the_same_person_twice_in_the_same_category_is_an_error_on_the_second_row(read_list):
    result = read_list([data_row(), data_row(row_number=2)])
    assert [row.row for row in result.rows] == [FIRST_DATA_ROW]
    [error] = result.errors
    assert error.row == FIRST_DATA_ROW + 1
    assert error.message == (
        "Trùng với dòng 9 (trang “Danh sách”): cùng số CCCD 038050001234 và cùng diện NCC_G."
    )


def test_the_same_person_in_two_categories_is_two_enrolments(read_list):
    result = read_list([data_row(), data_row(row_number=2, category="NCC_H")])
    assert result.errors == []
    assert [row.category_code for row in result.rows] == ["NCC_G", "NCC_H"]


def test_one_personal_id_on_two_different_people_is_an_error(read_list):
    result = read_list([data_row(), data_row(full_name="Lê Văn Bảy", category="NCC_H")])
    [error] = result.errors
    assert "đã ghi cho người khác (Nguyễn Văn An) ở dòng 9" in error.message


def test_every_problem_of_a_row_is_reported_not_only_the_first(read_list):
    result = read_list(
        [data_row(birth_date="31/02/1950", gender="?", amount=0, category="Không rõ", phone="1")]
    )
    assert [issue.column for issue in result.errors] == [
        "Ngày sinh",
        "Giới tính",
        "Diện đối tượng",
        "Mức trợ cấp",
        "Số điện thoại",
    ]
    assert all(issue.sheet == "Danh sách" and issue.row == 9 for issue in result.errors)
