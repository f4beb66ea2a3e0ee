"""The monthly report workbook, cell by cell, on a known small commune.

An (own account, 2,055,000), Bình (account through his daughter, 1,500,000),
Giang (account, 1,000,000 NCC and 500,000 BTXH), Hà (account, BTXH 750,000),
Cúc (cash, has asked for an account), Dũng (at home), Khang (no registration);
Đào is dead, Em has moved away, Lan is suspended: none of those three is paid.
"""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest

from reports.monthly import write_monthly_report
from tests import workbooks as xl
from tests.lists.data import PERIOD, TODAY

pytestmark = pytest.mark.django_db

NCC = "Trợ cấp ưu đãi người có công với cách mạng"
BTXH = "Trợ cấp xã hội hằng tháng cho đối tượng bảo trợ xã hội"
SHEETS = [
    "Tổng hợp",
    "Tỷ lệ KDTM",
    "Chưa KDTM",
    "Xác thực",
    "Thay đổi",
    "Khiếu nại",
    "Thu hồi",
    "Đối soát",
    "DS NCC tự nhận",
    "DS NCC nhận thay",
    "DS BTXH tự nhận",  # nobody on the other lists: no sheet
]


def _build(commune):
    out = io.BytesIO()
    figures = write_monthly_report(out, commune=commune, period=PERIOD, dated=TODAY)
    out.seek(0)
    return figures, openpyxl.load_workbook(out)


def _rows(ws, first: int, last: int | None = None) -> list[tuple]:
    return [tuple(row) for row in xl.rows(ws, first, last)]


ANNEXES = {
    "Tỷ lệ KDTM": "PHỤ LỤC 1\nTỶ LỆ CHI TRẢ KHÔNG DÙNG TIỀN MẶT THÁNG 01/2027",
    "Chưa KDTM": "PHỤ LỤC 2\nNGƯỜI CHƯA NHẬN QUA TÀI KHOẢN THÁNG 01/2027 VÀ LÝ DO",
    "Xác thực": "PHỤ LỤC 3\nTÌNH TRẠNG XÁC THỰC VỚI CƠ SỞ DỮ LIỆU QUỐC GIA VỀ DÂN CƯ",
    "Thay đổi": "PHỤ LỤC 4\nTHAY ĐỔI SO VỚI KỲ CHI TRẢ TRƯỚC",
    "Khiếu nại": "PHỤ LỤC 5\nKHIẾU NẠI CHƯA NHẬN TIỀN ĐANG XỬ LÝ",
    "Thu hồi": "PHỤ LỤC 6\nCÁC KHOẢN CHI TRẢ SAI PHẢI THU HỒI",
    "Đối soát": "PHỤ LỤC 7\nĐỐI SOÁT KỲ CHI TRẢ THÁNG 01/2027",
}
ATTACHED = "(Kèm theo Báo cáo tình hình chi trả tháng 01/2027 của Ủy ban nhân dân xã Yến Sơn)"


def _annex(ws, first_header: str = "STT") -> list:
    """The annex's heading checked; the summary lines under its "(Kèm theo …)" line."""
    title = xl.assert_unsigned_heading(ws, ANNEXES[ws.title], symbol="BC")
    assert ws[f"A{title.row + 1}"].value == ATTACHED
    header = xl.header_row(ws, first_header)
    return [ws[f"A{row}"].value for row in range(title.row + 2, header) if ws[f"A{row}"].value]


def test_the_report_has_its_sheets_in_order(report_data, signed_commune):
    _figures, wb = _build(signed_commune)
    assert wb.sheetnames == SHEETS


def test_the_summary_without_a_cycle_is_read_from_the_registry(report_data, signed_commune):
    figures, wb = _build(signed_commune)
    ws = wb["Tổng hợp"]
    assert ws["A1"].value == "ỦY BAN NHÂN DÂN"
    assert ws["A2"].value == "XÃ YẾN SƠN"
    motto = xl.find(ws, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert motto.row == 1 and motto.column > 1
    number = xl.find(ws, xl.starting("Số:"))
    assert number.column == 1 and number.value.endswith("/BC-UBND")  # a report
    place = ws.cell(row=number.row, column=motto.column)
    assert place.value == "Yến Sơn, ngày 05 tháng 01 năm 2027"
    title = xl.find(ws, xl.starting("BÁO CÁO"))
    assert title.value == "BÁO CÁO TÌNH HÌNH CHI TRẢ TRỢ CẤP, TRỢ GIÚP XÃ HỘI THÁNG 01/2027"
    # The month is in the title: no "Tháng 01 năm 2027" line repeats it.
    assert not xl.has(ws, "Tháng 01 năm 2027")
    assert ws[f"A{title.row + 1}"].value == (
        "Chưa có kỳ chi trả tháng 01/2027: số liệu theo sổ đối tượng "
        "(mức hưởng và hình thức nhận có hiệu lực trong tháng)"
    )
    assert ws[f"A{title.row + 2}"].value == (
        "Tỷ lệ nhận qua tài khoản: 62,5% số người, 48,5% số tiền"
    )
    # NCC's lists go to the Sở Nội vụ, BTXH's to the Sở Y tế: both are addressed.
    addressed = xl.heading_texts(ws)
    start = addressed.index("Kính gửi:")
    assert addressed[start : start + 3] == ["Kính gửi:", "- Sở Nội vụ", "- Sở Y tế"]
    header = xl.header_row(ws)
    assert _rows(ws, header, header + 7) == [
        ("STT", "Chương trình", "Hình thức nhận", "Số người", "Số tiền (đồng)"),
        (1, NCC, "Qua tài khoản", 3, 4_555_000),
        (2, NCC, "Tiền mặt tại điểm chi trả (bưu điện)", 1, 2_055_000),
        (3, NCC, "Tiền mặt tại nhà", 1, 2_055_000),
        (4, NCC, "Chưa đăng ký hình thức nhận", 1, 2_055_000),
        (5, BTXH, "Qua tài khoản", 2, 1_250_000),
        ("Tổng cộng", None, None, 8, 11_970_000),
        ("Bằng chữ: Mười một triệu chín trăm bảy mươi nghìn đồng.", None, None, None, None),
    ]
    totals = xl.totals_row(ws)
    assert ws[f"E{totals - 2}"].number_format == xl.MONEY_FORMAT
    place = xl.find(ws, "Yến Sơn, ngày 05 tháng 01 năm 2027", after=totals)
    assert place.coordinate == f"D{totals + 3}"  # after "Bằng chữ" and a gap
    assert _rows(ws, place.row + 1, place.row + 2) == [
        ("NGƯỜI LẬP BIỂU", None, "KẾ TOÁN", "TM. ỦY BAN NHÂN DÂN", None),
        (None, None, None, "CHỦ TỊCH", None),
    ]
    assert _rows(ws, place.row + 3, place.row + 3) == [
        ("(Ký, ghi rõ họ tên)", None, "(Ký, ghi rõ họ tên)", "(Ký tên, đóng dấu)", None)
    ]
    assert _rows(ws, place.row + 5, place.row + 5) == [
        ("Nguyễn Thị Lập", None, "Trần Văn Toán", "Lê Văn Chủ", None)
    ]
    assert xl.find(ws, "Nơi nhận:").row > place.row + 5
    assert (figures.rows, figures.total, figures.cycle_id) == (8, 11_970_000, None)
    assert (figures.account_people, figures.account_amount) == (5, 5_805_000)


def test_the_cashless_share_per_programme_and_overall(report_data, signed_commune):
    _figures, wb = _build(signed_commune)
    ws = wb["Tỷ lệ KDTM"]
    assert _annex(ws, "Chương trình") == []
    assert _rows(ws, xl.header_row(ws, "Chương trình") + 1) == [
        (NCC, 6, 3, 50, 10_720_000, 4_555_000, 42.5),
        (BTXH, 2, 2, 100, 1_250_000, 1_250_000, 100),
        ("Chung toàn xã", 8, 5, 62.5, 11_970_000, 5_805_000, 48.5),
    ]


def test_the_people_not_yet_cashless_and_why(report_data, signed_commune):
    figures, wb = _build(signed_commune)
    ws = wb["Chưa KDTM"]
    assert _annex(ws) == ["3 người"]
    cuc, dung, khang = (report_data[k].person for k in ("cuc", "dung", "khang"))
    assert _rows(ws, xl.header_row(ws) + 1) == [
        (1, "Trần Thị Cúc", cuc.personal_id, "Thôn Yến Cư", "Người có công",
         "Tiền mặt tại điểm chi trả (bưu điện)", 2_055_000,
         "Chưa có tài khoản (đang đề nghị mở)"),
        (2, "Phạm Văn Dũng", dung.personal_id, "Thôn Yến Cư", "Người có công",
         "Tiền mặt tại nhà", 2_055_000, "Nhận tại nhà"),
        (3, "Lý Văn Khang", khang.personal_id, "Thôn Yến Cư", "Người có công",
         "Chưa đăng ký hình thức nhận", 2_055_000, "Chưa đăng ký hình thức nhận"),
    ]  # fmt: skip
    # The sheet holds exactly the summary's people not paid into an account.
    assert figures.rows - figures.account_people == 3
    assert figures.not_cashless == {
        "Chưa có tài khoản (đang đề nghị mở)": 1,
        "Nhận tại nhà": 1,
        "Chưa đăng ký hình thức nhận": 1,
    }


def test_a_person_who_prefers_cash_is_told_apart(report_data, signed_commune):
    from registration.models import AccountOpeningRequest

    AccountOpeningRequest.objects.all().delete()
    _figures, wb = _build(signed_commune)
    assert xl.table_cell(wb["Chưa KDTM"], 0, "H").value == "Muốn nhận tiền mặt"


def test_the_verification_counts(report_data, signed_commune):
    _figures, wb = _build(signed_commune)
    ws = wb["Xác thực"]
    # Eight live enrolments' people (Giang once, Lan suspended but live) and Bình's daughter.
    assert _annex(ws) == ["10 người (đối tượng và người nhận thay)"]
    assert _rows(ws, xl.header_row(ws)) == [
        ("STT", "Trạng thái xác thực", "Số người"),
        (1, "Chưa kiểm tra", 0),
        (2, "Đã sửa sau lần kiểm tra", 0),
        (3, "Đã xác thực", 10),
        (4, "Không khớp", 0),
        (5, "Không tìm thấy", 0),
        (6, "Đã chết theo CSDL dân cư", 0),
    ]


def test_without_a_cycle_the_changes_sheet_says_so(report_data, signed_commune):
    _figures, wb = _build(signed_commune)
    ws = wb["Thay đổi"]
    assert _annex(ws) == ["Chưa có kỳ chi trả tháng 01/2027: chưa có thay đổi để báo cáo."]
    assert ws.max_row == xl.header_row(ws)


def test_the_registration_lists_are_further_sheets_with_their_rows(report_data, signed_commune):
    _figures, wb = _build(signed_commune)
    ncc_self = wb["DS NCC tự nhận"]
    title = xl.find(ncc_self, xl.starting("DANH SÁCH"))
    assert title.value == (
        "DANH SÁCH ĐỐI TƯỢNG ĐĂNG KÝ NHẬN TRỢ CẤP ƯU ĐÃI NGƯỜI CÓ CÔNG VỚI CÁCH MẠNG "
        "QUA TÀI KHOẢN THANH TOÁN"
    )
    assert title.row < xl.header_row(ncc_self)
    # As the list itself: addressed to Sở Nội vụ.
    assert "Kính gửi: Sở Nội vụ" in xl.heading_texts(ncc_self)
    an, giang = report_data["an"], report_data["giang"]
    first = xl.header_row(ncc_self) + 1
    assert _rows(ncc_self, first, first + 2) == [
        (1, "Nguyễn Văn An", datetime.datetime.combine(an.person.birth_date, datetime.time()),
         "Nam", an.person.personal_id, "Thôn Yến Cư", "Lão thành cách mạng", 2_055_000,
         "Agribank", an.registration.account.number, "NGUYEN VAN AN", None),
        (2, "Hoàng Văn Giang", 1938, "Nam", giang.person.personal_id, "Thôn Yến Cư",
         "Lão thành cách mạng", 1_000_000, "Agribank", giang.registration.account.number,
         "HOANG VAN GIANG", None),
        ("Tổng cộng", None, None, None, None, None, None, 3_055_000, None, None, None, None),
    ]  # fmt: skip
    representative = wb["DS NCC nhận thay"]
    row = xl.table(representative)[0]
    assert (row[1], row[7], row[10]) == ("Lê Thị Bình", 1_500_000, "Con gái (ủy quyền)")
    btxh = wb["DS BTXH tự nhận"]
    # Lan is suspended: on no list and in no total.
    assert [r[1] for r in xl.table(btxh)] == ["Hoàng Văn Giang", "Ngô Thị Hà"]
    assert btxh[f"H{xl.totals_row(btxh)}"].value == 1_250_000
    assert xl.totals_row(btxh) == xl.header_row(btxh) + 3
    # Nobody on these lists: no sheet.
    assert "DS BTXH nhận thay" not in wb.sheetnames
    assert "DS HTXH tự nhận" not in wb.sheetnames


def test_with_a_cycle_the_figures_are_the_cycles(january_cycle, signed_commune):
    figures, wb = _build(signed_commune)
    ws = wb["Tổng hợp"]
    title = xl.find(ws, xl.starting("BÁO CÁO"))
    assert ws[f"A{title.row + 1}"].value == (
        "Số liệu theo kỳ chi trả tháng 01/2027 (trạng thái: Dự thảo, 8 người, hạn gửi 05/01/2027)"
    )
    assert ws[f"A{title.row + 2}"].value == (
        "Tỷ lệ nhận qua tài khoản: 62,5% số người, 48,7% số tiền"
    )
    # The cycle pays Khang (no registration) in cash; Hà's new amount is in.
    header = xl.header_row(ws)
    assert _rows(ws, header + 1, header + 5) == [
        (1, NCC, "Qua tài khoản", 3, 4_555_000),
        (2, NCC, "Tiền mặt tại điểm chi trả (bưu điện)", 2, 4_110_000),
        (3, NCC, "Tiền mặt tại nhà", 1, 2_055_000),
        (4, BTXH, "Qua tài khoản", 2, 1_300_000),
        ("Tổng cộng", None, None, 8, 12_020_000),
    ]
    assert (figures.rows, figures.total) == (
        january_cycle.payment_count,
        january_cycle.total_amount,
    )
    assert figures.cycle_id == january_cycle.pk
    reasons = [row[7] for row in xl.table(wb["Chưa KDTM"])]
    assert reasons == [
        "Chưa có tài khoản (đang đề nghị mở)",
        "Nhận tại nhà",
        "Chưa đăng ký hình thức nhận",
    ]


def test_with_a_cycle_the_changes_since_last_month(january_cycle, report_data, signed_commune):
    _figures, wb = _build(signed_commune)
    ws = wb["Thay đổi"]
    # The cycle's own changes sheet, as in its bank files, as the report's annex.
    _annex(ws)
    dao, ha = report_data["dao"].person, report_data["ha"].person
    assert _rows(ws, xl.header_row(ws) + 1) == [
        (1, "Giảm", "Đỗ Văn Đào", dao.personal_id, "Người có công", "2.055.000 đ", None,
         "Chết ngày 02/12/2026"),
        (2, "Điều chỉnh số tiền", "Ngô Thị Hà", ha.personal_id, "Bảo trợ xã hội",
         "750.000 đ", "800.000 đ", None),
    ]  # fmt: skip


@pytest.mark.postgres
def test_the_cursor_planning_setting_is_put_back_after_the_report(report_data, signed_commune):
    from django.db import connection

    _build(signed_commune)
    with connection.cursor() as cursor:
        cursor.execute("SHOW cursor_tuple_fraction")
        assert cursor.fetchone()[0] == "0.1"


def test_the_changes_annex_names_the_cycle_it_compares_with(january_cycle, signed_commune):
    _figures, wb = _build(signed_commune)
    # The January cycle is compared with December's, as the bank files' changes sheet says.
    assert any("12/2026" in text for text in xl.heading_texts(wb["Thay đổi"]))


def test_the_report_is_landscape_with_the_official_page_setup(report_data, signed_commune):
    _figures, wb = _build(signed_commune)
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert not ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        # Printed at full scale: a wide table gets a smaller font, not a smaller page.
        assert int(ws.page_setup.scale or 100) == 100, ws.title
        xl.assert_official_page(ws)
        # Every sheet opens with the issuing body, its own title under it.
        assert ws["A1"].value == "ỦY BAN NHÂN DÂN", ws.title
    # The wide changes sheet keeps the full scale and is set in a smaller font instead.
    changes = wb["Thay đổi"]
    assert int(changes.page_setup.scale or 100) == 100
    assert changes.cell(xl.header_row(changes), 1).font.sz < 11


def test_without_a_case_the_complaints_annex_says_none_is_open(report_data, signed_commune):
    _figures, wb = _build(signed_commune)
    ws = wb["Khiếu nại"]
    assert _annex(ws)[-1] == "Không có khiếu nại chưa nhận tiền nào đang xử lý."
    assert xl.table(ws) == []


def test_without_a_recovery_the_recoveries_annex_says_there_is_none(report_data, signed_commune):
    _figures, wb = _build(signed_commune)
    ws = wb["Thu hồi"]
    assert _annex(ws)[-1] == "Không có khoản thu hồi."
    assert xl.table(ws) == []
    assert not xl.has(ws, "Tổng cộng")


def test_without_a_cycle_the_reconciliation_annex_says_so(report_data, signed_commune):
    _figures, wb = _build(signed_commune)
    ws = wb["Đối soát"]
    assert _annex(ws)[-1] == "Chưa có kỳ chi trả tháng 01/2027: chưa có số liệu để đối soát."
    assert xl.table(ws) == []


def test_the_reconciliation_annex_reconciles_the_months_cycle(
    january_cycle, report_data, signed_commune
):
    _figures, wb = _build(signed_commune)
    ws = wb["Đối soát"]
    verdict = _annex(ws)[-1]
    assert verdict.startswith("Tất cả ") and verdict.endswith(" phép đối chiếu đều khớp.")
    whole = {row[2]: row for row in xl.table(ws) if row[1] == "Cả kỳ chi trả"}
    count, total = january_cycle.payment_count, january_cycle.total_amount
    assert whole["Tổng các tháng (phải chi kỳ này)"][3:5] == [count, total]
    assert whole["Tiền gửi chi trả"][3:5] == [count, total]
    assert whole["Chờ kết quả"][3:5] == [count, total]
    assert whole["Tổng các tháng = tiền gửi + khấu trừ thu hồi"][5:7] == [0, "Khớp"]


def test_the_complaints_annex_lists_the_open_cases_until_resolved(
    january_cycle, report_data, signed_commune, officer
):
    from payments.checks import record_statement, resolve_case
    from payments.models import Payment

    cuc, dung = report_data["cuc"], report_data["dung"]
    payments = Payment.objects.filter(cycle=january_cycle)
    payments.update(status="paid", paid_on=datetime.date(2027, 1, 10))
    record_statement(
        payments.get(beneficiary=cuc.beneficiary), actor=officer, note="Chưa nhận ở bưu điện"
    )
    resolved = record_statement(
        payments.get(beneficiary=dung.beneficiary), actor=officer, note="Chưa ai mang đến"
    )
    resolve_case(resolved, actor=officer, resolution="Bưu điện đã mang đến ngày 12/01/2027")
    _figures, wb = _build(signed_commune)
    ws = wb["Khiếu nại"]
    assert _annex(ws)[-1] == "1 khiếu nại đang xử lý"
    [row] = xl.table(ws)
    amount = payments.get(beneficiary=cuc.beneficiary).amount
    assert row[:6] == [
        1,
        cuc.person.full_name,
        cuc.person.personal_id,
        cuc.person.village.name,
        "01/2027",
        amount,
    ]
    assert row[6] == "Người hưởng phản ánh — Chưa nhận được: Chưa nhận ở bưu điện"
    assert row[7].date() == datetime.date(2027, 1, 3)  # the fixed clock of January's cycle
