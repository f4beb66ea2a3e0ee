"""A cycle that deducts recoveries: the files send what is paid, never a settled payment.

September (``deducting``): An (Agribank) sends 1.055.000 after 500.000
deducted, Em (Agribank) is settled (100.000 deducted), Giang (cash) sends
400.000 after 200.000, Hoa (cash) is settled (100.000); Bình (Vietcombank),
Cúc (cash, with August's arrears) and Dũng (at home) are not touched.
"""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook

from payments.bankexport import DEDUCTED_HEADER, OWED_HEADER, SENT_HEADER
from payments.cyclefiles import cycle_figures, export_cycle_files
from payments.models import Payment, RecoveryDeduction
from tests import workbooks as xl
from tests.payfiles.conftest import TODAY

pytestmark = pytest.mark.django_db

SENT = 1_055_000 + 1_500_000 + 2_000_000 + 750_000 + 400_000


def _statuses(deducting) -> dict[str, tuple[str, int, int]]:
    return {
        key: (p.status, p.amount, p.deducted)
        for key, p in ((k, deducting.payment(k)) for k in deducting.people)
    }


def test_the_build_deducts_and_settles_as_the_fixture_says(deducting):
    assert _statuses(deducting) == {
        "an": ("pending", 1_055_000, 500_000),
        "binh": ("pending", 1_500_000, 0),
        "cuc": ("pending", 2_000_000, 0),
        "dung": ("pending", 750_000, 0),
        "em": ("settled", 0, 100_000),
        "giang": ("pending", 400_000, 200_000),
        "hoa": ("settled", 0, 100_000),
    }
    cycle = deducting.cycle
    assert (cycle.payment_count, cycle.total_amount, cycle.deducted_amount) == (
        7,
        SENT,
        900_000,
    )
    assert RecoveryDeduction.objects.filter(payment__cycle=cycle).count() == 4


def test_settled_payments_are_not_payments_to_send(deducting):
    sending = Payment.objects.to_send().filter(cycle=deducting.cycle)
    assert sorted(sending.values_list("beneficiary__person__full_name", flat=True)) == [
        "Lê Thị Bình",
        "Nguyễn Văn An",
        "Phạm Văn Dũng",
        "Trần Thị Cúc",
        "Đỗ Thị Giang",
    ]
    # The files' rows: every payment but the settled ones; their sum is the cycle's total.
    assert cycle_figures(deducting.cycle) == {
        "account": (2, 1_055_000 + 1_500_000),
        "cash": (2, 2_400_000),
        "home": (1, 750_000),
    }


def test_the_bank_files_leave_the_settled_transfer_out_and_reconcile(deducting, tmp_path):
    lines, bank, cash = export_cycle_files(deducting.cycle, tmp_path, dated=TODAY)
    assert bank.total + cash.total == deducting.cycle.total_amount == SENT
    assert bank.rows + cash.rows == 5  # 7 payments, 2 settled
    an, em = deducting.payment("an"), deducting.payment("em")
    ws = load_workbook(tmp_path / "ck-970405-agribank-15307-2023-09.xlsx")["Agribank"]
    header = xl.header(ws)
    assert header[6:9] == [OWED_HEADER, DEDUCTED_HEADER, SENT_HEADER]
    rows = xl.table(ws)
    assert len(rows) == 1  # Em, settled, sends nothing
    assert rows[0][1] == f"ASXH{an.pk:08d}"
    assert rows[0][6:9] == [1_555_000, 500_000, 1_055_000]
    totals = [c.value for c in ws[xl.totals_row(ws)]]
    assert totals[0] == "Tổng cộng" and totals[6:9] == [1_555_000, 500_000, 1_055_000]
    assert xl.has(ws, "Bằng chữ: Một triệu không trăm năm mươi lăm nghìn đồng.")
    assert not xl.has(ws, f"ASXH{em.pk:08d}")
    # The CSV the bank loads keeps its layout: the amount sent alone.
    with (tmp_path / "ck-970405-agribank-15307-2023-09.csv").open(encoding="utf-8-sig") as f:
        table = list(csv.reader(f))
    assert table[0][6] == "Số tiền (đồng)" and len(table[0]) == 10
    assert [row[6] for row in table[1:]] == ["1055000", "1055000"]
    assert table[-1][:2] == ["Tổng cộng", "1 khoản"]
    # A bank without deductions keeps the plain layout.
    vcb = load_workbook(tmp_path / "ck-970436-vietcombank-15307-2023-09.xlsx").active
    assert xl.header(vcb)[6] == "Số tiền (đồng)" and DEDUCTED_HEADER not in xl.header(vcb)


def test_the_cash_list_shows_the_deduction_and_leaves_the_settled_out(deducting, tmp_path):
    export_cycle_files(deducting.cycle, tmp_path, dated=TODAY)
    workbook = load_workbook(tmp_path / "chi-tra-buu-dien-15307-2023-09.xlsx")
    ws = workbook["Tiền mặt tại điểm"]
    header = xl.header(ws)
    assert header[7:11] == [OWED_HEADER, DEDUCTED_HEADER, SENT_HEADER, "Ký nhận"]
    rows = xl.table(ws)
    assert [(r[1], *r[7:10]) for r in rows] == [
        ("Đỗ Thị Giang", 600_000, 200_000, 400_000),  # Thôn Yến Cư
        ("Trần Thị Cúc", 2_000_000, None, 2_000_000),  # Thôn Yến Trung
    ]
    totals = [c.value for c in ws[xl.totals_row(ws)]]
    assert totals[7:10] == [2_600_000, 200_000, 2_400_000]
    assert not xl.has(ws, "Bùi Thị Hoa")  # settled: nothing to hand over
    # The home list has no deduction: its plain layout.
    home = workbook["Chi trả tại nhà"]
    assert xl.header(home)[7] == "Số tiền (đồng)"
    assert [r[7] for r in xl.table(home)] == [750_000]


def test_the_changes_name_the_deduction_and_the_settled_payment(deducting):
    from payments.changes import cycle_changes

    notes = {
        c.full_name: (c.before, c.after, c.note)
        for c in cycle_changes(deducting.cycle)
        if c.kind == "amount"
    }
    assert notes["Bùi Thị Hoa"] == (
        "400.000 đ",
        "0 đ",
        "Cấn trừ thu hồi hết 100.000 đ: không chi trả tháng này",
    )
    assert notes["Nguyễn Văn An"][2] == "Khấu trừ thu hồi 500.000 đ"
