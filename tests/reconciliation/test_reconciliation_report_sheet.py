"""The monthly report carries the month's reconciliation as its sheet "Đối soát"."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest

from payments.reconciliation import reconcile
from payments.reconciliationfile import reconciliation_rows
from reports.monthly import write_monthly_report
from tests.reconciliation.conftest import OCT, SEP

pytestmark = pytest.mark.django_db
DATED = datetime.date(2023, 9, 25)


def _report(commune, period):
    buffer = io.BytesIO()
    write_monthly_report(buffer, commune=commune, period=period, dated=DATED)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


def _table(sheet) -> list[tuple]:
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "STT")
    return [row[:7] for row in rows[header + 1 :] if isinstance(row[0], int)]


def test_the_report_sheet_holds_the_cycles_reconciliation(reconciling):
    workbook = _report(reconciling.cycle.commune, SEP)
    names = workbook.sheetnames
    assert names.index("Đối soát") == names.index("Thu hồi") + 1 == names.index("Khiếu nại") + 2
    assert names[:6] == ["Tổng hợp", "Tỷ lệ KDTM", "Chưa KDTM", "Xác thực", "Thay đổi", "Khiếu nại"]
    sheet = workbook["Đối soát"]
    texts = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "PHỤ LỤC 7\nĐỐI SOÁT KỲ CHI TRẢ THÁNG 09/2023" in texts
    assert "Tất cả 20 phép đối chiếu đều khớp." in texts
    expected = [tuple(row) for row in reconciliation_rows(reconcile(reconciling.cycle))]
    assert _table(sheet) == expected
    assert ("Cả kỳ chi trả", "Tiền gửi chi trả", 5, 6_605_000) in [r[1:5] for r in expected]
    # An annex: signed once, on the report's first sheet.
    assert "NGƯỜI LẬP BIỂU" not in texts


def test_a_month_without_a_cycle_says_there_is_nothing_to_reconcile(reconciling):
    sheet = _report(reconciling.cycle.commune, OCT)["Đối soát"]
    texts = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "Chưa có kỳ chi trả tháng 10/2023: chưa có số liệu để đối soát." in texts
    assert _table(sheet) == []
