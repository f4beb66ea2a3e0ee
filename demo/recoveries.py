"""The demo's recoveries (thu hồi): two changes that reached the commune after the
months they touch were paid.

- **A death reported late.** A person paid through a representative died on
  the 20th of the month before last but one; the family told the commune only
  now. The officer records the death and ends the enrolment (the desk's
  services), so the two months paid since are not owed: a recovery of exactly
  those months, to recover from the representative who received them. The
  enrolment is paid no more, so nothing is deducted: it stays on the recovery
  page for the officer to follow up.
- **An amount lowered back-dated.** A decision lowers a person's fixed
  monthly amount by :data:`LOWERED_BY` from the month before last; the two
  months paid at the old amount leave ``2 × LOWERED_BY`` to recover, deducted
  from the person's payment in this month's cycle.

This month's draft is built after them and its build finds both
(:func:`payments.services.cycles.open_cycle` detects before it deducts).
Planted once in the demo, when a month's draft is first built and the two
months before it were paid and closed; deterministic (the first suitable
people by id).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Count, Q

from amounts.models import Entitlement
from beneficiaries.models import Beneficiary, Commune
from beneficiaries.services import save_beneficiary, save_person
from core.rules.months import first_of_month, next_month, previous_month
from payments.models import Payment, PaymentCycle, Recovery

#: What the back-dated decision takes off the monthly amount.
LOWERED_BY = 200_000
#: The decision's number (invented).
LOWERING_DECISION = "215/QĐ-SNV"


@dataclass(frozen=True)
class Planted:
    dead: Beneficiary
    lowered: Beneficiary
    months: tuple[datetime.date, datetime.date]


def _paid_in_both(commune: Commune, months: tuple[datetime.date, datetime.date]):
    """Active enrolments paid once in each of ``months``, that month alone, in full."""
    return (
        Beneficiary.objects.filter(
            commune=commune,
            status=Beneficiary.Status.ACTIVE,
            person__date_of_death__isnull=True,
            end_month__isnull=True,
        )
        .annotate(
            paid=Count(
                "payments",
                filter=Q(
                    payments__cycle__period__in=months,
                    payments__status=Payment.Status.PAID,
                    payments__deducted=0,
                ),
                distinct=True,
            ),
            lines=Count(
                "payments__months",
                filter=Q(payments__cycle__period__in=months, payments__months__live=True),
                distinct=True,
            ),
        )
        .filter(paid=2, lines=2)
        .order_by("pk")
    )


def plant_recoveries(commune: Commune, month: datetime.date, *, officer: User) -> Planted | None:
    """Record the two late changes before ``month``'s draft is built (once in the demo)."""
    if Recovery.objects.filter(beneficiary__commune=commune).exists():
        return None
    last = previous_month(month)
    months = (previous_month(last), last)
    closed = PaymentCycle.objects.filter(
        commune=commune, period__in=months, status=PaymentCycle.Status.CLOSED
    ).count()
    if closed < 2:
        return None
    candidates = _paid_in_both(commune, months)
    dead = candidates.filter(
        payments__cycle__period=last, payments__representative__isnull=False
    ).first()
    lowered = (
        candidates.exclude(pk=getattr(dead, "pk", None))
        .filter(
            entitlements__basis=Entitlement.Basis.FIXED,
            entitlements__amount__gt=3 * LOWERED_BY,
        )
        # No later amount: the lower one holds for both months.
        .exclude(entitlements__from_month__gt=months[0])
        .first()
    )
    if dead is None or lowered is None:
        return None
    _record_death(dead, day=previous_month(months[0]).replace(day=20), officer=officer)
    _lower_amount(lowered, from_month=months[0], officer=officer)
    return Planted(dead=dead, lowered=lowered, months=months)


def _record_death(enrolment: Beneficiary, *, day: datetime.date, officer: User) -> None:
    """The death entered on the person's record and the enrolment ended from the next month."""
    person = enrolment.person
    person.date_of_death = day
    save_person(person, actor=officer)
    enrolment.refresh_from_db()
    enrolment.status = Beneficiary.Status.ENDED
    enrolment.end_month = next_month(first_of_month(day))
    enrolment.end_reason = Beneficiary.EndReason.DEATH
    save_beneficiary(enrolment, actor=officer)


def _lower_amount(enrolment: Beneficiary, *, from_month: datetime.date, officer: User) -> None:
    """The decision's lower fixed amount from ``from_month`` (as the admin enters one)."""
    current = enrolment.entitlements.filter(from_month__lte=from_month).order_by("-from_month")[0]
    lowered = Entitlement.objects.filter(beneficiary=enrolment, from_month=from_month).first()
    if lowered is None:
        lowered = Entitlement(beneficiary=enrolment, from_month=from_month)
    lowered.basis = Entitlement.Basis.FIXED
    lowered.coefficient = None
    lowered.amount = current.amount - LOWERED_BY
    lowered.decision_number = LOWERING_DECISION
    lowered._history_user = officer
    lowered.save()
