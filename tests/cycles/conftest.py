"""Shared set-up of the cycle tests: enrolments with an entitlement, verified people."""

from __future__ import annotations

import datetime

import pytest

from beneficiaries.models import Person
from beneficiaries.services import record_matches
from tests.factories import BeneficiaryFactory, EntitlementFactory, PersonFactory

SEP = datetime.date(2023, 9, 1)


def enrol(commune, amount=2_055_000, start=datetime.date(2023, 7, 1), category=None, **person):
    extra = {"category": category} if category is not None else {}
    enrolment = BeneficiaryFactory(
        person=PersonFactory(commune=commune, **person), start_month=start, **extra
    )
    EntitlementFactory(beneficiary=enrolment, from_month=start, amount=amount)
    return enrolment


@pytest.fixture
def verify_all(police, reference_data):
    """Record a police "match" for everyone now in the database."""

    def run() -> None:
        record_matches(Person.objects.all(), actor=police)

    return run
