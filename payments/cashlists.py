"""The post office's lists (cash at the paying point, and at home) and the changes sheets.

The post office pays in cash: its lists name the beneficiary, the receiver
(and how a representative is related), the months and the amount, with a
"Ký nhận" cell per row for the receiver's signature — and never an account
number. A payment a recovery took whole (settled) is on no list; a list with
deductions shows the amount owed, the deduction and the amount paid
(:func:`payments.bankexport.with_deductions`). Its changes sheet is the
cycle's changes restricted to people it pays now or paid last month, without
accounts (a move to an account reads "Qua tài khoản", no number).

The bank workbook's changes sheet is the full one (:func:`changes_sheet`),
accounts included: it goes to the offices that see accounts.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet, Sum

from beneficiaries.labels import KIND_WORDS
from beneficiaries.models import village_name_in
from documents.official import official_document
from documents.xlsx import Column, Sheet
from payments.bankexport import (
    CHUNK,
    MonthLabels,
    deduction_cells,
    deduction_totals,
    has_deductions,
    with_deductions,
)
from payments.changes import cycle_changes, previous_cycle
from payments.models import Payment, PaymentCycle

CASH_METHODS = (Payment.Method.CASH, Payment.Method.HOME)

CASH_COLUMNS = (
    Column("STT", "int", 6),
    Column("Họ và tên đối tượng", "text", 24),
    Column("Số CCCD", "id", 14),
    Column("Thôn", "text", 14),
    Column("Người nhận", "text", 22),
    Column("Quan hệ với đối tượng", "text", 18),
    Column("Các tháng", "text", 16),
    Column("Số tiền (đồng)", "money", 13),
    Column("Ký nhận", "text", 16),
)
SIGNING_ROW_PT = 36.0  # a "Ký nhận" cell a receiver can sign in (about 13 mm)
CASH_AMOUNT_COLUMN = 7
TITLES = {
    Payment.Method.CASH: "DANH SÁCH CHI TRẢ TRỢ CẤP HẰNG THÁNG BẰNG TIỀN MẶT TẠI ĐIỂM CHI TRẢ",
    Payment.Method.HOME: "DANH SÁCH CHI TRẢ TRỢ CẤP HẰNG THÁNG BẰNG TIỀN MẶT TẠI NHÀ",
}
SHEET_NAMES = {Payment.Method.CASH: "Tiền mặt tại điểm", Payment.Method.HOME: "Chi trả tại nhà"}

CHANGE_COLUMNS = (
    Column("STT", "int", 6),
    Column("Thay đổi", "text", 20),
    Column("Họ và tên", "text", 24),
    Column("Số CCCD", "id", 14),
    Column("Chương trình", "text", 14),
    # "Qua tài khoản 3504205092511 — Hoàng Thị Ngọc Vân" wraps inside its cell.
    Column("Trước", "text", 30),
    Column("Nay", "text", 30),
    Column("Ghi chú", "text", 30),
)
POST_OFFICE_CHANGE_COLUMNS = (
    Column("STT", "int", 6),
    Column("Thay đổi", "text", 20),
    Column("Họ và tên", "text", 24),
    Column("Số CCCD", "id", 14),
    Column("Chương trình", "text", 14),
    Column("Ghi chú", "text", 40),
)


@dataclass
class ListFigures:
    rows: int = 0
    total: int = 0


def relationship_text(relationship: str | None, kind: str | None) -> str:
    """``Con gái (ủy quyền)``; empty when the beneficiary receives in person."""
    if not kind:
        return ""
    word = KIND_WORDS.get(kind, "")
    return f"{relationship} ({word})" if relationship else word


def listed_payments(cycle: PaymentCycle) -> QuerySet[Payment]:
    """The payments the post office's lists hold: one rule for the lists and their figures."""
    return Payment.objects.to_send().filter(cycle=cycle, method__in=CASH_METHODS)


def cash_list_figures(cycle: PaymentCycle) -> dict[str, ListFigures]:
    """{method: rows and total} of the cash and home lists, as they are written (one query)."""
    grouped = (
        listed_payments(cycle).values("method").annotate(n=Count("pk"), total=Sum("amount"))
    ).order_by()
    return {r["method"]: ListFigures(r["n"], int(r["total"] or 0)) for r in grouped}


def cash_rows(
    cycle: PaymentCycle,
    method: str,
    labels: MonthLabels,
    figures: ListFigures,
    *,
    progress: Callable[[int], None] | None = None,
    deductions: bool = False,
) -> Iterator[list[Any]]:
    """One list's rows, by village then name (the order the post office walks);
    ``deductions``: with the deduction's three cells for the amount."""
    values = (
        Payment.objects.to_send()
        .filter(cycle=cycle, method=method)
        .annotate(
            village_then=village_name_in(
                cycle.commune, cycle.period, "beneficiary__person__village"
            )
        )
        .order_by("village_then", "beneficiary__person__sort_name", "pk")
        .values_list(
            "pk",
            "beneficiary__person__full_name",
            "beneficiary__person__personal_id",
            "village_then",
            "receiver_name",
            "representative__relationship",
            "representative__kind",
            "amount",
            "deducted",
        )
        .iterator(chunk_size=CHUNK)
    )
    for number, row in enumerate(values, start=1):
        pk, name, personal_id, village, receiver, relationship, kind, amount, deducted = row
        figures.rows = number
        figures.total += amount
        if progress is not None and number % CHUNK == 0:
            progress(CHUNK)
        yield [
            number,
            name,
            personal_id,
            village,
            receiver,
            relationship_text(relationship, kind),
            labels[pk],
            *(deduction_cells(amount, deducted) if deductions else [amount]),
            None,
        ]


def cash_sheet(
    cycle: PaymentCycle,
    method: str,
    labels: MonthLabels,
    figures: ListFigures,
    *,
    dated: datetime.date,
    progress: Callable[[int], None] | None = None,
) -> Sheet:
    deductions = has_deductions(Payment.objects.to_send().filter(cycle=cycle, method=method))
    return Sheet(
        name=SHEET_NAMES[method],
        columns=(with_deductions(CASH_COLUMNS, CASH_AMOUNT_COLUMN) if deductions else CASH_COLUMNS),
        rows=cash_rows(cycle, method, labels, figures, progress=progress, deductions=deductions),
        document=official_document(
            cycle.commune,
            title=TITLES[method],
            summary_lines=[f"Tháng {cycle.period:%m} năm {cycle.period:%Y}"],
            dated=dated,
            total_columns=(
                deduction_totals(CASH_AMOUNT_COLUMN) if deductions else (CASH_AMOUNT_COLUMN,)
            ),
        ),
        row_height=SIGNING_ROW_PT,
    )


def compared_line(cycle: PaymentCycle) -> str:
    """Which cycle a changes sheet compares with (none before: it says so)."""
    before = previous_cycle(cycle)
    if before is None:
        return "Chưa có kỳ chi trả trước để so sánh."
    return f"So với kỳ chi trả tháng {before.period:%m/%Y}"


def changes_document(cycle: PaymentCycle, dated: datetime.date, *, signed: bool):
    """The heading of a changes sheet: its own document when ``signed`` (the changes
    workbook), else a sheet of a workbook whose first sheet is signed."""
    compared = compared_line(cycle)
    return official_document(
        cycle.commune,
        title="DANH SÁCH THAY ĐỔI ĐỐI TƯỢNG, MỨC HƯỞNG VÀ HÌNH THỨC NHẬN TRỢ CẤP",
        summary_lines=[f"Tháng {cycle.period:%m} năm {cycle.period:%Y}", compared],
        dated=dated,
        signed=signed,
    )


def changes_sheet(
    cycle: PaymentCycle,
    counted: dict | None = None,
    *,
    dated: datetime.date,
    signed: bool = False,
) -> Sheet:
    """Every change since the previous cycle, accounts included (the bank workbook's).

    ``counted["changes"]`` receives the number of changes once the sheet is written.
    """
    counted = counted if counted is not None else {}

    def rows() -> Iterator[list[Any]]:
        count = 0
        for count, change in enumerate(cycle_changes(cycle), start=1):  # noqa: B007
            counted["changes"] = count
            yield [
                count,
                change.label,
                change.full_name,
                change.personal_id,
                change.programme,
                change.before,
                change.after,
                change.note,
            ]
        if count == 0 and previous_cycle(cycle) is not None:
            yield [None, "Không có thay đổi"]

    return Sheet(
        name="Thay đổi",
        columns=CHANGE_COLUMNS,
        rows=rows(),
        document=changes_document(cycle, dated, signed=signed),
    )


def post_office_changes_sheet(cycle: PaymentCycle, *, dated: datetime.date) -> Sheet:
    """The changes that concern the post office, without any account number.

    A person it pays now (new, amount changed, now in cash) or paid last
    month (stopped, moved to an account). Before/after texts that could hold
    an account are replaced by the method's name.
    """
    now = dict(
        Payment.objects.filter(cycle=cycle, method__in=CASH_METHODS).values_list(
            "beneficiary_id", "method"
        )
    )
    before = previous_cycle(cycle)
    earlier = (
        set(
            Payment.objects.filter(cycle=before, method__in=CASH_METHODS).values_list(
                "beneficiary_id", flat=True
            )
        )
        if before is not None
        else set()
    )
    words = dict(Payment.Method.choices)

    def note(change) -> str:
        if change.kind == "new":
            return f"{change.after}, {words[now[change.beneficiary_id]].lower()}"
        if change.kind == "stopped":
            return change.note
        if change.kind == "amount":
            moved = f"{change.before} → {change.after}"
            return f"{moved} ({change.note})" if change.note else moved
        method = now.get(change.beneficiary_id, Payment.Method.ACCOUNT)
        return f"Nay: {str(words[method]).lower()}"

    def rows() -> Iterator[list[Any]]:
        count = 0
        for change in cycle_changes(cycle):
            ours = change.beneficiary_id in now or (
                change.beneficiary_id in earlier and change.kind in ("stopped", "method")
            )
            if not ours or change.kind == "account":
                continue
            count += 1
            yield [
                count,
                change.label,
                change.full_name,
                change.personal_id,
                change.programme,
                note(change),
            ]
        if count == 0 and before is not None:
            yield [None, "Không có thay đổi"]

    return Sheet(
        name="Thay đổi",
        columns=POST_OFFICE_CHANGE_COLUMNS,
        rows=rows(),
        document=changes_document(cycle, dated, signed=False),
    )
