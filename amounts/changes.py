"""What a new base level or a decree's table of fixed amounts would change, before
anything is written.

Both are read as *segments*: one enrolment's months from ``start`` (until the
next entitlement row or the next base level, ``until``, exclusive; ``None``
for open-ended) whose monthly amount goes from ``old`` to ``new``. Only
segments whose amount changes are returned. ``adds`` says whether the change
is a new entitlement row at ``start`` (the row in force started earlier) or a
new amount on the row that starts there.

:func:`base_level_segments` is the re-rating SQL of
:func:`amounts.services.record_base_level` read in Python (a test holds the
two together); :func:`fixed_amount_segments` is the rule
:func:`amounts.services.record_fixed_amounts` writes by.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from typing import NamedTuple

from amounts.models import AllowanceRate, Entitlement
from beneficiaries.models import Category, Programme
from core.rules.money import coefficient_amount


@dataclass(frozen=True)
class Segment:
    beneficiary_id: int
    entitlement_id: int  # the row in force at ``start`` (updated, or followed by a new row)
    start: datetime.date
    until: datetime.date | None
    old: int
    new: int
    adds: bool

    def covers(self, month: datetime.date) -> bool:
        return self.start <= month and (self.until is None or month < self.until)


@dataclass(frozen=True)
class FixedAmount:
    """One row of a decree's table: a category's monthly amount from a month on."""

    category: Category
    amount: int
    from_month: datetime.date


def following_level(programme: Programme, applies_from: datetime.date) -> datetime.date | None:
    """The month of the programme's next base level after ``applies_from``, if any."""
    return (
        AllowanceRate.objects.filter(programme=programme, applies_from__gt=applies_from)
        .order_by("applies_from")
        .values_list("applies_from", flat=True)
        .first()
    )


def _earlier(a: datetime.date | None, b: datetime.date | None) -> datetime.date | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


class _Row(NamedTuple):
    beneficiary_id: int
    pk: int
    from_month: datetime.date
    basis: str
    coefficient: Decimal | None
    amount: int
    end_month: datetime.date | None
    category_id: int


def _rows(entitlements) -> Iterable[tuple[int, list[_Row]]]:
    """Each enrolment's entitlement rows, oldest first (one query, streamed)."""
    rows = (
        entitlements.order_by("beneficiary_id", "from_month")
        .values_list(
            "beneficiary_id",
            "pk",
            "from_month",
            "basis",
            "coefficient",
            "amount",
            "beneficiary__end_month",
            "beneficiary__category_id",
        )
        .iterator(chunk_size=5000)
    )
    for beneficiary_id, group in groupby(map(_Row._make, rows), key=lambda row: row[0]):
        yield beneficiary_id, list(group)


def base_level_segments(
    programme: Programme, *, amount: int, applies_from: datetime.date
) -> list[Segment]:
    """The coefficient-based months a base level of ``amount`` from ``applies_from``
    would re-rate (nothing for a programme of fixed amounts)."""
    if programme.amount_mode != Programme.AmountMode.COEFFICIENT:
        return []
    start = applies_from.replace(day=1)
    following = following_level(programme, start)
    entitlements = Entitlement.objects.filter(beneficiary__programme=programme)
    if following is not None:
        entitlements = entitlements.filter(from_month__lt=following)
    segments: list[Segment] = []
    for beneficiary_id, rows in _rows(entitlements):
        for index, row in enumerate(rows):
            later = rows[index + 1].from_month if index + 1 < len(rows) else None
            until = _earlier(later, following)
            if row.basis != Entitlement.Basis.COEFFICIENT:
                continue
            new = coefficient_amount(amount, row.coefficient)
            if new == row.amount:
                continue
            if row.from_month >= start:
                # A row starting between this level and the next takes the new amount.
                segments.append(
                    Segment(beneficiary_id, row.pk, row.from_month, until, row.amount, new, False)
                )
            elif (later is None or later > start) and (
                row.end_month is None or row.end_month > start
            ):
                # The row in force at the month (started earlier): a new row from the month.
                segments.append(
                    Segment(beneficiary_id, row.pk, start, until, row.amount, new, True)
                )
    return segments


def fixed_amount_segments(table: Sequence[FixedAmount]) -> list[Segment]:
    """The enrolments of each category whose fixed amount in force at the table's
    month changes: from that month until their next entitlement row."""
    by_category = {row.category.pk: row for row in table}
    if not by_category:
        return []
    entitlements = Entitlement.objects.filter(beneficiary__category_id__in=list(by_category))
    segments: list[Segment] = []
    for beneficiary_id, rows in _rows(entitlements):
        wanted = by_category[rows[0].category_id]
        start = wanted.from_month
        in_force = [row for row in rows if row.from_month <= start]
        if not in_force:
            continue
        row = in_force[-1]
        if row.basis != Entitlement.Basis.FIXED or row.amount == wanted.amount:
            continue
        if row.end_month is not None and row.end_month <= start:
            continue
        later = next((r.from_month for r in rows if r.from_month > start), None)
        segments.append(
            Segment(
                beneficiary_id,
                row.pk,
                start,
                later,
                row.amount,
                wanted.amount,
                row.from_month < start,
            )
        )
    return segments
