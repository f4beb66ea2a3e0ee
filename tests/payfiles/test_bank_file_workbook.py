"""The bank files opened with openpyxl and csv, checked cell by cell; the reconciliation."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook

from payments.bankexport import ExportError
from payments.cyclefiles import export_cycle_files
from payments.models import PaymentCycle
from payments.services.cycles import open_cycle
from tests import workbooks as xl
from tests.payfiles.conftest import SEP, TODAY

pytestmark = pytest.mark.django_db

HEADER = [
    "STT",
    "Mã thanh toán",
    "Số tài khoản",
    "Tên chủ tài khoản",
    "Mã BIN ngân hàng",
    "Ngân hàng",
    "Số tiền (đồng)",
    "Nội dung chuyển khoản",
    "Họ tên đối tượng",
    "Các tháng",
]


def _export(paying, tmp_path):
    return export_cycle_files(paying.cycle, tmp_path, dated=TODAY)


def _rows(ws) -> list[list]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_one_xlsx_and_one_csv_per_bank_and_the_changes(paying, tmp_path):
    _export(paying, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "chi-tra-buu-dien-15307-2023-09.xlsx",
        "ck-970405-agribank-15307-2023-09.csv",
        "ck-970405-agribank-15307-2023-09.xlsx",
        "ck-970436-vietcombank-15307-2023-09.csv",
        "ck-970436-vietcombank-15307-2023-09.xlsx",
        "thay-doi-15307-2023-09.xlsx",
    ]


def test_the_bank_workbook_has_the_official_layout_rows_and_totals(paying, tmp_path):
    _export(paying, tmp_path)
    ws = load_workbook(tmp_path / "ck-970405-agribank-15307-2023-09.xlsx")["Agribank"]
    assert ws["A1"].value == "ỦY BAN NHÂN DÂN" and ws["A2"].value == "XÃ YẾN SƠN"
    motto = xl.find(ws, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert motto.row == 1 and motto.column > 1
    number = xl.find(ws, xl.starting("Số:"))
    assert number.column == 1 and number.value.endswith("/DS-UBND")
    place = ws.cell(row=number.row, column=motto.column)
    assert place.value == "Yến Sơn, ngày 20 tháng 9 năm 2023"
    title = xl.find(ws, "DANH SÁCH CHI TRẢ TRỢ CẤP HẰNG THÁNG QUA TÀI KHOẢN")
    assert title.column == 1
    assert xl.rows(ws, title.row + 1, title.row + 2) == [
        ["Tháng 09 năm 2023"] + [None] * 9,
        ["Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam (Agribank, mã BIN 970405)"]
        + [None] * 9,
    ]
    # Sent to the bank.
    assert "Kính gửi: Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam" in (
        xl.heading_texts(ws)
    )
    assert xl.header(ws) == HEADER
    an, em = paying.payment("an"), paying.payment("em")
    rows = xl.table(ws)
    assert rows[0] == [
        1,
        f"ASXH{an.pk:08d}",
        "3500205000123",
        "'=NGUYEN VAN AN",  # escaped: never read as a formula
        "970405",
        "Agribank",
        2_055_000,
        f"TRO CAP T09/2023 ASXH{an.pk:08d}",
        "Nguyễn Văn An",
        "09/2023",
    ]
    assert rows[1][:7] == [2, f"ASXH{em.pk:08d}", "3500205000999", "VU VAN EM", "970405",
                           "Agribank", 500_000]  # fmt: skip
    assert len(rows) == 2
    totals = xl.totals_row(ws)
    assert ws[f"G{totals}"].value == 2_555_000
    footer = xl.footer(ws)
    assert footer[0][0] == "Bằng chữ: Hai triệu năm trăm năm mươi lăm nghìn đồng."
    place = xl.find(ws, "Yến Sơn, ngày 20 tháng 9 năm 2023", after=totals)
    leader = place.column_letter
    titles = xl.filled(ws, place.row + 1)
    assert list(titles.values()) == ["NGƯỜI LẬP BIỂU", "KẾ TOÁN", "TM. ỦY BAN NHÂN DÂN"]
    assert list(titles)[0] == "A" and list(titles)[2] == leader
    assert xl.filled(ws, place.row + 2) == {leader: "CHỦ TỊCH"}
    names = xl.find(ws, "Nguyễn Thị Lập", after=place.row)
    assert xl.filled(ws, names.row) == dict(
        zip(titles, ["Nguyễn Thị Lập", "Trần Văn Toán", "Lê Văn Chủ"], strict=True)
    )
    # Account, reference and BIN are text cells: no digit is ever lost or reformatted.
    for column in "BCE":
        cell = xl.table_cell(ws, 0, column)
        assert cell.data_type == "s" and cell.number_format == "@"
    amount = xl.table_cell(ws, 0, "G")
    assert amount.data_type == "n" and amount.number_format == xl.MONEY_FORMAT


def test_the_bank_csv_has_the_header_rows_and_a_totals_row(paying, tmp_path):
    _export(paying, tmp_path)
    path = tmp_path / "ck-970436-vietcombank-15307-2023-09.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel shows Vietnamese
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    binh = paying.payment("binh")
    assert rows == [
        HEADER,
        [
            "1",
            f"ASXH{binh.pk:08d}",
            "0011000123456",  # the leading zeros kept
            "LE THI NHAN",
            "970436",
            "Vietcombank",
            "1500000",
            f"TRO CAP T09/2023 ASXH{binh.pk:08d}",
            "Lê Thị Bình",
            "09/2023",
        ],
        ["Tổng cộng", "1 khoản", "", "", "", "", "1500000", "", "", ""],
    ]
    agribank = list(csv.reader((tmp_path / "ck-970405-agribank-15307-2023-09.csv").open(
        encoding="utf-8-sig")))  # fmt: skip
    assert agribank[1][3] == "'=NGUYEN VAN AN"


def test_banks_cash_and_home_add_up_to_the_cycle_to_the_dong(paying, tmp_path):
    lines, bank, cash = _export(paying, tmp_path)
    per_bank = []
    for path in sorted(tmp_path.glob("ck-*.csv")):
        rows = list(csv.reader(path.open(encoding="utf-8-sig")))
        assert sum(int(r[6]) for r in rows[1:-1]) == int(rows[-1][6])
        per_bank.append(int(rows[-1][6]))
    lists = load_workbook(tmp_path / "chi-tra-buu-dien-15307-2023-09.xlsx")
    totals = [
        next(r[7] for r in _rows(lists[name]) if r[0] == "Tổng cộng")
        for name in ("Tiền mặt tại điểm", "Chi trả tại nhà")
    ]
    cycle = PaymentCycle.objects.get(pk=paying.cycle.pk)
    assert per_bank == [2_555_000, 1_500_000]
    assert totals == [2_000_000, 750_000]
    assert sum(per_bank) + sum(totals) == cycle.total_amount == 6_805_000
    assert bank.total + cash.total == cycle.total_amount


def test_the_changes_workbook_shows_accounts(paying, tmp_path):
    _export(paying, tmp_path)
    ws = load_workbook(tmp_path / "thay-doi-15307-2023-09.xlsx")["Thay đổi"]
    title = xl.find(ws, "DANH SÁCH THAY ĐỔI ĐỐI TƯỢNG, MỨC HƯỞNG VÀ HÌNH THỨC NHẬN TRỢ CẤP")
    assert ws["A1"].value == "ỦY BAN NHÂN DÂN" and title.column == 1
    assert xl.heading_texts(ws)[-2:] == ["Tháng 09 năm 2023", "So với kỳ chi trả tháng 08/2023"]
    assert xl.header(ws) == ["STT", "Thay đổi", "Họ và tên", "Số CCCD", "Chương trình", "Trước",
                             "Nay", "Ghi chú"]  # fmt: skip
    # The changes workbook is a document of its own: signed by the three.
    assert xl.has(ws, "NGƯỜI LẬP BIỂU") and xl.has(ws, "Lê Văn Chủ")
    rows = xl.table(ws)
    an = next(r for r in rows if r[2] == "Nguyễn Văn An")
    assert an[1] == "Đổi hình thức/người nhận"
    assert an[6] == "Qua tài khoản 3500205000123 — Nguyễn Văn An"
    cuc = next(r for r in rows if r[2] == "Trần Thị Cúc")
    assert cuc[1:] == ["Điều chỉnh số tiền", "Trần Thị Cúc", cuc[3], "Người có công",
                       "1.000.000 đ", "2.000.000 đ", None]  # fmt: skip


def test_a_draft_cycle_has_no_files(commune, reference_data, officer, tmp_path):
    from tests.cycles.conftest import enrol

    enrol(commune)
    cycle = open_cycle(commune, SEP, actor=officer).cycle
    with pytest.raises(ExportError, match="phê duyệt"):
        export_cycle_files(cycle, tmp_path, dated=TODAY)
    assert list(tmp_path.iterdir()) == []
