"""A paid cycle with people in two villages paid by each of the three methods."""

from __future__ import annotations

import datetime

import pytest

from payments.models import Payment, PaymentCycle
from payments.services.cycles import open_cycle
from tests.cycles.conftest import SEP, enrol
from tests.factories import PaymentAccountFactory, RegistrationFactory, VillageFactory

PAID_ON = datetime.date(2023, 9, 12)
METHODS = ("account", "cash", "home")


def paid_cycle(commune, officer, leader, per_stratum: dict[tuple[str, str], int]) -> PaymentCycle:
    """A paid September cycle: ``per_stratum[(method, village name)]`` people each."""
    for (method, village_name), count in per_stratum.items():
        village = VillageFactory(commune=commune, name=village_name)
        for _n in range(count):
            enrolment = enrol(commune, village=village)
            extra = {}
            if method == "account":
                extra["account"] = PaymentAccountFactory(holder=enrolment.person)
            RegistrationFactory(
                beneficiary=enrolment,
                method=method,
                from_month=datetime.date(2023, 7, 1),
                **extra,
            )
    cycle = open_cycle(commune, SEP, actor=officer).cycle
    PaymentCycle.objects.filter(pk=cycle.pk).update(status="paid", approved_by=leader)
    Payment.objects.filter(cycle=cycle).update(status="paid", paid_on=PAID_ON)
    cycle.refresh_from_db()
    return cycle


@pytest.fixture
def small_cycle(commune, officer, leader, reference_data):
    """Twelve people: two in each method × village stratum."""
    return paid_cycle(
        commune,
        officer,
        leader,
        {(m, v): 2 for m in METHODS for v in ("Thôn Đông", "Thôn Tây")},
    )
