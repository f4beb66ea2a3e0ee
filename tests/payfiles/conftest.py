"""A commune paying every way: two banks, a proxy, cash with arrears, home delivery.

August 2023 is the first cycle (everyone in cash: the registrations start in
September); Cúc did not collect in August, so September pays her August too.
September is approved and submitted: the cycle whose files are checked.

``deducting`` is the same commune with two more people in cash, where lower
amounts are back-dated to August after August was sent: September's build
detects the recoveries and deducts them — An (account) and Giang (cash) in
part, Em (account) and Hoa (cash) whole (settled).
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
from tests.conftest import local_moment
from tests.cycles.conftest import enrol
from tests.factories import (
    EntitlementFactory,
    PaymentAccountFactory,
    RegistrationFactory,
    RepresentativeFactory,
    VillageFactory,
)

AUG = datetime.date(2023, 8, 1)
SEP = datetime.date(2023, 9, 1)
TODAY = datetime.date(2023, 9, 20)


@dataclass
class Paying:
    cycle: PaymentCycle
    previous: PaymentCycle
    people: dict

    def payment(self, key: str) -> Payment:
        return self.cycle.payments.get(beneficiary=self.people[key])


def submit(cycle: PaymentCycle, leader) -> PaymentCycle:
    PaymentCycle.objects.filter(pk=cycle.pk).update(status="submitted", approved_by=leader)
    cycle.refresh_from_db()
    return cycle


@pytest.fixture
def signed(commune):
    commune.issuing_body = "Ủy ban nhân dân xã Yến Sơn"
    commune.place_name = "Yến Sơn"
    commune.preparer_name = "Nguyễn Thị Lập"
    commune.accountant_name = "Trần Văn Toán"
    commune.leader_title = "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"
    commune.leader_name = "Lê Văn Chủ"
    commune.save()
    return commune


@pytest.fixture
def paying(signed, reference_data, officer, leader) -> Paying:
    return _paying(signed, officer, leader)


# Lowered from August, after August was paid: (person, amount owed from August).
LOWERED = {"an": 1_555_000, "em": 100_000, "giang": 600_000, "hoa": 100_000}
DETECTED_ON = datetime.date(2023, 9, 3)


@pytest.fixture
def deducting(signed, reference_data, officer, leader, clock) -> Paying:
    """September deducts: An 500.000 of 1.555.000 (sends 1.055.000), Em 100.000 of
    100.000 (settled, 300.000 left), Giang 200.000 of 600.000 (sends 400.000), Hoa
    100.000 of 100.000 (settled, 200.000 left). Recoveries detected on 03/09/2023."""

    def extra(c, cu, trung) -> dict:
        return {
            "giang": enrol(c, 800_000, full_name="Đỗ Thị Giang", village=cu),
            "hoa": enrol(c, 400_000, full_name="Bùi Thị Hoa", village=trung),
        }

    def lower(people) -> None:
        for key, amount in LOWERED.items():
            EntitlementFactory(beneficiary=people[key], from_month=AUG, amount=amount)
        clock.move_to(local_moment(DETECTED_ON))

    paying = _paying(signed, officer, leader, extra=extra, before_september=lower)
    clock.move_to(local_moment(TODAY))
    return paying


def _paying(c, officer, leader, *, extra=None, before_september=None) -> Paying:
    cu = VillageFactory(commune=c, name="Thôn Yến Cư")
    trung = VillageFactory(commune=c, name="Thôn Yến Trung")
    people = {
        "an": enrol(c, 2_055_000, full_name="Nguyễn Văn An", village=cu),
        "binh": enrol(c, 1_500_000, full_name="Lê Thị Bình", village=trung),
        "cuc": enrol(c, 1_000_000, full_name="Trần Thị Cúc", village=trung),
        "dung": enrol(c, 750_000, full_name="Phạm Văn Dũng", village=cu),
        "em": enrol(c, 500_000, full_name="Vũ Văn Em", village=cu),
        **(extra(c, cu, trung) if extra else {}),
    }
    agribank = Bank.objects.get(bin="970405")
    vietcombank = Bank.objects.get(bin="970436")
    an = people["an"]
    # A holder name that a spreadsheet would read as a formula: escaped in every file.
    RegistrationFactory(
        beneficiary=an,
        method="account",
        account=PaymentAccountFactory(
            holder=an.person, bank=agribank, number="3500205000123", holder_name="=NGUYEN VAN AN"
        ),
    )
    binh = people["binh"]
    proxy = RepresentativeFactory(
        represented=binh.person, kind=Representative.Kind.PROXY, relationship="Con gái"
    )
    RegistrationFactory(
        beneficiary=binh,
        method="account",
        representative=proxy,
        account=PaymentAccountFactory(
            holder=proxy.person, bank=vietcombank, number="0011000123456", holder_name="LE THI NHAN"
        ),
    )
    em = people["em"]
    RegistrationFactory(
        beneficiary=em,
        method="account",
        account=PaymentAccountFactory(holder=em.person, bank=agribank, number="3500205000999"),
    )
    dung = people["dung"]
    guardian = RepresentativeFactory(
        represented=dung.person, kind=Representative.Kind.GUARDIAN, relationship="Vợ"
    )
    RegistrationFactory(beneficiary=dung, method="home", representative=guardian)
    # Cúc: no registration, cash at the post office to herself.
    previous = submit(open_cycle(c, AUG, actor=officer).cycle, leader)
    record_result(
        previous.payments.get(beneficiary=people["cuc"]),
        status="returned",
        reason="Đi vắng",
        actor=officer,
    )
    if before_september is not None:
        before_september(people)
    cycle = submit(open_cycle(c, SEP, actor=officer).cycle, leader)
    return Paying(cycle=cycle, previous=previous, people=people)
