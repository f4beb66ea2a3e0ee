"""Warnings on a cycle's page about the levels its months are paid at.

- **Unverified level**: a month the cycle pays (its live month lines) is paid at
  a programme's base level not verified yet (``AllowanceRate.verified`` false):
  the level in force that month for a programme paid base level × coefficient
  (fixed amounts come from decisions, not from the level).
- **Stale amounts**: while the cycle is a draft or approved, a month it pays
  whose live lines (in every cycle) no longer add up to the entitlement in
  force now — a base level or a table entered since the draft was built: the
  draft needs rebuilding (an approved cycle: withdraw the approval first).

A fixed number of queries whatever the size of the cycle (pinned by a test).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery, Sum

from amounts.models import AllowanceRate, Entitlement
from beneficiaries.models import Programme
from payments.models import PaymentCycle, PaymentMonth

STALE_SHOWN = 10
# Still built from the current amounts: rebuilding (after withdrawing an approval) fixes it.
REBUILDABLE = (PaymentCycle.Status.DRAFT, PaymentCycle.Status.APPROVED)


@dataclass(frozen=True)
class UnverifiedLevel:
    programme: str
    applies_from: datetime.date
    amount: int
    legal_basis: str
    months: tuple[datetime.date, ...]  # the cycle's months paid at it


@dataclass(frozen=True)
class StaleMonth:
    name: str
    month: datetime.date
    paid: int
    owed: int


@dataclass
class LevelWarnings:
    unverified: list[UnverifiedLevel] = field(default_factory=list)
    stale_people: int = 0
    stale_months: int = 0
    stale_examples: list[StaleMonth] = field(default_factory=list)
    rebuild_needs_withdrawal: bool = False

    def __bool__(self) -> bool:
        return bool(self.unverified or self.stale_months)


def _lines(cycle: PaymentCycle, programme_ids: list[int] | None):
    lines = PaymentMonth.objects.filter(payment__cycle=cycle, live=True)
    if programme_ids is not None:
        lines = lines.filter(beneficiary__programme_id__in=programme_ids)
    return lines


def _unverified(cycle: PaymentCycle, programme_ids: list[int] | None) -> list[UnverifiedLevel]:
    paid = set(
        _lines(cycle, programme_ids)
        .filter(beneficiary__programme__amount_mode=Programme.AmountMode.COEFFICIENT)
        .values_list("beneficiary__programme_id", "month")
        .distinct()
    )
    if not paid:
        return []
    latest = max(month for _p, month in paid)
    rates: dict[int, list[AllowanceRate]] = {}
    for rate in (
        AllowanceRate.objects.filter(
            programme_id__in={programme for programme, _m in paid}, applies_from__lte=latest
        )
        .select_related("programme")
        .order_by("programme_id", "applies_from")
    ):
        rates.setdefault(rate.programme_id, []).append(rate)
    found: dict[int, list[datetime.date]] = {}
    by_pk: dict[int, AllowanceRate] = {}
    for programme_id, month in paid:
        in_force = [r for r in rates.get(programme_id, []) if r.applies_from <= month]
        if in_force and not in_force[-1].verified:
            rate = in_force[-1]
            by_pk[rate.pk] = rate
            found.setdefault(rate.pk, []).append(month)
    return [
        UnverifiedLevel(
            programme=by_pk[pk].programme.short_name,
            applies_from=by_pk[pk].applies_from,
            amount=by_pk[pk].amount,
            legal_basis=by_pk[pk].legal_basis,
            months=tuple(sorted(months)),
        )
        for pk, months in sorted(
            found.items(), key=lambda item: (by_pk[item[0]].programme.order, item[0])
        )
    ]


def _stale(cycle: PaymentCycle, programme_ids: list[int] | None, warnings: LevelWarnings) -> None:
    owed = (
        Entitlement.objects.filter(
            beneficiary_id=OuterRef("beneficiary_id"), from_month__lte=OuterRef("month")
        )
        .order_by("-from_month")
        .values("amount")[:1]
    )
    paid = (
        PaymentMonth.objects.filter(
            beneficiary_id=OuterRef("beneficiary_id"), month=OuterRef("month"), live=True
        )
        .order_by()
        .values("beneficiary_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    rows = list(
        _lines(cycle, programme_ids)
        .order_by()
        .values("beneficiary_id", "month")
        .distinct()
        .annotate(owed=Subquery(owed), paid=Subquery(paid))
        .filter(owed__isnull=False)
        .values_list("beneficiary_id", "month", "paid", "owed")
    )
    stale = [row for row in rows if row[2] != row[3]]
    if not stale:
        return
    stale.sort(key=lambda row: (row[0], row[1]))
    warnings.stale_months = len(stale)
    warnings.stale_people = len({row[0] for row in stale})
    shown = stale[:STALE_SHOWN]
    names = dict(
        PaymentMonth.objects.filter(
            payment__cycle=cycle, beneficiary_id__in={row[0] for row in shown}
        )
        .values_list("beneficiary_id", "beneficiary__person__full_name")
        .distinct()
    )
    warnings.stale_examples = [
        StaleMonth(names.get(beneficiary_id, ""), month, int(paid or 0), int(owed))
        for beneficiary_id, month, paid, owed in shown
    ]
    warnings.rebuild_needs_withdrawal = cycle.status == PaymentCycle.Status.APPROVED


def cycle_level_warnings(
    cycle: PaymentCycle, programme_ids: list[int] | None = None
) -> LevelWarnings:
    """The cycle's warnings; ``programme_ids`` limits them to a user's programmes."""
    warnings = LevelWarnings(unverified=_unverified(cycle, programme_ids))
    if cycle.status in REBUILDABLE:
        _stale(cycle, programme_ids, warnings)
    return warnings
