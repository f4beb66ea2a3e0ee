"""The demo's payment cycles, through the services: each past month paid and closed,
this month's a draft.

Deterministic and demo only. A past month is opened by the officer on the 1st,
approved by the leader and sent to the paying office before its due date
(except the months in :data:`LATE_CYCLES`), paid on the 10th and closed on the
20th. Its results: every payment paid, except one failed transfer and one
uncollected cash payment a month (chosen by the month), whose months the next
cycle owes again (the cycle's SQL re-issues them, by the method registered
then). Before closing, the post office's cash account is kept: the accountant
hands the lists' cash over on the 10th, the post office brings back the
uncollected cash on the 19th and confirms, the accountant confirms. The services stamp "now"; the demo moves those stamps back to the days
the story says (:func:`backdate_cycle`), so the pages read like a past year.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from beneficiaries.models import Commune
from core.rules.months import month_index
from payments.models import CashAccount, Payment, PaymentCycle
from payments.services.cashaccount import (
    account_state,
    confirm_for_accountant,
    confirm_for_post_office,
    record_handover,
    record_returned_cash,
)
from payments.services.cycles import (
    approve_cycle,
    close_cycle,
    mark_cycle_paid,
    open_cycle,
    submit_cycle,
)
from payments.services.results import record_result

#: Months whose cycle was sent to the paying office after its due date, on purpose
#: (Tết 2026: the leader was away until the 9th).
LATE_CYCLES = frozenset({datetime.date(2026, 2, 1)})
FAILED_REASON = "Tài khoản đã đóng"
UNCOLLECTED_REASON = "Người hưởng vắng nhà, không nhận"


def moment(day: datetime.date, hour: int = 9) -> datetime.datetime:
    """``day`` at ``hour`` in the commune's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def sent_day(cycle: PaymentCycle) -> datetime.date:
    """The day the cycle went to the paying office: two days before its due date, or late."""
    if cycle.period in LATE_CYCLES:
        return cycle.due_on + datetime.timedelta(days=4)
    return max(cycle.period, cycle.due_on - datetime.timedelta(days=2))


def backdate_cycle(cycle: PaymentCycle) -> None:
    period, sent = cycle.period, sent_day(cycle)
    PaymentCycle.objects.filter(pk=cycle.pk).update(
        prepared_at=moment(period, 8),
        approved_at=moment(sent, 8),
        submitted_at=moment(sent, 15),
        paid_at=moment(period.replace(day=10), 16),
        closed_at=moment(period.replace(day=20), 10),
    )
    CashAccount.objects.filter(cycle=cycle).update(
        handed_over_at=moment(period.replace(day=10), 8),
        returned_at=moment(period.replace(day=19), 16),
        post_office_confirmed_at=moment(period.replace(day=19), 17),
        accountant_confirmed_at=moment(period.replace(day=20), 8),
    )


def _unsuccessful(cycle: PaymentCycle) -> dict[int, tuple[str, str]]:
    """The payment that failed and the one not collected this month: pk -> (status, reason)."""
    seed = month_index(cycle.period)
    chosen: dict[int, tuple[str, str]] = {}
    for method, status, reason in (
        (Payment.Method.ACCOUNT, Payment.Status.FAILED, FAILED_REASON),
        (Payment.Method.CASH, Payment.Status.RETURNED, UNCOLLECTED_REASON),
    ):
        pks = list(cycle.payments.filter(method=method).order_by("pk").values_list("pk", flat=True))
        if pks:
            chosen[pks[(seed * 7) % len(pks)]] = (status, reason)
    return chosen


def send_cycle(
    commune: Commune, period: datetime.date, *, officer: User, leader: User
) -> PaymentCycle:
    """The month's cycle opened (or rebuilt, if it was left a draft), approved and sent."""
    cycle = PaymentCycle.objects.filter(commune=commune, period=period).first()
    if cycle is not None and cycle.status != PaymentCycle.Status.DRAFT:
        return cycle
    cycle = open_cycle(commune, period, actor=officer).cycle
    sent = sent_day(cycle)
    approve_cycle(cycle, actor=leader, today=sent)
    return submit_cycle(cycle, actor=officer, today=sent)


def keep_cash_account(cycle: PaymentCycle, *, accountant: User, post_office: User) -> None:
    """The cash handed over, the uncollected cash brought back, both confirmations."""
    state = account_state(cycle)
    if not state.has_cash:
        return
    period = cycle.period
    record_handover(
        cycle,
        amount=state.figures.total,
        handed_over_on=period.replace(day=10),
        voucher=f"PC{period:%m%Y}-{cycle.commune.code}",
        actor=accountant,
    )
    record_returned_cash(
        cycle,
        amount=state.figures.returned_amount,
        returned_on=period.replace(day=19),
        actor=post_office,
    )
    confirm_for_post_office(cycle, actor=post_office)
    confirm_for_accountant(cycle, actor=accountant)


def settle_cycle(
    cycle: PaymentCycle, *, officer: User, accountant: User, post_office: User
) -> PaymentCycle:
    """Paid out by the paying office, the results recorded, the cash account kept,
    the books closed."""
    if cycle.status == PaymentCycle.Status.CLOSED:
        return cycle
    if cycle.status == PaymentCycle.Status.SUBMITTED:
        cycle = mark_cycle_paid(cycle, actor=officer)
    paid_on = cycle.period.replace(day=10)
    unsuccessful = _unsuccessful(cycle)
    for payment in cycle.payments.filter(status=Payment.Status.PENDING).order_by("pk"):
        if payment.pk in unsuccessful:
            status, reason = unsuccessful[payment.pk]
            record_result(payment, status=status, reason=reason, actor=officer)
        else:
            record_result(
                payment,
                status=Payment.Status.PAID,
                paid_on=paid_on,
                reference=f"DEMO{cycle.period:%Y%m}-{payment.pk}",
                actor=officer,
            )
    keep_cash_account(cycle, accountant=accountant, post_office=post_office)
    closed = close_cycle(cycle, actor=officer)
    backdate_cycle(closed)
    return closed


def open_draft(commune: Commune, period: datetime.date, *, officer: User) -> PaymentCycle:
    """This month's draft (its blockers keep it in the commune)."""
    return open_cycle(commune, period, actor=officer).cycle
