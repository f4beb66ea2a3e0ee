"""The demo's cycles: last month's and this month's, through the services, idempotent."""

from __future__ import annotations

import datetime

import pytest

from demo.payments import seed_cycle_demo
from demo.seed import seed_demo
from payments.models import Payment, PaymentCycle
from tests.cycles.conftest import enrol
from tests.factories import PaymentAccountFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2025, 6, 1)


def test_the_demo_opens_last_and_this_months_cycles_once(reference_data):
    result = seed_demo(as_of=AS_OF)
    cycles = list(PaymentCycle.objects.filter(commune=result.commune).order_by("period"))
    assert [c.period for c in cycles] == [datetime.date(2025, 5, 1), datetime.date(2025, 6, 1)]
    # The demo leaves people unverified: the gate keeps last month's cycle a draft.
    assert [c.status for c in cycles] == ["draft", "draft"]
    assert all(c.payment_count > 0 and c.prepared_by.username == "canbo" for c in cycles)
    seed_demo(as_of=AS_OF)
    assert PaymentCycle.objects.count() == 2


def test_a_demo_commune_with_nothing_blocking_gets_a_closed_month_and_a_draft(commune, verify_all):
    officer = UserFactory(username="canbo", role="labour_officer", communes=[commune])
    UserFactory(username="chutich", role="leader", communes=[commune])
    an = enrol(commune, full_name="Phan Văn An", start=datetime.date(2025, 1, 1))
    RegistrationFactory(
        beneficiary=an,
        method="account",
        account=PaymentAccountFactory(holder=an.person),
        from_month=datetime.date(2025, 1, 1),
    )
    enrol(commune, full_name="Lê Văn Bình", start=datetime.date(2025, 1, 1), amount=1_000_000)
    verify_all()
    earlier, later = seed_cycle_demo(commune, as_of=AS_OF)
    earlier.refresh_from_db()
    assert (earlier.status, earlier.approved_by.username, earlier.closed_by) == (
        "closed",
        "chutich",
        officer,
    )
    results = dict(earlier.payments.values_list("beneficiary__person__full_name", "status"))
    assert results == {"Phan Văn An": "failed", "Lê Văn Bình": "paid"}
    # The failed transfer is re-issued in this month's draft: two months.
    again = Payment.objects.get(cycle=later, beneficiary=an)
    assert (later.status, again.amount) == ("draft", 2 * 2_055_000)
