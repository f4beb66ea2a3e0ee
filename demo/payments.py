"""The demo's payment cycles: last month's and this month's, through the services.

Deterministic and demo only. Last month's cycle is opened by the officer; the
leader approves it only when nothing blocks it (the demo deliberately leaves
some people unverified and a few blocking findings, so it normally stays a
draft that shows who blocks and why). When it can go on, it is sent, paid
(one transfer failed, so the next month re-issues it) and closed. This
month's draft is opened after it, so its changes compare with last month.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User

from beneficiaries.models import Commune
from core.rules.months import first_of_month, previous_month
from payments.models import Payment, PaymentCycle
from payments.services.cycles import (
    approve_cycle,
    close_cycle,
    cycle_blockers,
    mark_cycle_paid,
    open_cycle,
    submit_cycle,
)
from payments.services.results import record_result

OFFICER = "canbo"
LEADER = "chutich"


def _pay_out(cycle: PaymentCycle, *, officer: User, leader: User) -> None:
    before_due = cycle.due_on - datetime.timedelta(days=2)
    approve_cycle(cycle, actor=leader, today=before_due)
    submit_cycle(cycle, actor=officer, today=before_due)
    mark_cycle_paid(cycle, actor=officer)
    paid_on = cycle.period.replace(day=10)
    failed = cycle.payments.filter(method=Payment.Method.ACCOUNT).order_by("pk").first()
    for payment in cycle.payments.order_by("pk"):
        if payment == failed:
            record_result(payment, status="failed", reason="Tài khoản đã đóng", actor=officer)
        else:
            reference = f"DEMO{cycle.period:%Y%m}-{payment.pk}"
            record_result(
                payment, status="paid", paid_on=paid_on, reference=reference, actor=officer
            )
    close_cycle(cycle, actor=officer)


def seed_cycle_demo(commune: Commune, *, as_of: datetime.date) -> list[PaymentCycle]:
    """Open last month's cycle (paid and closed if nothing blocks it) and this month's draft."""
    officer = User.objects.get(username=OFFICER)
    leader = User.objects.get(username=LEADER)
    current = first_of_month(as_of)
    earlier = open_cycle(commune, previous_month(current), actor=officer).cycle
    if not cycle_blockers(earlier, today=as_of):
        _pay_out(earlier, officer=officer, leader=leader)
    later = open_cycle(commune, current, actor=officer).cycle
    return [earlier, later]
