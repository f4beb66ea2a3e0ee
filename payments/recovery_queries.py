"""What the pages read of recoveries (thu hồi): a commune's list, a person's, the
dashboard's figures, one recovery's deductions. Read-only; the rules are in
:mod:`payments.services.recoveries` (``with_remaining`` gives each row what it
has deducted, settled and left).

A page's rows are one query whatever their number: the months' span and count
come as subqueries, the people and villages as joins; its totals one more.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from payments.models import Payment, Recovery, RecoveryDeduction, RecoveryMonth
from payments.services.recoveries import COUNTED, state_label, with_remaining

# A deduction from a payment that did not go out: the amount went back to the recovery.
GIVEN_BACK = (Payment.Status.FAILED, Payment.Status.RETURNED)


def _month_bound(order: str) -> Subquery:
    return Subquery(
        RecoveryMonth.objects.filter(recovery=OuterRef("pk")).order_by(order).values("month")[:1]
    )


def _month_count() -> Subquery:
    return Subquery(
        RecoveryMonth.objects.filter(recovery=OuterRef("pk"))
        .values("recovery")
        .annotate(n=Count("pk"))
        .values("n")
    )


def shown(recoveries: QuerySet[Recovery]) -> QuerySet[Recovery]:
    """``recoveries`` annotated for a page: deducted, settled, left, the months' span
    (``first_month``, ``last_month``) and their number."""
    return with_remaining(recoveries).annotate(
        first_month=_month_bound("month"),
        last_month=_month_bound("-month"),
        month_count=Coalesce(_month_count(), Value(0)),
    )


def open_first(recoveries: QuerySet[Recovery]) -> QuerySet[Recovery]:
    """Still to recover first, then the rest; oldest first in each."""
    return recoveries.annotate(
        closed=Case(When(left__gt=0, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("closed", "created_at", "pk")


def listed(recoveries: QuerySet[Recovery]) -> QuerySet[Recovery]:
    """``recoveries`` (already scoped: ``payments.access.recoveries_for``) with what
    :func:`shown` adds, the person, village and programme, open ones first."""
    return open_first(
        shown(recoveries).select_related("beneficiary__person__village", "beneficiary__programme")
    )


def still_open(recoveries: QuerySet[Recovery]) -> QuerySet[Recovery]:
    """Of annotated ``recoveries``, those with something left to take back."""
    return recoveries.filter(left__gt=0)


@dataclass(frozen=True)
class Totals:
    count: int
    amount: int
    deducted: int
    settled: int
    left: int


def totals(recoveries: QuerySet[Recovery]) -> Totals:
    """The sums of annotated ``recoveries`` (one query)."""
    sums = recoveries.order_by().aggregate(
        n=Count("pk"),
        amount_sum=Sum("amount"),
        deducted_sum=Sum("deducted"),
        settled_sum=Sum("settled"),
        left_sum=Sum("left"),
    )
    return Totals(
        count=sums["n"] or 0,
        amount=int(sums["amount_sum"] or 0),
        deducted=int(sums["deducted_sum"] or 0),
        settled=int(sums["settled_sum"] or 0),
        left=int(sums["left_sum"] or 0),
    )


@dataclass(frozen=True)
class OpenSummary:
    """The dashboard's line: how many are still to recover, how much, since when."""

    count: int
    left: int
    oldest_days: int | None


def open_summary(recoveries: QuerySet[Recovery], today: datetime.date) -> OpenSummary:
    """Of ``recoveries`` (already scoped), the open ones: count, amount left and the
    oldest's age, in one query."""
    sums = (
        still_open(with_remaining(recoveries))
        .order_by()
        .aggregate(n=Count("pk"), left_sum=Sum("left"), since=Min("created_at"))
    )
    oldest = sums["since"]
    return OpenSummary(
        count=sums["n"] or 0,
        left=int(sums["left_sum"] or 0),
        oldest_days=age_in_days(oldest, today) if oldest is not None else None,
    )


def age_in_days(moment: datetime.datetime, today: datetime.date) -> int:
    """Whole days from the local day of ``moment`` to ``today``."""
    return (today - timezone.localdate(moment)).days


def label(recovery: Recovery) -> str:
    """The state of an annotated recovery, as a person reads it."""
    return state_label(recovery.amount, recovery.deducted, recovery.settled, recovery.left)


def months_text(first: datetime.date | None, last: datetime.date | None) -> str:
    """``08/2026–09/2026``, ``08/2026`` for one month, ``—`` for none."""
    if first is None:
        return "—"
    if isinstance(first, str):  # SQLite hands a subquery's date back as text
        first = datetime.date.fromisoformat(first)
    if isinstance(last, str):
        last = datetime.date.fromisoformat(last)
    if last is None or last == first:
        return f"{first:%m/%Y}"
    return f"{first:%m/%Y}–{last:%m/%Y}"


def decorate(recoveries, today: datetime.date) -> list[Recovery]:
    """Each annotated recovery with ``state``, ``months`` and ``age_days`` for a template."""
    rows = list(recoveries)
    for recovery in rows:
        recovery.state = label(recovery)
        recovery.months_label = months_text(recovery.first_month, recovery.last_month)
        recovery.age_days = age_in_days(recovery.created_at, today)
        recovery.is_open = recovery.left > 0
    return rows


def deductions(recovery: Recovery) -> list[RecoveryDeduction]:
    """A recovery's deductions, newest cycle first, each marked whether it counts (its
    payment went out or is on its way) or was given back (the payment failed or was
    not collected)."""
    rows = list(
        recovery.deductions.select_related("payment__cycle").order_by(
            "-payment__cycle__period", "-pk"
        )
    )
    for row in rows:
        row.counts = row.payment.status in COUNTED
        row.given_back = row.payment.status in GIVEN_BACK
    return rows
