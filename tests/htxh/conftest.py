"""Hưu trí xã hội: people of the right age with their declared conditions."""

from __future__ import annotations

import datetime
import itertools

import pytest

from beneficiaries.models import Category, EnrolmentCondition, Person
from beneficiaries.services import record_matches
from tests.factories import PersonFactory, _cccd

_SERIAL = itertools.count(9000)

JUN = datetime.date(2025, 6, 1)
JUL = datetime.date(2025, 7, 1)


@pytest.fixture
def htxh(reference_data):
    return Category.objects.select_related("programme").get(code="HTXH_75")


@pytest.fixture
def htxh_poor(reference_data):
    return Category.objects.select_related("programme").get(code="HTXH_70_NGHEO")


@pytest.fixture
def k5c(reference_data):
    return Category.objects.select_related("programme").get(code="BTXH_K5C")


def declare(person, kind=EnrolmentCondition.Kind.NO_PENSION, valid_from=JUL, valid_until=None):
    return EnrolmentCondition.objects.create(
        person=person,
        kind=kind,
        document="Tờ khai không hưởng lương hưu"
        if kind == "no_pension"
        else "GCN hộ nghèo 12/2025",
        document_date=valid_from,
        valid_from=valid_from,
        valid_until=valid_until,
    )


def elder(commune, *, born=datetime.date(1945, 3, 10), year_only=False, **kwargs):
    """A person of the commune; ``year_only``: only the birth year is known. The
    CCCD agrees with the birth year (data quality blocks a cycle otherwise)."""
    kwargs.setdefault("personal_id", _cccd(next(_SERIAL), born.year))
    if year_only:
        return PersonFactory(commune=commune, birth_date=None, birth_year=born.year, **kwargs)
    return PersonFactory(commune=commune, birth_date=born, birth_year=born.year, **kwargs)


@pytest.fixture
def verify_all(police, reference_data):
    """Record a police "match" for everyone now in the database."""

    def run() -> None:
        record_matches(Person.objects.all(), actor=police)

    return run
