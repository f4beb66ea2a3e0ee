"""Helpers of the list tests: an enrolment registered a given way."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from beneficiaries.models import Beneficiary, Category, Person
from registration.models import PaymentMethodRegistration
from tests.factories import (
    BankFactory,
    BeneficiaryFactory,
    EntitlementFactory,
    PaymentAccountFactory,
    PersonFactory,
    RegistrationFactory,
    RepresentativeFactory,
    VillageFactory,
)

PERIOD = datetime.date(2027, 1, 1)
TODAY = datetime.date(2027, 1, 5)
ACCOUNT = PaymentMethodRegistration.Method.ACCOUNT


@dataclass
class Enrolled:
    beneficiary: Beneficiary
    registration: PaymentMethodRegistration

    @property
    def person(self) -> Person:
        return self.beneficiary.person


def enrol(
    commune,
    programme: str,
    name: str,
    *,
    method: str = ACCOUNT,
    amount: int = 2_055_000,
    representative: bool = False,
    person: Person | None = None,
    account_number: str | None = None,
    **person_fields,
) -> Enrolled:
    """An enrolment with its entitlement and current registration."""
    if person is None:
        village = VillageFactory(commune=commune, name="Thôn Yến Cư")
        person = PersonFactory(commune=commune, village=village, full_name=name, **person_fields)
    category = Category.objects.filter(programme__code=programme).order_by("code").first()
    beneficiary = BeneficiaryFactory(person=person, commune=commune, category=category)
    EntitlementFactory(beneficiary=beneficiary, amount=amount)
    rep = None
    account = None
    if method == ACCOUNT:
        holder = person
        if representative:
            rep = RepresentativeFactory(represented=person, relationship="Con gái")
            holder = rep.person
        extra = {"number": account_number} if account_number else {}
        account = PaymentAccountFactory(holder=holder, bank=BankFactory(), **extra)
    registration = RegistrationFactory(
        beneficiary=beneficiary, method=method, representative=rep, account=account
    )
    return Enrolled(beneficiary, registration)
