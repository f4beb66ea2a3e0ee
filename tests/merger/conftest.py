"""Shared set-up of the merger tests: Yến Sơn (15307) and its neighbour Hà Đông,
both with villages, people and enrolments, to merge into Xã Hà Trung (15271)."""

from __future__ import annotations

import datetime

import pytest

from payments.models import PaymentCycle
from tests.factories import (
    BeneficiaryFactory,
    CommuneFactory,
    EntitlementFactory,
    PersonFactory,
    UserFactory,
    VillageFactory,
)

ON = datetime.date(2025, 7, 1)
JUNE = datetime.date(2025, 6, 1)


def enrol(commune, village=None, amount=1_000_000, start=datetime.date(2025, 1, 1), **person):
    village = village or VillageFactory(commune=commune, name="Thôn Đông")
    enrolment = BeneficiaryFactory(
        person=PersonFactory(commune=commune, village=village, **person), start_month=start
    )
    EntitlementFactory(beneficiary=enrolment, from_month=start, amount=amount)
    return enrolment


def cycle_in(commune, period, status=PaymentCycle.Status.CLOSED):
    """A cycle in ``status`` for the month, with no payments (the refusals read only that)."""
    approver = None
    if status != PaymentCycle.Status.DRAFT:
        approver = UserFactory(username="chutich_ky", is_superuser=False)
    return PaymentCycle.objects.create(
        commune=commune,
        period=period,
        due_on=period.replace(day=5),
        status=status,
        approved_by=approver,
    )


def close(cycle) -> None:
    """Move a built cycle straight to closed (the workflow is tested elsewhere)."""
    PaymentCycle.objects.filter(pk=cycle.pk).update(
        status="closed", approved_by=UserFactory(username="chutich_ky")
    )


@pytest.fixture
def ha_dong(db):
    return CommuneFactory(code="15280", name="Hà Đông")
