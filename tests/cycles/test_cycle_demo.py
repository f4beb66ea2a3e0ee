"""The demo's cycles: each past month paid and closed through the services, this month a draft."""

from __future__ import annotations

import datetime

import pytest

from demo.payments import FAILED_REASON, UNCOLLECTED_REASON, send_cycle, settle_cycle
from demo.seed import seed_demo
from payments.models import CashAccount, Payment, PaymentCase, PaymentCheckSample, PaymentCycle
from payments.services.cashaccount import account_state
from payments.services.cycles import cycle_blockers, open_cycle
from tests.cycles.conftest import enrol
from tests.factories import PaymentAccountFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2025, 6, 10)  # two months in the system: a quick seed


def test_the_demo_closes_each_past_month_and_leaves_this_month_a_draft_with_blockers(
    reference_data,
):
    result = seed_demo(as_of=AS_OF)

    cycles = PaymentCycle.objects.filter(commune=result.commune).order_by("period")
    assert [(c.period.month, c.status) for c in cycles] == [
        (4, "closed"),
        (5, "closed"),
        (6, "draft"),
    ]
    assert all(c.payment_count > 0 and c.prepared_by.username == "canbo" for c in cycles)
    # Each closed cycle's cash account balanced and confirmed by the post office, then
    # the accountant, through the services.
    for closed in cycles[:2]:
        state = account_state(closed)
        assert state.has_cash and state.confirmed
        assert state.account.post_office_confirmed_by.username == "buudien"
        assert state.account.accountant_confirmed_by.username == "ketoan"
        assert state.handed_over == state.figures.total
        assert state.returned_cash == state.figures.returned_amount > 0
    assert cycle_blockers(cycles.last(), today=AS_OF)
    # Last month's closed cycle was sampled and asked: one case stays open.
    sample = PaymentCheckSample.objects.get()
    assert sample.cycle == cycles[1] and sample.drawn_by.username == "canbo"
    assert sample.checks.count() >= 10
    assert sample.checks.exclude(outcome="pending").count() == 5
    assert list(PaymentCase.objects.values_list("state", "payment__cycle")) == [
        ("open", cycles[1].pk)
    ]
    seed_demo(as_of=AS_OF)
    assert PaymentCycle.objects.count() == 6  # Yến Sơn's three and Hà Bình's three
    assert PaymentCheckSample.objects.count() == 1 and PaymentCase.objects.count() == 1


def test_a_past_month_is_sent_paid_and_closed_and_what_failed_is_owed_again(commune, verify_all):
    officer = UserFactory(username="canbo", role="labour_officer", communes=[commune])
    leader = UserFactory(username="chutich", role="leader", communes=[commune])
    accountant = UserFactory(username="ketoan", role="accountant", communes=[commune])
    post_office = UserFactory(username="buudien", role="post_office", communes=[commune])
    an = enrol(commune, full_name="Phan Văn An", start=datetime.date(2025, 1, 1))
    RegistrationFactory(
        beneficiary=an,
        method="account",
        account=PaymentAccountFactory(holder=an.person),
        from_month=datetime.date(2025, 1, 1),
    )
    binh = enrol(
        commune, full_name="Lê Văn Bình", start=datetime.date(2025, 1, 1), amount=1_000_000
    )
    verify_all()

    sent = send_cycle(commune, datetime.date(2025, 5, 1), officer=officer, leader=leader)
    assert (sent.status, sent.approved_by, sent.submitted_late) == ("submitted", leader, False)
    closed = settle_cycle(sent, officer=officer, accountant=accountant, post_office=post_office)

    closed.refresh_from_db()
    assert (closed.status, closed.closed_by) == ("closed", officer)
    assert closed.submitted_at.date() == datetime.date(2025, 5, 3)
    assert closed.closed_at.date() == datetime.date(2025, 5, 20)
    results = {
        p.beneficiary.person.full_name: (p.status, p.failure_reason)
        for p in closed.payments.select_related("beneficiary__person")
    }
    assert results == {
        "Phan Văn An": ("failed", FAILED_REASON),
        "Lê Văn Bình": ("returned", UNCOLLECTED_REASON),
    }
    # Bình's cash came back to the commune: handed over = paid + returned = 1.000.000 đ.
    account = CashAccount.objects.get(cycle=closed)
    assert (account.handed_over_amount, account.returned_amount) == (1_000_000, 1_000_000)
    assert account.handed_over_on == datetime.date(2025, 5, 10)
    assert account.accountant_confirmed_at.date() == datetime.date(2025, 5, 20)
    # Both are owed again in the next month: two months each.
    later = open_cycle(commune, datetime.date(2025, 6, 1), actor=officer).cycle
    amounts = dict(later.payments.values_list("beneficiary", "amount"))
    assert amounts == {an.pk: 2 * 2_055_000, binh.pk: 2 * 1_000_000}
    assert Payment.objects.filter(cycle=later).count() == 2
