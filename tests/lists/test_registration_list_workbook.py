"""Each registration list opened with openpyxl and checked cell by cell."""

from __future__ import annotations

import re
import zipfile

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from documents.models import GeneratedFile
from registration.listfiles import build_registration_lists_now
from tests import workbooks as xl
from tests.lists.data import PERIOD, TODAY, enrol

pytestmark = pytest.mark.django_db


def _lists(commune, officer=None) -> dict[tuple[str, str], GeneratedFile]:
    files = build_registration_lists_now(commune, PERIOD, actor=officer, today=TODAY)
    return {(f.programme.code, f.kind): f for f in files}


def _sheet(generated: GeneratedFile, name: str = "Danh sách"):
    with generated.file.open("rb") as handle:
        workbook = load_workbook(handle)
    return workbook[name]


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
    # The motto on the right, from a column computed from the columns' widths.
    motto = xl.find(ws, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    right = motto.column_letter
    assert motto.row == 1 and motto.column > 1
    assert ws[f"{right}2"].value == "Độc lập - Tự do - Hạnh phúc"
    # A short rule under the issuing body and one under the motto, on a row of their own.
    rule_row = motto.row + 2
    assert xl.values(ws, rule_row) == [None] * ws.max_column
    # The rules are drawn (a stretched one-pixel image), anchored in the rule row.
    generated = _lists(registered["an"].beneficiary.commune)[("NCC", SELF)]
    with generated.file.open("rb") as handle, zipfile.ZipFile(handle) as package:
        drawing = package.read("xl/drawings/drawing1.xml").decode()
    anchors = re.findall(r"<xdr:from><xdr:col>(\d+)</xdr:col>.*?<xdr:row>(\d+)</xdr:row>", drawing)
    ruled = [int(col) + 1 for col, row in anchors if int(row) + 1 == rule_row]
    assert len(ruled) == 2
    assert any(col < motto.column for col in ruled)
    assert any(col >= motto.column for col in ruled)
    # The number and the place and date on the row under the rules.
    number = xl.find(ws, xl.starting("Số:"))
    assert (number.row, number.column) == (rule_row + 1, 1)
    assert number.value.endswith("/DS-UBND")
    place = ws[f"{right}{number.row}"]
    assert place.value == "Yến Sơn, ngày 05 tháng 01 năm 2027"
    assert place.font.i
    title = xl.find(ws, xl.starting("DANH SÁCH"))
    assert title.column == 1 and title.row > number.row
    assert title.value == (
        "DANH SÁCH ĐỐI TƯỢNG ĐĂNG KÝ NHẬN TRỢ CẤP ƯU ĐÃI NGƯỜI CÓ CÔNG VỚI CÁCH MẠNG "
        "QUA TÀI KHOẢN THANH TOÁN"
    )
    assert ws[f"A{title.row + 1}"].value == "Tháng 01 năm 2027"
    left_end = get_column_letter(motto.column - 1)
    assert {f"A1:{left_end}1", f"{right}1:L1", f"A{title.row}:L{title.row}"} <= xl.merged(ws)
    assert ws["A1"].font.name == "Times New Roman"


def test_the_list_is_addressed_to_the_programmes_receiving_office(registered):
    lists = _lists(registered["an"].beneficiary.commune)
    ncc = _sheet(lists[("NCC", SELF)])
    # In 2027 the province's Sở Nội vụ receives the lists of people with merit.
    addressed = xl.find(ncc, xl.starting("Kính gửi"))
    assert addressed.value == "Kính gửi: Sở Nội vụ"
    assert xl.find(ncc, "Tháng 01 năm 2027").row < addressed.row < xl.header_row(ncc)
    assert "Kính gửi: Sở Nội vụ" in xl.heading_texts(_sheet(lists[("NCC", REP)]))
    # The commune decides social protection; its lists go to the Sở Y tế.
    assert "Kính gửi: Sở Y tế" in xl.heading_texts(_sheet(lists[("BTXH", SELF)]))


def test_the_own_account_list_has_the_columns_and_rows_in_list_order(registered):
    ws = _sheet(_lists(registered["an"].beneficiary.commune)[("NCC", SELF)])
    assert xl.header(ws) == [
        "STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Thôn", "Diện đối tượng",
        "Mức trợ cấp hằng tháng (đồng)", "Ngân hàng", "Số tài khoản", "Chủ tài khoản", "Ghi chú",
    ]  # fmt: skip
    an = registered["an"]
    an_account = an.registration.account
    first, second = xl.table(ws)
    assert first[:2] == [1, "Nguyễn Văn An"]
    assert first[2].date() == an.person.birth_date
    assert first[3:] == [
        "Nam", an.person.personal_id, "Thôn Yến Cư", an.beneficiary.category.short_name,
        2_055_000, "Agribank", an_account.number, an_account.holder_name, None,
    ]  # fmt: skip
    assert xl.table_cell(ws, 0, "C").number_format == "dd/mm/yyyy"
    # Only the year is known: the year alone.
    assert second[:3] == [2, "Hoàng Văn Giang", 1938]
    assert second[7] == 1_000_000


def test_the_totals_row_reads_the_amount_in_words(registered):
    ws = _sheet(_lists(registered["an"].beneficiary.commune)[("NCC", SELF)])
    totals = xl.totals_row(ws)
    assert totals == xl.header_row(ws) + 3  # right under the two rows
    assert ws[f"A{totals}"].value == "Tổng cộng"
    assert ws[f"H{totals}"].value == 3_055_000
    assert ws[f"H{totals}"].font.b
    assert ws[f"H{totals}"].number_format == xl.MONEY_FORMAT
    assert ws[f"A{totals + 1}"].value == "Bằng chữ: Ba triệu không trăm năm mươi lăm nghìn đồng."
    assert f"A{totals}:G{totals}" in xl.merged(ws)


def test_the_signature_block_has_three_columns_with_the_communes_names(registered):
    ws = _sheet(_lists(registered["an"].beneficiary.commune)[("NCC", SELF)])
    words = xl.totals_row(ws) + 1
    assert xl.values(ws, words + 1) == [None] * ws.max_column  # a gap under "Bằng chữ"
    place = xl.find(ws, "Yến Sơn, ngày 05 tháng 01 năm 2027", after=words)
    assert place.row == words + 2
    # The place and date over the last block (the leader's).
    titles = xl.filled(ws, place.row + 1)
    assert list(titles.values()) == ["NGƯỜI LẬP BIỂU", "KẾ TOÁN", "TM. ỦY BAN NHÂN DÂN"]
    preparer, accountant, leader = titles
    assert preparer == "A" and leader == place.column_letter
    assert xl.filled(ws, place.row + 2) == {leader: "CHỦ TỊCH"}
    assert xl.filled(ws, place.row + 3) == {
        preparer: "(Ký, ghi rõ họ tên)",
        accountant: "(Ký, ghi rõ họ tên)",
        leader: "(Ký tên, đóng dấu)",  # the leader signs and seals
    }
    # An empty row to sign in, then the names under their titles.
    space = place.row + 4
    assert xl.filled(ws, space) == {}
    assert xl.filled(ws, space + 1) == {
        preparer: "Nguyễn Thị Lập",
        accountant: "Trần Văn Toán",
        leader: "Lê Văn Chủ",
    }
    # Nothing after the names but "Nơi nhận" (the addressee, then the commune's copy).
    assert xl.rows(ws, space + 2) == [
        [None] * 12,
        ["Nơi nhận:"] + [None] * 11,
        ["- Như trên;"] + [None] * 11,
        ["- Lưu: VT, VHXH."] + [None] * 11,
    ]


def test_the_signatures_have_room_to_sign_and_seal(registered):
    ws = _sheet(_lists(registered["an"].beneficiary.commune)[("NCC", SELF)])
    hint = xl.find(ws, "(Ký tên, đóng dấu)")
    name = xl.find(ws, "Lê Văn Chủ", after=hint.row)
    assert name.row == hint.row + 2
    # The row between the hint and the name is about 22 mm high (at least 20 mm).
    assert (ws.row_dimensions[hint.row + 1].height or 0) >= 56


def test_identifiers_are_text_cells(registered):
    ws = _sheet(_lists(registered["an"].beneficiary.commune)[("NCC", SELF)])
    for index in (0, 1):
        for column in "EJ":
            cell = xl.table_cell(ws, index, column)
            assert cell.data_type == "s"
            assert cell.number_format == "@"
    assert xl.table_cell(ws, 0, "E").value.startswith("038")


def test_the_page_is_a4_landscape_at_full_scale_with_repeated_header_and_frozen_panes(
    registered,
):
    ws = _sheet(_lists(registered["an"].beneficiary.commune)[("NCC", SELF)])
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    # Full scale (a wide table gets a smaller font), never "fit to page".
    assert not ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(ws.page_setup.scale or 100) == 100
    xl.assert_official_page(ws)
    header = xl.header_row(ws)
    assert ws.print_title_rows == f"${header}:${header}"
    assert ws.freeze_panes == f"A{header + 1}"


def test_the_representatives_list_names_the_receiver_and_relationship(registered):
    ws = _sheet(_lists(registered["an"].beneficiary.commune)[("NCC", REP)])
    assert xl.has(ws, xl.starting("DANH SÁCH NGƯỜI ĐƯỢC ỦY QUYỀN/NGƯỜI GIÁM HỘ ĐĂNG KÝ NHẬN"))
    assert xl.header(ws)[7:] == [
        "Mức trợ cấp hằng tháng (đồng)", "Người nhận thay", "Số CCCD người nhận thay",
        "Quan hệ với đối tượng",
        "Ngân hàng", "Số tài khoản", "Chủ tài khoản", "Ghi chú",
    ]  # fmt: skip
    binh = registered["binh"]
    rep = binh.registration.representative
    [row] = xl.table(ws)
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
    totals = xl.totals_row(ws)
    assert totals == xl.header_row(ws) + 2
    assert ws[f"H{totals}"].value == 1_500_000
    assert ws[f"A{totals + 1}"].value == "Bằng chữ: Một triệu năm trăm nghìn đồng."


def test_formula_like_text_is_escaped(signed_commune, reference_data):
    enrol(signed_commune, "NCC", "=HYPERLINK(1)")
    ws = _sheet(_lists(signed_commune)[("NCC", SELF)])
    assert xl.table_cell(ws, 0, "B").value == "'=HYPERLINK(1)"
    assert xl.table_cell(ws, 0, "B").data_type == "s"


def test_the_first_list_says_there_is_no_earlier_sent_list(registered):
    ws = _sheet(_lists(registered["an"].beneficiary.commune)[("NCC", SELF)], "Thay đổi")
    # The changes sheet has its own heading; the list's first sheet carries the signatures.
    xl.assert_unsigned_heading(ws, "NHỮNG THAY ĐỔI CỦA DANH SÁCH ĐỐI TƯỢNG ĐĂNG KÝ NHẬN")
    assert "Chưa có danh sách nào đã gửi trước đây để so sánh." in xl.heading_texts(ws)
    assert xl.header(ws)[:3] == ["STT", "Thay đổi", "Họ và tên"]
    assert ws.max_row == xl.header_row(ws)
