"""A cycle with every result: paid, failed, not collected, pending, settled, partly deducted.

August 2023 is the commune's first cycle (everyone in cash: the registrations
start in September), sent; Cúc does not collect it. Then lower amounts are
back-dated over August for Em (500.000 → 400.000 đ) and Giang (600.000 →
100.000 đ): September's build finds the months paid above what is owed and
deducts them — 100.000 đ of Em's 400.000 đ, and all of Giang's 100.000 đ
(settled: nothing sent). September is sent and its results recorded: An paid
(Agribank), Bình failed (Vietcombank), Cúc not collected again (her August and
September in cash), Dũng paid at home, Em pending (Agribank).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from accounts.models import Bank
from beneficiaries.models import Representative
from payments.models import Payment, PaymentCycle
from payments.services.cycles import open_cycle
from payments.services.results import record_result
from tests.cycles.conftest import enrol
from tests.factories import (
    EntitlementFactory,
    PaymentAccountFactory,
    RegistrationFactory,
    RepresentativeFactory,
    VillageFactory,
)
from tests.payfiles.conftest import signed, submit  # noqa: F401  (signed: a fixture)

AUG = datetime.date(2023, 8, 1)
SEP = datetime.date(2023, 9, 1)
OCT = datetime.date(2023, 10, 1)
PAID_ON = datetime.date(2023, 9, 18)


@dataclass
class Reconciling:
    cycle: PaymentCycle
    previous: PaymentCycle
    people: dict

    def payment(self, key: str) -> Payment:
        return self.cycle.payments.get(beneficiary=self.people[key])


def build_people(commune) -> dict:
    cu = VillageFactory(commune=commune, name="Thôn Yến Cư")
    trung = VillageFactory(commune=commune, name="Thôn Yến Trung")
    people = {
        "an": enrol(commune, 2_055_000, full_name="Nguyễn Văn An", village=cu),
        "binh": enrol(commune, 1_500_000, full_name="Lê Thị Bình", village=trung),
        "cuc": enrol(commune, 1_000_000, full_name="Trần Thị Cúc", village=trung),
        "dung": enrol(commune, 750_000, full_name="Phạm Văn Dũng", village=cu),
        "em": enrol(commune, 500_000, full_name="Vũ Văn Em", village=cu),
        "giang": enrol(commune, 600_000, full_name="Đỗ Thị Giang", village=trung),
    }
    agribank = Bank.objects.get(bin="970405")
    vietcombank = Bank.objects.get(bin="970436")
    an, binh, em, dung = people["an"], people["binh"], people["em"], people["dung"]
    RegistrationFactory(
        beneficiary=an,
        method="account",
        account=PaymentAccountFactory(holder=an.person, bank=agribank, number="3500205000123"),
    )
    proxy = RepresentativeFactory(
        represented=binh.person, kind=Representative.Kind.PROXY, relationship="Con gái"
    )
    RegistrationFactory(
        beneficiary=binh,
        method="account",
        representative=proxy,
        account=PaymentAccountFactory(
            holder=proxy.person, bank=vietcombank, number="0011000123456"
        ),
    )
    RegistrationFactory(
        beneficiary=em,
        method="account",
        account=PaymentAccountFactory(holder=em.person, bank=agribank, number="3500205000999"),
    )
    guardian = RepresentativeFactory(
        represented=dung.person, kind=Representative.Kind.GUARDIAN, relationship="Vợ"
    )
    RegistrationFactory(beneficiary=dung, method="home", representative=guardian)
    # Cúc and Giang: no registration, cash at the post office.
    return people


@pytest.fixture
def reconciling(signed, reference_data, officer, leader) -> Reconciling:  # noqa: F811
    people = build_people(signed)
    previous = submit(open_cycle(signed, AUG, actor=officer).cycle, leader)
    record_result(
        previous.payments.get(beneficiary=people["cuc"]),
        status="returned",
        reason="Đi vắng",
        actor=officer,
    )
    # Lower amounts decided late, from August: paid above what is owed.
    EntitlementFactory(beneficiary=people["em"], from_month=AUG, amount=400_000)
    EntitlementFactory(beneficiary=people["giang"], from_month=AUG, amount=100_000)
    cycle = submit(open_cycle(signed, SEP, actor=officer).cycle, leader)
    result = Reconciling(cycle=cycle, previous=previous, people=people)
    record_result(result.payment("an"), status="paid", paid_on=PAID_ON, actor=officer)
    record_result(result.payment("dung"), status="paid", paid_on=PAID_ON, actor=officer)
    record_result(result.payment("binh"), status="failed", reason="Sai số tài khoản", actor=officer)
    record_result(result.payment("cuc"), status="returned", reason="Đi vắng", actor=officer)
    cycle.refresh_from_db()
    return result
