"""A commune that paid three months and then learnt it paid too much.

September to November 2026 were paid (sent to the paying office): An
(1.000.000 đ a month, paid through his daughter, a proxy), Bình (1.500.000 đ)
and Cúc (800.000 đ). Then An's death on 15/09/2026 is recorded — October and
November were paid after it — and Bình's amount is lowered to 1.200.000 đ from
October, by a decision that came late. Cúc is owed what she was paid.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from amounts.models import Entitlement
from beneficiaries.models import Beneficiary
from payments.models import PaymentCycle, Recovery
from payments.services.cycles import open_cycle
from payments.services.recoveries import detect_recoveries
from tests.cycles.conftest import enrol
from tests.factories import RegistrationFactory, RepresentativeFactory, VillageFactory

SEP = datetime.date(2026, 9, 1)
OCT = datetime.date(2026, 10, 1)
NOV = datetime.date(2026, 11, 1)
DEC = datetime.date(2026, 12, 1)


def send(commune, period, officer, leader) -> PaymentCycle:
    """The month's cycle built and marked sent (the workflow has its own tests)."""
    cycle = open_cycle(commune, period, actor=officer).cycle
    PaymentCycle.objects.filter(pk=cycle.pk).update(status="submitted", approved_by=leader)
    cycle.refresh_from_db()
    return cycle


@dataclass
class Paid:
    an: Beneficiary
    binh: Beneficiary
    cuc: Beneficiary
    proxy_name: str
    cycles: list[PaymentCycle]


@pytest.fixture
def paid(commune, reference_data, officer, leader) -> Paid:
    village = VillageFactory(commune=commune, name="Thôn Đông Sơn")
    an = enrol(commune, 1_000_000, start=SEP, full_name="Nguyễn Văn An", village=village)
    binh = enrol(commune, 1_500_000, start=SEP, full_name="Lê Thị Bình", village=village)
    cuc = enrol(commune, 800_000, start=SEP, full_name="Trần Thị Cúc", village=village)
    proxy = RepresentativeFactory(
        represented=an.person, person__full_name="Nguyễn Thị Hương", valid_from=SEP
    )
    RegistrationFactory(beneficiary=an, method="cash", representative=proxy, from_month=SEP)
    cycles = [send(commune, month, officer, leader) for month in (SEP, OCT, NOV)]
    return Paid(an=an, binh=binh, cuc=cuc, proxy_name=proxy.person.full_name, cycles=cycles)


def change_after_paying(paid: Paid, officer) -> None:
    """An's death (15/09/2026) and Bình's lower amount from October, recorded late."""
    person = paid.an.person
    person.date_of_death = datetime.date(2026, 9, 15)
    person._history_user = officer
    person.save()
    Entitlement.objects.create(
        beneficiary=paid.binh,
        from_month=OCT,
        basis=Entitlement.Basis.FIXED,
        amount=1_200_000,
        decision_number="15/QĐ-UBND",
    )


@dataclass
class Found:
    death: Recovery
    amount: Recovery
    paid: Paid


@pytest.fixture
def found(paid, officer) -> Found:
    change_after_paying(paid, officer)
    detect_recoveries(Beneficiary.objects.all(), actor=officer)
    return Found(
        death=Recovery.objects.get(beneficiary=paid.an),
        amount=Recovery.objects.get(beneficiary=paid.binh),
        paid=paid,
    )
