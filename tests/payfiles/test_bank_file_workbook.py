"""The bank files opened with openpyxl and csv, checked cell by cell; the reconciliation."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook

from payments.bankexport import ExportError
from payments.cyclefiles import export_cycle_files
from payments.models import PaymentCycle
from payments.services.cycles import open_cycle
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
    rows = _rows(ws)
    assert rows[0][0] == "ỦY BAN NHÂN DÂN" and rows[1][0] == "XÃ YẾN SƠN"
    assert rows[0][4] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert rows[2][4] == "Yến Sơn, ngày 20 tháng 9 năm 2023"
    assert rows[4][0] == "DANH SÁCH CHI TRẢ TRỢ CẤP HẰNG THÁNG QUA TÀI KHOẢN"
    assert rows[5][0] == "Tháng 09 năm 2023"
    assert rows[6][0] == (
        "Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam (Agribank, mã BIN 970405)"
    )
    assert rows[8] == HEADER
    an, em = paying.payment("an"), paying.payment("em")
    assert rows[9] == [
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
    assert rows[10][:7] == [2, f"ASXH{em.pk:08d}", "3500205000999", "VU VAN EM", "970405",
                            "Agribank", 500_000]  # fmt: skip
    assert rows[11][0] == "Tổng cộng" and rows[11][6] == 2_555_000
    assert rows[12][0] == "Bằng chữ: Hai triệu năm trăm năm mươi lăm nghìn đồng."
    assert [rows[14][6], rows[15][0], rows[15][3], rows[15][6], rows[16][6]] == [
        "Yến Sơn, ngày 20 tháng 9 năm 2023",
        "NGƯỜI LẬP BIỂU",
        "KẾ TOÁN",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
    ]
    assert rows[21][:7] == ["Nguyễn Thị Lập", None, None, "Trần Văn Toán", None, None, "Lê Văn Chủ"]
    # Account, reference and BIN are text cells: no digit is ever lost or reformatted.
    for cell in ("B10", "C10", "E10"):
        assert ws[cell].data_type == "s" and ws[cell].number_format == "@"
    assert ws["G10"].data_type == "n" and ws["G10"].number_format == "#,##0"


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
    rows = _rows(load_workbook(tmp_path / "thay-doi-15307-2023-09.xlsx")["Thay đổi"])
    assert rows[0][0] == "THAY ĐỔI SO VỚI KỲ CHI TRẢ THÁNG 08/2023"
    assert rows[1] == ["STT", "Thay đổi", "Họ và tên", "Số CCCD", "Chương trình", "Trước",
                       "Nay", "Ghi chú"]  # fmt: skip
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
