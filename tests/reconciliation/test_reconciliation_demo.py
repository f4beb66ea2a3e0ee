"""The demo's months, paid and closed through the services, reconcile to the đồng."""

from __future__ import annotations

import datetime

import pytest

from demo.seed import seed_demo
from payments.models import PaymentCycle
from payments.reconciliation import reconcile

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_every_cycle_of_the_demo_reconciles(reference_data):
    seed_demo(as_of=datetime.date(2025, 6, 10))
    cycles = list(PaymentCycle.objects.select_related("commune").order_by("commune", "period"))
    assert len(cycles) == 6
    for cycle in cycles:
        rec = reconcile(cycle)
        assert rec.ok, (cycle, [(c.label, c.words) for c in rec.all_checks if not c.ok])
    closed = [reconcile(c) for c in cycles if c.status == "closed"]
    # Each closed month had a failed transfer and uncollected cash, paid again the month after.
    assert all(r.total.failed.count and r.total.returned.count for r in closed)
    assert all(r.reissued and r.reissued.payments == r.reissued.not_paid.count for r in closed)
