"""The post office's workbook: cash list, home list, its changes sheet — never an account."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from payments.cyclefiles import export_cycle_files
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


def _rows(ws) -> list[list]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_the_workbook_holds_the_cash_list_the_home_list_and_the_changes(workbook):
    assert workbook.sheetnames == ["Tiền mặt tại điểm", "Chi trả tại nhà", "Thay đổi"]


def test_the_cash_list_has_the_official_layout_a_signature_cell_and_arrears(paying, workbook):
    ws = workbook["Tiền mặt tại điểm"]
    rows = _rows(ws)
    assert rows[0][0] == "ỦY BAN NHÂN DÂN" and rows[0][3] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert rows[4][0] == "DANH SÁCH CHI TRẢ TRỢ CẤP HẰNG THÁNG BẰNG TIỀN MẶT TẠI ĐIỂM CHI TRẢ"
    assert rows[5][0] == "Tháng 09 năm 2023"
    assert rows[7] == HEADER
    cuc = paying.people["cuc"].person
    assert rows[8] == [1, "Trần Thị Cúc", cuc.personal_id, "Thôn Yến Trung", "Trần Thị Cúc",
                       None, "08/2023-09/2023", 2_000_000, None]  # fmt: skip
    assert ws["C9"].number_format == "@"
    assert ws["I9"].border.left.style == "thin"  # an empty, bordered cell to sign in
    assert rows[9][0] == "Tổng cộng" and rows[9][7] == 2_000_000
    assert rows[10][0] == "Bằng chữ: Hai triệu đồng."
    assert rows[13][0] == "NGƯỜI LẬP BIỂU" and rows[19][6] == "Lê Văn Chủ"


def test_the_home_list_names_the_guardian_and_the_relationship(paying, workbook):
    rows = _rows(workbook["Chi trả tại nhà"])
    assert rows[4][0] == "DANH SÁCH CHI TRẢ TRỢ CẤP HẰNG THÁNG BẰNG TIỀN MẶT TẠI NHÀ"
    guardian = paying.payment("dung").representative.person.full_name
    assert rows[8] == [1, "Phạm Văn Dũng", paying.people["dung"].person.personal_id,
                       "Thôn Yến Cư", guardian, "Vợ (giám hộ)", "09/2023", 750_000, None]  # fmt: skip
    assert rows[9][7] == 750_000
    assert rows[10][0] == "Bằng chữ: Bảy trăm năm mươi nghìn đồng."


def test_the_post_office_changes_sheet_has_no_account(paying, workbook):
    rows = _rows(workbook["Thay đổi"])
    assert rows[0][0] == "THAY ĐỔI SO VỚI KỲ CHI TRẢ THÁNG 08/2023"
    assert rows[1] == ["STT", "Thay đổi", "Họ và tên", "Số CCCD", "Chương trình", "Ghi chú"]
    by_name = {r[2]: r for r in rows[2:]}
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
    names = [row[1] for row in _rows(workbook["Tiền mặt tại điểm"]) if isinstance(row[0], int)]
    assert "Phạm Văn Dũng" in names
