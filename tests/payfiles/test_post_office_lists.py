"""The post office's workbook: cash list, home list, its changes sheet — never an account."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from payments.cyclefiles import export_cycle_files
from tests import workbooks as xl
from tests.payfiles.conftest import TODAY

pytestmark = pytest.mark.django_db

HEADER = [
    "STT",
    "Họ và tên đối tượng",
    "Số CCCD",
    "Thôn",
    "Người nhận",
    "Quan hệ với đối tượng",
    "Các tháng",
    "Số tiền (đồng)",
    "Ký nhận",
]


@pytest.fixture
def workbook(paying, tmp_path):
    export_cycle_files(paying.cycle, tmp_path, dated=TODAY)
    return load_workbook(tmp_path / "chi-tra-buu-dien-15307-2023-09.xlsx")


def test_the_workbook_holds_the_cash_list_the_home_list_and_the_changes(workbook):
    assert workbook.sheetnames == ["Tiền mặt tại điểm", "Chi trả tại nhà", "Thay đổi"]


def test_the_cash_list_has_the_official_layout_a_signature_cell_and_arrears(paying, workbook):
    ws = workbook["Tiền mặt tại điểm"]
    assert ws["A1"].value == "ỦY BAN NHÂN DÂN"
    motto = xl.find(ws, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert motto.row == 1 and motto.column > 1
    title = xl.find(ws, "DANH SÁCH CHI TRẢ TRỢ CẤP HẰNG THÁNG BẰNG TIỀN MẶT TẠI ĐIỂM CHI TRẢ")
    assert title.column == 1
    assert ws[f"A{title.row + 1}"].value == "Tháng 09 năm 2023"
    assert xl.header(ws) == HEADER
    cuc = paying.people["cuc"].person
    assert xl.table(ws) == [[1, "Trần Thị Cúc", cuc.personal_id, "Thôn Yến Trung",
                             "Trần Thị Cúc", None, "08/2023-09/2023", 2_000_000, None]]  # fmt: skip
    assert xl.table_cell(ws, 0, "C").number_format == "@"
    sign = xl.table_cell(ws, 0, "I")
    assert sign.border.left.style == "thin"  # an empty, bordered cell to sign in
    assert ws.row_dimensions[sign.row].height >= 36  # tall enough to sign in
    totals = xl.totals_row(ws)
    assert ws[f"H{totals}"].value == 2_000_000
    assert xl.footer(ws)[0][0] == "Bằng chữ: Hai triệu đồng."
    preparer = xl.find(ws, "NGƯỜI LẬP BIỂU", after=totals)
    leader = xl.find(ws, "TM. ỦY BAN NHÂN DÂN", after=totals)
    assert preparer.column == 1 and leader.row == preparer.row
    assert ws.cell(row=xl.find(ws, "Lê Văn Chủ").row, column=leader.column).value == "Lê Văn Chủ"


def test_the_home_list_names_the_guardian_and_the_relationship(paying, workbook):
    ws = workbook["Chi trả tại nhà"]
    title = xl.find(ws, "DANH SÁCH CHI TRẢ TRỢ CẤP HẰNG THÁNG BẰNG TIỀN MẶT TẠI NHÀ")
    assert title.column == 1 and title.row < xl.header_row(ws)
    guardian = paying.payment("dung").representative.person.full_name
    assert xl.table(ws) == [[1, "Phạm Văn Dũng", paying.people["dung"].person.personal_id,
                             "Thôn Yến Cư", guardian, "Vợ (giám hộ)", "09/2023", 750_000,
                             None]]  # fmt: skip
    assert ws[f"H{xl.totals_row(ws)}"].value == 750_000
    assert xl.footer(ws)[0][0] == "Bằng chữ: Bảy trăm năm mươi nghìn đồng."


def test_the_post_office_changes_sheet_has_no_account(paying, workbook):
    ws = workbook["Thay đổi"]
    xl.assert_unsigned_heading(
        ws, "DANH SÁCH THAY ĐỔI ĐỐI TƯỢNG, MỨC HƯỞNG VÀ HÌNH THỨC NHẬN TRỢ CẤP"
    )
    assert xl.heading_texts(ws)[-2:] == ["Tháng 09 năm 2023", "So với kỳ chi trả tháng 08/2023"]
    assert xl.header(ws) == ["STT", "Thay đổi", "Họ và tên", "Số CCCD", "Chương trình", "Ghi chú"]
    by_name = {r[2]: r for r in xl.table(ws)}
    assert by_name["Nguyễn Văn An"][5] == "Nay: qua tài khoản"  # left the post office's list
    assert by_name["Trần Thị Cúc"][5] == "1.000.000 đ → 2.000.000 đ"
    assert by_name["Phạm Văn Dũng"][5] == "Nay: tiền mặt tại nhà"


def test_no_account_number_anywhere_in_the_post_office_workbook(paying, workbook):
    numbers = {"3500205000123", "0011000123456", "3500205000999"}
    for ws in workbook.worksheets:
        for row in ws.iter_rows(values_only=True):
            for value in row:
                assert not any(n in str(value) for n in numbers), (ws.title, row)
                assert "Số tài khoản" not in str(value)


def test_a_method_nobody_is_paid_by_has_no_sheet(paying, tmp_path):
    """No empty list to sign: with nobody paid at home, the workbook has no home list."""
    from payments.cashlists import CASH_METHODS
    from payments.models import Payment

    cash, home = CASH_METHODS
    Payment.objects.filter(cycle=paying.cycle, method=home).update(method=cash)
    export_cycle_files(paying.cycle, tmp_path, dated=TODAY)
    workbook = load_workbook(tmp_path / "chi-tra-buu-dien-15307-2023-09.xlsx")
    assert workbook.sheetnames == ["Tiền mặt tại điểm", "Thay đổi"]
    names = [row[1] for row in xl.table(workbook["Tiền mặt tại điểm"])]
    assert "Phạm Văn Dũng" in names
