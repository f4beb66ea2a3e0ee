"""Each registration list opened with openpyxl and checked cell by cell."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from documents.models import GeneratedFile
from registration.listfiles import build_registration_lists_now
from tests.lists.data import PERIOD, TODAY, enrol

pytestmark = pytest.mark.django_db


def _lists(commune, officer=None) -> dict[tuple[str, str], GeneratedFile]:
    files = build_registration_lists_now(commune, PERIOD, actor=officer, today=TODAY)
    return {(f.programme.code, f.kind): f for f in files}


def _sheet(generated: GeneratedFile, name: str = "Danh sách"):
    with generated.file.open("rb") as handle:
        workbook = load_workbook(handle)
    return workbook[name]


def _row(ws, row: int) -> list:
    return [cell.value for cell in ws[row]]


SELF = GeneratedFile.Kind.REGISTRATION_SELF
REP = GeneratedFile.Kind.REGISTRATION_REPRESENTATIVE


def test_every_list_somebody_is_on_is_built(registered, officer):
    files = _lists(registered["an"].beneficiary.commune, officer)
    assert set(files) == {("NCC", SELF), ("NCC", REP), ("BTXH", SELF)}
    assert all(f.status == GeneratedFile.Status.DONE for f in files.values())
    assert all(len(f.checksum) == 64 and f.requested_by == officer for f in files.values())


def test_the_own_account_list_has_the_official_header_and_title(registered):
    ws = _sheet(_lists(registered["an"].beneficiary.commune)[("NCC", SELF)])
    assert ws["A1"].value == "ỦY BAN NHÂN DÂN"
    assert ws["A2"].value == "XÃ YẾN SƠN"
    assert ws["A1"].font.b and ws["A2"].font.b
    assert ws["A3"].value.startswith("Số:")
    assert ws["E1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert ws["E2"].value == "Độc lập - Tự do - Hạnh phúc"
    assert ws["E3"].value == "Yến Sơn, ngày 05 tháng 01 năm 2027"
    assert ws["E3"].font.i
    assert ws["A5"].value == (
        "DANH SÁCH ĐỐI TƯỢNG ĐĂNG KÝ NHẬN TRỢ CẤP ƯU ĐÃI NGƯỜI CÓ CÔNG VỚI CÁCH MẠNG "
        "QUA TÀI KHOẢN THANH TOÁN"
    )
    assert ws["A6"].value == "Tháng 01 năm 2027"
    assert {"A1:D1", "E1:L1", "A5:L5"} <= {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].font.name == "Times New Roman"


def test_the_own_account_list_has_the_columns_and_rows_in_list_order(registered):
    ws = _sheet(_lists(registered["an"].beneficiary.commune)[("NCC", SELF)])
    assert _row(ws, 8) == [
        "STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Thôn", "Diện đối tượng",
        "Mức trợ cấp hằng tháng (đồng)", "Ngân hàng", "Số tài khoản", "Chủ tài khoản", "Ghi chú",
    ]  # fmt: skip
    an = registered["an"]
    an_account = an.registration.account
    row = _row(ws, 9)
    assert row[:2] == [1, "Nguyễn Văn An"]
    assert row[2].date() == an.person.birth_date
    assert row[3:] == [
        "Nam", an.person.personal_id, "Thôn Yến Cư", an.beneficiary.category.short_name,
        2_055_000, "Agribank", an_account.number, an_account.holder_name, None,
    ]  # fmt: skip
    assert ws["C9"].number_format == "dd/mm/yyyy"
    # Only the year is known: the year alone.
    assert _row(ws, 10)[:3] == [2, "Hoàng Văn Giang", 1938]
    assert _row(ws, 10)[7] == 1_000_000


def test_the_totals_row_reads_the_amount_in_words(registered):
    ws = _sheet(_lists(registered["an"].beneficiary.commune)[("NCC", SELF)])
    assert ws["A11"].value == "Tổng cộng"
    assert ws["H11"].value == 3_055_000
    assert ws["H11"].font.b
    assert ws["A12"].value == "Bằng chữ: Ba triệu không trăm năm mươi lăm nghìn đồng."
    assert "A11:G11" in {str(r) for r in ws.merged_cells.ranges}


def test_the_signature_block_has_three_columns_with_the_communes_names(registered):
    ws = _sheet(_lists(registered["an"].beneficiary.commune)[("NCC", SELF)])
    assert ws["I14"].value == "Yến Sơn, ngày 05 tháng 01 năm 2027"
    assert (ws["A15"].value, ws["E15"].value, ws["I15"].value) == (
        "NGƯỜI LẬP BIỂU",
        "KẾ TOÁN",
        "TM. ỦY BAN NHÂN DÂN",
    )
    assert ws["I16"].value == "CHỦ TỊCH"
    assert [ws[f"{c}17"].value for c in "AEI"] == ["(Ký, ghi rõ họ tên)"] * 3
    assert [ws[f"{c}21"].value for c in "AEI"] == ["Nguyễn Thị Lập", "Trần Văn Toán", "Lê Văn Chủ"]
    assert ws.max_row == 21


def test_identifiers_are_text_cells(registered):
    ws = _sheet(_lists(registered["an"].beneficiary.commune)[("NCC", SELF)])
    for ref in ("E9", "J9", "E10", "J10"):
        assert ws[ref].data_type == "s"
        assert ws[ref].number_format == "@"
    assert ws["E9"].value.startswith("038")


def test_the_page_is_a4_landscape_fit_to_width_with_repeated_header_and_frozen_panes(registered):
    ws = _sheet(_lists(registered["an"].beneficiary.commune)[("NCC", SELF)])
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # One page wide (1 is the default, left out of the file), as many pages tall as needed.
    assert ws.page_setup.fitToWidth in (None, 1)
    assert int(ws.page_setup.fitToHeight) == 0
    assert ws.print_title_rows == "$8:$8"
    assert ws.freeze_panes == "A9"


def test_the_representatives_list_names_the_receiver_and_relationship(registered):
    ws = _sheet(_lists(registered["an"].beneficiary.commune)[("NCC", REP)])
    assert ws["A5"].value.startswith("DANH SÁCH NGƯỜI ĐƯỢC ỦY QUYỀN/NGƯỜI GIÁM HỘ ĐĂNG KÝ NHẬN")
    assert _row(ws, 8)[7:] == [
        "Mức trợ cấp hằng tháng (đồng)", "Người nhận thay", "Số CCCD người nhận thay",
        "Quan hệ với đối tượng",
        "Ngân hàng", "Số tài khoản", "Chủ tài khoản", "Ghi chú",
    ]  # fmt: skip
    binh = registered["binh"]
    rep = binh.registration.representative
    row = _row(ws, 9)
    assert row[1] == "Lê Thị Bình"
    assert row[3] == "Nữ"
    assert row[7:14] == [
        1_500_000,
        rep.person.full_name,
        rep.person.personal_id,
        "Con gái (ủy quyền)",
        "Agribank",
        binh.registration.account.number,
        binh.registration.account.holder_name,
    ]
    assert ws["A10"].value == "Tổng cộng"
    assert ws["H10"].value == 1_500_000
    assert ws["A11"].value == "Bằng chữ: Một triệu năm trăm nghìn đồng."


def test_formula_like_text_is_escaped(signed_commune, reference_data):
    enrol(signed_commune, "NCC", "=HYPERLINK(1)")
    ws = _sheet(_lists(signed_commune)[("NCC", SELF)])
    assert ws["B9"].value == "'=HYPERLINK(1)"
    assert ws["B9"].data_type == "s"


def test_the_first_list_says_there_is_no_earlier_sent_list(registered):
    ws = _sheet(_lists(registered["an"].beneficiary.commune)[("NCC", SELF)], "Thay đổi")
    assert ws["A1"].value == "Chưa có danh sách nào đã gửi trước đây để so sánh."
    assert _row(ws, 2)[:3] == ["STT", "Thay đổi", "Họ và tên"]
    assert ws.max_row == 2
