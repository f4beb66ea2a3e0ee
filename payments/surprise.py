"""A warning before a surprising cycle: why this month costs far more than the last.

A cycle whose total is far above the commune's last **paid** cycle (paid or
closed, an earlier month) — more than :data:`SURPRISE_RATIO` times it — or,
when the commune has no paid cycle yet, one that pays some enrolment arrears
of more than :data:`SURPRISE_ARREARS_MONTHS` months, is explained on the cycle
page before anyone approves it: who is paid arrears (months before the
cycle's month), how many months in all and how much; who is re-rated (top-up
lines) and how much; who is new against the paid cycle compared with.

The two thresholds are here and only here (``docs/payment-cycles.md`` names
them). A user limited to some programmes
(``beneficiaries.access.programme_ids_for``) gets the same rule over their
programmes' payments.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Count, Max, Q, Sum

from payments.changes import previous_cycles
from payments.models import Payment, PaymentCycle, PaymentMonth

# A cycle above 1.5 times the last paid cycle's total is explained.
SURPRISE_RATIO = Fraction(3, 2)
# Without a paid cycle to compare with: arrears of more than 2 months for one enrolment.
SURPRISE_ARREARS_MONTHS = 2

PAID_STATUSES = (PaymentCycle.Status.PAID, PaymentCycle.Status.CLOSED)


@dataclass(frozen=True)
class Surprise:
    """What makes a cycle's total surprising, with the figures that explain it."""

    total: int
    compared: PaymentCycle | None  # the last paid cycle (across a merger: the latest of them)
    compared_total: int
    arrears_people: int
    arrears_months: int  # months before the cycle's month, all people together
    arrears_amount: int
    longest_arrears: int  # the most months of arrears one enrolment is paid
    top_up_people: int
    top_up_amount: int
    new_people: int  # paid now, not in the compared cycle (0 without one)
    new_amount: int

    @property
    def ratio(self) -> Fraction | None:
        """This total over the compared one (``None``: nothing to divide by)."""
        if self.compared is None or self.compared_total == 0:
            return None
        return Fraction(self.total, self.compared_total)

    @property
    def ratio_label(self) -> str:
        """``2,9`` (one decimal, Vietnamese comma); empty without a ratio."""
        ratio = self.ratio
        return "" if ratio is None else f"{float(ratio):.1f}".replace(".", ",")


def last_paid_cycles(cycle: PaymentCycle) -> list[PaymentCycle]:
    """The paid (or closed) cycles of earlier months a cycle is compared with: its
    commune's latest and, across a merger, each old commune's last
    (:func:`payments.changes.previous_cycles`), latest first."""
    found = previous_cycles(cycle, statuses=PAID_STATUSES)
    return sorted(found, key=lambda c: c.period, reverse=True)


def is_surprising(total: int, compared_total: int | None, longest_arrears: int) -> bool:
    """The rule itself, on the figures: above the ratio of the compared total,
    or, with nothing paid to compare with, arrears longer than the threshold."""
    if compared_total is None:
        return longest_arrears > SURPRISE_ARREARS_MONTHS
    return total > SURPRISE_RATIO * compared_total


def cycle_surprise(cycle: PaymentCycle, programme_ids: list[int] | None = None) -> Surprise | None:
    """The cycle's surprise, or ``None`` when its total is as expected."""
    payments = Payment.objects.filter(cycle=cycle)
    if programme_ids is not None:
        payments = payments.filter(beneficiary__programme_id__in=programme_ids)
    compared_cycles = last_paid_cycles(cycle)
    compared = compared_cycles[0] if compared_cycles else None
    total = payments.aggregate(total=Sum("amount"))["total"] or 0
    compared_total = None
    compared_payments = Payment.objects.none()
    if compared is not None:
        compared_payments = Payment.objects.filter(cycle__in=compared_cycles)
        if programme_ids is not None:
            compared_payments = compared_payments.filter(
                beneficiary__programme_id__in=programme_ids
            )
        compared_total = compared_payments.aggregate(total=Sum("amount"))["total"] or 0
    months = PaymentMonth.objects.filter(payment__in=payments)
    arrears = months.filter(kind=PaymentMonth.Kind.REGULAR, month__lt=cycle.period)
    longest = (
        arrears.values("payment_id")
        .annotate(n=Count("pk"))
        .order_by()
        .aggregate(longest=Max("n"))["longest"]
        or 0
    )
    if not is_surprising(total, compared_total, longest):
        return None
    figures = months.aggregate(
        arrears_people=Count(
            "beneficiary_id",
            distinct=True,
            filter=Q(kind=PaymentMonth.Kind.REGULAR, month__lt=cycle.period),
        ),
        arrears_months=Count(
            "pk", filter=Q(kind=PaymentMonth.Kind.REGULAR, month__lt=cycle.period)
        ),
        arrears_amount=Sum(
            "amount", filter=Q(kind=PaymentMonth.Kind.REGULAR, month__lt=cycle.period)
        ),
        top_up_people=Count(
            "beneficiary_id", distinct=True, filter=Q(kind=PaymentMonth.Kind.TOP_UP)
        ),
        top_up_amount=Sum("amount", filter=Q(kind=PaymentMonth.Kind.TOP_UP)),
    )
    new = (
        payments.exclude(beneficiary__in=compared_payments.values("beneficiary"))
        if compared is not None
        else Payment.objects.none()
    ).aggregate(people=Count("pk"), amount=Sum("amount"))
    return Surprise(
        total=total,
        compared=compared,
        compared_total=compared_total or 0,
        arrears_people=figures["arrears_people"],
        arrears_months=figures["arrears_months"],
        arrears_amount=figures["arrears_amount"] or 0,
        longest_arrears=longest,
        top_up_people=figures["top_up_people"],
        top_up_amount=figures["top_up_amount"] or 0,
        new_people=new["people"],
        new_amount=new["amount"] or 0,
    )
