"""The demo commune has account-opening requests in every state and an outreach log."""

from __future__ import annotations

import datetime

import pytest

from demo.seed import seed_demo
from registration.models import AccountOpeningRequest, OutreachActivity, PaymentMethodRegistration

pytestmark = pytest.mark.django_db

State = AccountOpeningRequest.State
# The demo's first month: a quick seed (the full demo's are in tests/test_seed_demo.py).
AS_OF = datetime.date(2025, 4, 20)


def test_the_demo_shows_requests_in_every_state_and_some_outreach(reference_data):
    result = seed_demo(as_of=AS_OF)

    requests = AccountOpeningRequest.objects.filter(person__commune=result.commune)
    assert sorted(set(requests.values_list("state", flat=True))) == sorted(State.values)
    opened = requests.get(state=State.OPENED)
    current = PaymentMethodRegistration.objects.filter(
        beneficiary__person=opened.person, is_current=True
    )
    assert {r.account for r in current} == {opened.account}
    assert OutreachActivity.objects.filter(commune=result.commune).count() == 6


def test_seeding_the_demo_again_adds_no_request_or_activity(reference_data):
    first = seed_demo(as_of=AS_OF)
    rows = list(
        AccountOpeningRequest.objects.order_by("pk").values_list("person__personal_id", "state")
    )

    seed_demo(as_of=AS_OF)

    assert first.generated
    assert (
        list(
            AccountOpeningRequest.objects.order_by("pk").values_list("person__personal_id", "state")
        )
        == rows
    )
    assert OutreachActivity.objects.count() == 6
