"""A commune whose people are registered every way a list must tell apart."""

from __future__ import annotations

import datetime

import pytest

from beneficiaries.models import Beneficiary, Person
from beneficiaries.services import record_matches
from registration.models import PaymentMethodRegistration
from tests.factories import _cccd
from tests.lists.data import enrol


@pytest.fixture
def signed_commune(commune):
    commune.issuing_body = "Ủy ban nhân dân xã Yến Sơn"
    commune.place_name = "Yến Sơn"
    commune.preparer_name = "Nguyễn Thị Lập"
    commune.accountant_name = "Trần Văn Toán"
    commune.leader_title = "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"
    commune.leader_name = "Lê Văn Chủ"
    commune.save()
    return commune


@pytest.fixture
def registered(signed_commune, reference_data, police):
    """Who is registered how (names chosen so the list order is An, Bình, Giang, Hà)."""
    c = signed_commune
    people = {
        "an": enrol(c, "NCC", "Nguyễn Văn An", amount=2_055_000),
        "binh": enrol(c, "NCC", "Lê Thị Bình", amount=1_500_000, representative=True,
                      gender=Person.Gender.FEMALE, personal_id=_cccd(950002, male=False)),
        "cuc": enrol(c, "NCC", "Trần Thị Cúc", method=PaymentMethodRegistration.Method.CASH),
        "dung": enrol(c, "NCC", "Phạm Văn Dũng", method=PaymentMethodRegistration.Method.HOME),
        "dao": enrol(c, "NCC", "Đỗ Văn Đào", date_of_death=datetime.date(2026, 12, 2)),
        "em": enrol(c, "NCC", "Vũ Văn Em"),
        "giang": enrol(c, "NCC", "Hoàng Văn Giang", amount=1_000_000,
                       birth_date=None, birth_year=1938, personal_id=_cccd(938001, 1938)),
        "ha": enrol(c, "BTXH", "Ngô Thị Hà", amount=750_000, gender=Person.Gender.FEMALE,
                    personal_id=_cccd(950008, male=False)),
    }  # fmt: skip
    em = people["em"].beneficiary
    em.status = Beneficiary.Status.ENDED
    em.end_month = datetime.date(2026, 6, 1)
    em.end_reason = Beneficiary.EndReason.MOVED
    em.save()
    # Giang is in two programmes: on both programmes' own-account lists.
    people["giang_btxh"] = enrol(c, "BTXH", "", person=people["giang"].person, amount=500_000)
    # The police have checked everyone: the lists may be sent (the gate has its own tests).
    record_matches(Person.objects.all(), actor=police)
    return people
