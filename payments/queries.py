"""What the cycle pages read: totals, reconciliation and the payments list.

Each figure is one grouped query over the cycle's payments, so a page costs
the same for 50 people as for 50,000.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from core.rules.names import fold_name
from payments.models import Payment, PaymentCycle, PaymentMonth


@dataclass
class Line:
    label: str
    key: str = ""
    count: int = 0
    amount: int = 0


@dataclass
class Breakdown:
    lines: list[Line] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(line.count for line in self.lines)

    @property
    def amount(self) -> int:
        return sum(line.amount for line in self.lines)


@dataclass
class CycleTotals:
    by_programme: Breakdown
    by_method: Breakdown
    by_status: Breakdown
    # Whether the cycle's payments add up to its stored figures (checked over the
    # whole cycle, even when the breakdowns show only some programmes).
    balanced: bool
    # The breakdowns hold only some programmes' payments (a user limited to them).
    partial: bool = False
    # The payments a deduction for a recovery took from, and how much it took.
    deducted: Line = field(default_factory=lambda: Line("", "deducted"))

    @property
    def count(self) -> int:
        return self.by_programme.count

    @property
    def amount(self) -> int:
        """What is sent: the months' total less the deductions."""
        return self.by_programme.amount

    @property
    def settled(self) -> int:
        """Payments a deduction took whole: they send nothing and are on no file."""
        return sum(
            line.count for line in self.by_status.lines if line.key == Payment.Status.SETTLED
        )

    @property
    def sending(self) -> int:
        """Payments that send money: the files' rows."""
        return self.count - self.settled

    @property
    def owed(self) -> int:
        """The months' total: what is sent plus what the deductions took."""
        return self.amount + self.deducted.amount


def with_shown_figures(
    cycles: QuerySet[PaymentCycle], programme_ids: list[int] | None
) -> QuerySet[PaymentCycle]:
    """Cycles with ``shown_count`` and ``shown_amount``: their stored figures, or
    for a user limited to some programmes those programmes' payments only."""
    if programme_ids is None:
        return cycles.annotate(shown_count=F("payment_count"), shown_amount=F("total_amount"))
    mine = Q(payments__beneficiary__programme_id__in=programme_ids)
    return cycles.annotate(
        shown_count=Count("payments", filter=mine),
        shown_amount=Coalesce(Sum("payments__amount", filter=mine), 0),
    )


def cycle_totals(cycle: PaymentCycle, programme_ids: list[int] | None = None) -> CycleTotals:
    """The cycle's payments by programme, method and status, in one grouped query;
    with ``programme_ids``, the breakdowns count only those programmes' payments."""
    rows = list(
        Payment.objects.filter(cycle=cycle)
        .values(
            "beneficiary__programme_id",
            "beneficiary__programme__order",
            "beneficiary__programme__code",
            "beneficiary__programme__short_name",
            "method",
            "status",
        )
        .annotate(
            n=Count("pk"),
            amount=Sum("amount"),
            taken=Sum("deducted"),
            taken_n=Count("pk", filter=Q(deducted__gt=0)),
        )
        .order_by()
    )
    whole = (
        sum(r["n"] for r in rows),
        sum(r["amount"] for r in rows),
        sum(r["taken"] for r in rows),
    )
    shown = [
        r for r in rows if programme_ids is None or r["beneficiary__programme_id"] in programme_ids
    ]
    programmes: dict[str, Line] = {}
    methods = {value: Line(str(label), value) for value, label in Payment.Method.choices}
    statuses = {value: Line(str(label), value) for value, label in Payment.Status.choices}
    deducted = Line(_("Khấu trừ thu hồi"), "deducted")
    for row in sorted(
        shown,
        key=lambda r: (r["beneficiary__programme__order"], r["beneficiary__programme__code"]),
    ):
        code = row["beneficiary__programme__code"]
        line = programmes.setdefault(code, Line(row["beneficiary__programme__short_name"], code))
        for target in (line, methods[row["method"]], statuses[row["status"]]):
            target.count += row["n"]
            target.amount += row["amount"]
        deducted.count += row["taken_n"]
        deducted.amount += int(row["taken"])
    by_programme = Breakdown(list(programmes.values()))
    by_method = Breakdown(list(methods.values()))
    by_status = Breakdown(list(statuses.values()))
    balanced = whole == (cycle.payment_count, cycle.total_amount, cycle.deducted_amount) and all(
        (b.count, b.amount) == (by_programme.count, by_programme.amount)
        for b in (by_method, by_status)
    )
    return CycleTotals(
        by_programme,
        by_method,
        by_status,
        balanced,
        partial=len(shown) != len(rows),
        deducted=deducted,
    )


def payment_rows(
    cycle: PaymentCycle,
    *,
    q: str = "",
    method: str = "",
    status: str = "",
    programme=None,
    programme_ids: list[int] | None = None,
) -> QuerySet[Payment]:
    """The cycle's payments filtered as the page asks (``programme_ids``: only
    those programmes', for a user limited to them)."""
    rows = Payment.objects.filter(cycle=cycle).select_related(
        "beneficiary__person", "beneficiary__programme", "bank"
    )
    if method:
        rows = rows.filter(method=method)
    if status:
        rows = rows.filter(status=status)
    if programme is not None:
        rows = rows.filter(beneficiary__programme=programme)
    if programme_ids is not None:
        rows = rows.filter(beneficiary__programme_id__in=programme_ids)
    term = q.strip()
    if term:
        compact = term.replace(" ", "")
        if compact.isdigit():
            rows = rows.filter(beneficiary__person__personal_id__startswith=compact)
        else:
            rows = rows.filter(beneficiary__person__name_folded__contains=fold_name(term))
    return rows.order_by("beneficiary__person__sort_name", "pk")


@dataclass(frozen=True)
class Covered:
    first: datetime.date
    last: datetime.date
    months: int
    top_up: bool
    arrears: bool  # months before the cycle's own

    def __str__(self) -> str:
        text = f"{self.first:%m/%Y}"
        if self.last != self.first:
            text += f"–{self.last:%m/%Y}"
        return text


def months_covered(cycle: PaymentCycle, payment_ids: list[int]) -> dict[int, Covered]:
    """For each payment of a page: the months it pays (one query)."""
    rows = (
        PaymentMonth.objects.filter(payment_id__in=payment_ids)
        .values("payment_id")
        .annotate(
            first=Min("month"),
            last=Max("month"),
            months=Count("month", distinct=True),
            top_ups=Count("pk", filter=Q(kind=PaymentMonth.Kind.TOP_UP)),
        )
        .order_by()
    )
    return {
        row["payment_id"]: Covered(
            first=row["first"],
            last=row["last"],
            months=row["months"],
            top_up=row["top_ups"] > 0,
            arrears=row["first"] < cycle.period,
        )
        for row in rows
    }
