"""The post office's page: what it pays in cash, and recording what happened.

The post office (and the labour officer) sees the cash and home payments of
the submitted or paid cycles of its communes — never an account payment, never
an account number (the queryset does not even read them), never a payment a
recovery took whole (settled: nothing to hand over). Each result goes
through :func:`payments.services.results.record_result`: only a pending
payment is recorded, a double submission records once, and a result already
recorded is never overwritten from here — its row leads to “Sửa kết quả”
(:mod:`payments.services.corrections`) while the cycle is not closed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from beneficiaries.access import commune_ids_for
from core import roles
from core.access import require_role
from core.rules.names import fold_name
from payments.models import Payment, PaymentCycle
from payments.services.results import (
    CASH_METHODS,
    RESULT_STATES,
    ResultError,
    actor_may_correct,
    paid_date_problem,
    record_result,
)

# What the page reads of a payment: no account fields.
FIELDS = (
    "id",
    "cycle_id",
    "amount",
    "deducted",
    "method",
    "receiver_name",
    "representative_id",
    "status",
    "reference",
    "failure_reason",
    "paid_on",
    "beneficiary__id",
    "beneficiary__person__id",
    "beneficiary__person__full_name",
    "beneficiary__person__personal_id",
    "beneficiary__person__village__name",
    "representative__id",
    "representative__relationship",
    "representative__kind",
)


def cycles_for(user) -> QuerySet[PaymentCycle]:
    """The cycles whose cash the user may record: submitted or paid, in the user's communes."""
    require_role(user, roles.CAN_RECORD_CASH)
    return (
        PaymentCycle.objects.filter(commune_id__in=commune_ids_for(user), status__in=RESULT_STATES)
        .select_related("commune")
        .order_by("-period", "commune__name")
    )


def cash_payments_for(user) -> QuerySet[Payment]:
    require_role(user, roles.CAN_RECORD_CASH)
    return Payment.objects.to_send().filter(
        cycle__commune_id__in=commune_ids_for(user),
        cycle__status__in=RESULT_STATES,
        method__in=CASH_METHODS,
    )


def get_cash_payment_for(user, pk) -> Payment:
    """A cash payment the user may record: 403 for another role, 404 for anything else."""
    try:
        return cash_payments_for(user).get(pk=pk)
    except (Payment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_cash_payment_to_correct(user, pk) -> Payment:
    """A cash payment of the page whose recorded result the user may correct."""
    payment = get_cash_payment_for(user, pk)
    payment = Payment.objects.select_related(
        "cycle__commune", "beneficiary__person", "recorded_by"
    ).get(pk=payment.pk)
    if not actor_may_correct(user, payment, payment.cycle.status):
        raise PermissionDenied
    return payment


@dataclass(frozen=True)
class Filters:
    method: str = ""
    status: str = ""
    village: str = ""
    search: str = ""


def page_rows(cycle: PaymentCycle, filters: Filters) -> QuerySet[Payment]:
    rows = (
        Payment.objects.to_send()
        .filter(cycle=cycle, method__in=CASH_METHODS)
        .select_related("beneficiary__person__village", "representative")
        .prefetch_related("months")
        .only(*FIELDS)
        .order_by("beneficiary__person__village__name", "beneficiary__person__sort_name", "pk")
    )
    if filters.method in CASH_METHODS:
        rows = rows.filter(method=filters.method)
    if filters.status in Payment.Status.values:
        rows = rows.filter(status=filters.status)
    if filters.village:
        rows = rows.filter(beneficiary__person__village__name=filters.village)
    search = filters.search.strip()
    if search.isdigit():
        rows = rows.filter(beneficiary__person__personal_id__startswith=search)
    elif search:
        rows = rows.filter(
            Q(beneficiary__person__name_folded__contains=fold_name(search))
            | Q(receiver_name__icontains=search)
        )
    return rows


def villages_of(cycle: PaymentCycle) -> list[str]:
    return list(
        Payment.objects.to_send()
        .filter(cycle=cycle, method__in=CASH_METHODS)
        .exclude(beneficiary__person__village__isnull=True)
        .values_list("beneficiary__person__village__name", flat=True)
        .distinct()
        .order_by("beneficiary__person__village__name")
    )


class BulkError(Exception):
    """A bulk record refused; nothing was recorded."""


@dataclass(frozen=True)
class BulkPaid:
    """What a bulk “paid” did: how many it recorded, and who was already recorded."""

    changed: int
    kept: list[str]  # the names of the payments already recorded, left as they were


@dataclass(frozen=True)
class BulkPreview:
    """What a bulk “paid” of the selection would record, for the confirmation page."""

    pks: list[int]  # every selected payment the user may record, recorded or not
    count: int  # the pending ones: those the confirmation records
    amount: int
    periods: list[datetime.date]
    communes: list[str]
    kept: list[str]  # the names of those already recorded, left as they are
    date_problem: str | None = None  # why a pending one cannot have been paid that day


def bulk_preview(user, pks: Iterable[int], *, paid_on: datetime.date | None) -> BulkPreview:
    """Count and total the selected pending cash payments; record nothing.

    Refuses (:class:`BulkError`) a selection with no payment the user may
    record. A date on which a pending one cannot have been paid (the result
    service's rule) is named in ``date_problem``, so the confirmation asks for
    another date instead of what :func:`record_cash_paid` would refuse.
    """
    payments = list(
        cash_payments_for(user)
        .filter(pk__in=list(pks))
        .select_related("cycle__commune", "beneficiary__person")
        .only(
            "id",
            "amount",
            "status",
            "cycle__period",
            "cycle__commune__name",
            "beneficiary__person__full_name",
        )
        .order_by("pk")
    )
    if not payments:
        raise BulkError(_("Chưa chọn khoản nào."))
    pending = [p for p in payments if p.status == Payment.Status.PENDING]
    problems = (
        [paid_date_problem(paid_on, period) for period in {p.cycle.period for p in pending}]
        if paid_on is not None
        else []
    )
    return BulkPreview(
        pks=[p.pk for p in payments],
        count=len(pending),
        amount=sum(p.amount for p in pending),
        periods=sorted({p.cycle.period for p in payments}),
        communes=sorted({p.cycle.commune.name for p in payments}),
        kept=[
            p.beneficiary.person.full_name for p in payments if p.status != Payment.Status.PENDING
        ],
        date_problem=next((str(problem) for problem in problems if problem), None),
    )


@transaction.atomic
def record_cash_paid(user, pks: Iterable[int], *, paid_on: datetime.date) -> BulkPaid:
    """Mark the selected pending cash payments paid on one date; all or nothing.

    A payment already recorded (paid, or not collected) is left as it is and
    named in the answer: the post office's page never overwrites a result.
    """
    payments = list(
        cash_payments_for(user)
        .filter(pk__in=list(pks))
        .select_related("beneficiary__person")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    changed = 0
    kept: list[str] = []
    for payment in payments:
        if payment.status != Payment.Status.PENDING:
            kept.append(payment.beneficiary.person.full_name)
            continue
        try:
            _payment, did = record_result(
                payment,
                status=Payment.Status.PAID,
                actor=user,
                paid_on=paid_on,
            )
        except ResultError as exc:
            raise BulkError(
                _("%(name)s: %(error)s Không ghi khoản nào.")
                % {"name": payment.beneficiary.person.full_name, "error": exc}
            ) from None
        changed += did
    return BulkPaid(changed=changed, kept=kept)
