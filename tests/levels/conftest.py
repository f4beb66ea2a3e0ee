"""Shared set-up of the base-level tests: a commune paying BTXH (base level ×
coefficient) and NCC (fixed amounts), two cycles sent and a draft."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from amounts.models import Entitlement
from beneficiaries.models import Beneficiary, Category, Programme
from payments.models import PaymentCycle
from payments.services.cycles import open_cycle
from tests.factories import BeneficiaryFactory, PersonFactory, UserFactory

D = datetime.date
START = D(2024, 7, 1)
JUL, AUG, SEP, OCT = D(2026, 7, 1), D(2026, 8, 1), D(2026, 9, 1), D(2026, 10, 1)


def sent(cycle: PaymentCycle, status=PaymentCycle.Status.PAID) -> PaymentCycle:
    # Set-up only: the workflow to "paid" has its own tests.
    now = timezone.now()
    approver = UserFactory(username="chutich_duyet", role="leader")
    PaymentCycle.objects.filter(pk=cycle.pk).update(
        status=status, approved_by=approver, approved_at=now, submitted_at=now
    )
    cycle.refresh_from_db()
    return cycle


def enrol(commune, code: str, *, amount: int, coefficient=None, start=START, **person):
    category = Category.objects.get(code=code)
    enrolment = BeneficiaryFactory(
        person=PersonFactory(commune=commune, **person), category=category, start_month=start
    )
    Entitlement.objects.create(
        beneficiary=enrolment,
        from_month=start,
        basis="coefficient" if coefficient is not None else "fixed",
        coefficient=coefficient,
        amount=amount,
    )
    return enrolment


@dataclass
class World:
    btxh: Programme
    ncc: Programme
    ha: Beneficiary  # BTXH 1.5 × 500.000
    cuc: Beneficiary  # BTXH 2.0 × 500.000
    far: Beneficiary  # BTXH 1.5, another commune, never paid here
    ended: Beneficiary  # BTXH, ended in July 2026: not re-rated
    lan: Beneficiary  # NCC_A fixed 2.789.000
    minh: Beneficiary  # NCC_G fixed 2.789.000
    august: PaymentCycle
    september: PaymentCycle
    october: PaymentCycle  # a draft


@pytest.fixture
def world(reference_data, commune, other_commune, officer) -> World:
    btxh = Programme.objects.get(code="BTXH")
    ncc = Programme.objects.get(code="NCC")
    ha = enrol(commune, "BTXH_K6_N", amount=750_000, coefficient=1.5, full_name="Ngô Thị Hà")
    cuc = enrol(commune, "BTXH_K5A_80P", amount=1_000_000, coefficient=2, full_name="Vũ Văn Cúc")
    far = enrol(other_commune, "BTXH_K6_N", amount=750_000, coefficient=1.5, full_name="Đỗ Xa")
    ended = enrol(commune, "BTXH_K6_N", amount=750_000, coefficient=1.5, full_name="Lê Thôi")
    Beneficiary.objects.filter(pk=ended.pk).update(
        status=Beneficiary.Status.ENDED, end_month=JUL, end_reason=Beneficiary.EndReason.MOVED
    )
    lan = enrol(commune, "NCC_A", amount=2_789_000, full_name="Trần Thị Lan")
    minh = enrol(commune, "NCC_G", amount=2_789_000, full_name="Phạm Văn Minh")
    august = sent(open_cycle(commune, AUG, actor=officer).cycle)
    september = sent(open_cycle(commune, SEP, actor=officer).cycle, PaymentCycle.Status.SUBMITTED)
    october = open_cycle(commune, OCT, actor=officer).cycle
    return World(btxh, ncc, ha, cuc, far, ended, lan, minh, august, september, october)
