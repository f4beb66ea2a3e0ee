"""The monthly report of a month whose cycle deducts recoveries: the summary's months'
total, deductions and amount sent, and annex 6 *Thu hồi* (the ``deducting`` commune)."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest

from payments.bankexport import DEDUCTED_HEADER, OWED_HEADER, SENT_HEADER
from payments.models import Recovery
from payments.services.recoveries import record_decision, record_settlement
from reports.monthly import write_monthly_report
from tests import workbooks as xl
from tests.conftest import local_moment
from tests.payfiles.conftest import SEP, TODAY, deducting, signed  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

OCT = datetime.date(2023, 10, 1)
AMOUNT_CAUSE = "Mức hưởng giảm cho các tháng đã chi trả"


def _build(commune, period=SEP):
    out = io.BytesIO()
    figures = write_monthly_report(out, commune=commune, period=period, dated=TODAY)
    out.seek(0)
    return figures, openpyxl.load_workbook(out)


def _recovery(deducting, key) -> Recovery:  # noqa: F811 (the fixture's name)
    return Recovery.objects.get(beneficiary=deducting.people[key])


def _summary_lines(ws) -> list[str]:
    title = xl.find(ws, xl.starting("PHỤ LỤC 6"))
    header = xl.header_row(ws)
    return [ws[f"A{row}"].value for row in range(title.row + 1, header) if ws[f"A{row}"].value]


def test_the_summary_shows_the_months_total_the_deductions_and_what_is_sent(
    deducting,  # noqa: F811
    signed,  # noqa: F811
):
    figures, wb = _build(signed)
    assert (figures.rows, figures.total, figures.deducted) == (7, 5_705_000, 900_000)
    ws = wb["Tổng hợp"]
    assert xl.header(ws) == [
        "STT",
        "Chương trình",
        "Hình thức nhận",
        "Số người",
        OWED_HEADER,
        DEDUCTED_HEADER,
        SENT_HEADER,
    ]
    assert [row[2:] for row in xl.table(ws)] == [
        ["Qua tài khoản", 3, 3_155_000, 600_000, 2_555_000],
        ["Tiền mặt tại điểm chi trả (bưu điện)", 3, 2_700_000, 300_000, 2_400_000],
        ["Tiền mặt tại nhà", 1, 750_000, None, 750_000],
    ]
    totals = [c.value for c in ws[xl.totals_row(ws)]]
    assert totals[3:7] == [7, 6_605_000, 900_000, 5_705_000]
    assert xl.has(ws, "Bằng chữ: Năm triệu bảy trăm lẻ năm nghìn đồng.")
    assert xl.has(
        ws,
        "Tổng các tháng được hưởng 6.605.000 đ = số tiền chi trả 5.705.000 đ"
        " + khấu trừ thu hồi 900.000 đ (4 khoản)",
    )


def test_the_recoveries_annex_lists_each_recovery_with_its_figures(
    deducting,  # noqa: F811
    signed,  # noqa: F811
    officer,
):
    record_decision(
        _recovery(deducting, "em"), number="12/QĐ-UBND", day=datetime.date(2023, 9, 10),
        actor=officer,
    )  # fmt: skip
    # Hoa repays what the deduction left: taken back in full this month, still listed.
    record_settlement(
        _recovery(deducting, "hoa"), kind="repaid", amount=200_000,
        on=datetime.date(2023, 9, 15), document="BL 0001", actor=officer,
    )  # fmt: skip
    _figures, wb = _build(signed)
    ws = wb["Thu hồi"]
    assert _summary_lines(ws)[-1] == "4 khoản, phải thu hồi 1.400.000 đ, còn phải thu hồi 300.000 đ"
    people = {k: deducting.people[k].person for k in ("an", "em", "giang", "hoa")}
    # Detected on 03/09/2023, reported on 20/09/2023: 17 days.
    assert xl.table(ws) == [
        [1, "Nguyễn Văn An", people["an"].personal_id, "Thôn Yến Cư", AMOUNT_CAUSE,
         "08/2023", 500_000, 500_000, 0, 0, "Chưa có quyết định", 17],
        [2, "Vũ Văn Em", people["em"].personal_id, "Thôn Yến Cư", AMOUNT_CAUSE,
         "08/2023", 400_000, 100_000, 0, 300_000, "12/QĐ-UBND ngày 10/09/2023", 17],
        [3, "Đỗ Thị Giang", people["giang"].personal_id, "Thôn Yến Cư", AMOUNT_CAUSE,
         "08/2023", 200_000, 200_000, 0, 0, "Chưa có quyết định", 17],
        [4, "Bùi Thị Hoa", people["hoa"].personal_id, "Thôn Yến Trung", AMOUNT_CAUSE,
         "08/2023", 300_000, 100_000, 200_000, 0, "Chưa có quyết định", 17],
    ]  # fmt: skip
    totals = [c.value for c in ws[xl.totals_row(ws)]]
    assert totals[0] == "Tổng cộng"
    assert totals[6:10] == [1_400_000, 900_000, 200_000, 300_000]
    assert xl.has(ws, "Bằng chữ: Ba trăm nghìn đồng.")


def test_a_later_month_lists_only_what_is_still_to_recover(
    deducting,  # noqa: F811
    signed,  # noqa: F811
    officer,
):
    record_settlement(
        _recovery(deducting, "hoa"), kind="waived", amount=200_000,
        on=datetime.date(2023, 9, 15), document="QĐ 15/QĐ-UBND", actor=officer,
    )  # fmt: skip
    _figures, wb = _build(signed, OCT)
    ws = wb["Thu hồi"]
    # An and Giang were taken back in September, Hoa waived in September: only Em is left.
    assert [(row[1], row[6:10]) for row in xl.table(ws)] == [
        ("Vũ Văn Em", [400_000, 100_000, 0, 300_000])
    ]


def test_recoveries_detected_after_the_month_but_deducted_by_its_cycle_are_listed(
    deducting,  # noqa: F811
    signed,  # noqa: F811
):
    # As when a month's cycle is built late: its deductions are the month's all the same.
    later = local_moment(datetime.date(2023, 11, 2))
    Recovery.objects.update(created_at=later)
    _figures, wb = _build(signed)
    assert [(row[1], row[9], row[11]) for row in xl.table(wb["Thu hồi"])] == [
        ("Nguyễn Văn An", 0, 0),
        ("Vũ Văn Em", 300_000, 0),
        ("Đỗ Thị Giang", 0, 0),
        ("Bùi Thị Hoa", 200_000, 0),
    ]
    # October has no cycle: only what was detected before its end, none of them.
    _figures, wb = _build(signed, OCT)
    assert xl.table(wb["Thu hồi"]) == []


def test_a_month_before_the_recoveries_were_detected_has_none(
    deducting,  # noqa: F811
    signed,  # noqa: F811
):
    _figures, wb = _build(signed, datetime.date(2023, 8, 1))
    ws = wb["Thu hồi"]
    assert _summary_lines(ws)[-1] == "Không có khoản thu hồi."
    assert xl.table(ws) == []
