"""seed_demo in the demo's first month (04/2025): quick seeds for what does not
need the months since — the reference data, a commune with data of its own,
the users' passwords, the first drafts."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User

from accounts.models import Bank
from beneficiaries.models import Beneficiary, Programme
from demo.seed import DEMO_PASSWORD, DEMO_VILLAGES, seed_demo
from demo.timeline import FIRST_MONTH
from payments.models import PaymentCycle
from tests.factories import BeneficiaryFactory

EARLY = datetime.date(2025, 4, 20)  # the first month in the system: nothing past to pay


@pytest.mark.django_db
def test_seed_demo_loads_the_reference_data_when_it_is_missing():
    assert not Programme.objects.exists()

    seed_demo(as_of=EARLY)

    assert Programme.objects.filter(code__in=["NCC", "BTXH"]).count() == 2
    assert Bank.objects.filter(short_name="Agribank").exists()
    assert Beneficiary.objects.count() == 300


def test_seed_demo_generates_nothing_into_a_commune_that_already_has_data(reference_data, commune):
    BeneficiaryFactory(person__commune=commune)

    result = seed_demo(as_of=EARLY)

    assert Beneficiary.objects.filter(commune=commune).count() == 1
    assert Beneficiary.objects.filter(commune__code="15280").count() == 100
    assert commune.members.filter(username="canbo").exists()
    assert result.commune == commune


def test_seed_demo_restores_a_changed_demo_password(reference_data):
    seed_demo(as_of=EARLY)
    user = User.objects.get(username="ketoan")
    user.set_password("something-else")
    user.save()

    seed_demo(as_of=EARLY)

    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)
    staff = set(User.objects.filter(is_staff=True).values_list("username", flat=True))
    assert staff == {"admin", "canbo", "congan"}
    assert User.objects.get(username="admin").is_superuser


def test_a_demo_seeded_in_its_first_month_has_one_draft_per_commune(reference_data):
    result = seed_demo(as_of=EARLY)

    drafts = PaymentCycle.objects.order_by("commune__code")
    assert [(c.commune.code, c.period, c.status) for c in drafts] == [
        ("15280", FIRST_MONTH, "draft"),
        ("15307", FIRST_MONTH, "draft"),
    ]
    assert result.commune.code == "15307"
    assert sorted(result.commune.villages.values_list("name", flat=True)) == sorted(DEMO_VILLAGES)
