"""The data set of the monthly report tests: the registration lists' commune, plus
an account request, an enrolment with no registration and a suspended one."""

from __future__ import annotations

import datetime

import pytest

from beneficiaries.models import Beneficiary, Person
from beneficiaries.services import record_matches
from payments.services.cycles import open_cycle
from registration.models import AccountOpeningRequest
from tests.broker.test_celery_worker import not_eager, queue, start_worker  # noqa: F401
from tests.conftest import local_moment
from tests.factories import AccountOpeningRequestFactory, EntitlementFactory
from tests.lists.conftest import registered, signed_commune  # noqa: F401 (fixtures)
from tests.lists.data import PERIOD, enrol

DECEMBER = datetime.date(2026, 12, 1)


@pytest.fixture
def report_data(registered, signed_commune, police):  # noqa: F811 (the fixture above)
    c = signed_commune
    people = dict(registered)
    # Cúc takes cash but has asked for an account (an open request).
    request = AccountOpeningRequestFactory(person=people["cuc"].person)
    assert request.state == AccountOpeningRequest.State.REQUESTED
    # Khang has no registration yet; Lan is suspended (not paid, on no row).
    khang = enrol(c, "NCC", "Lý Văn Khang", amount=2_055_000)
    khang.registration.delete()
    people["khang"] = khang
    lan = enrol(c, "BTXH", "Mai Thị Lan", amount=750_000, gender=Person.Gender.FEMALE)
    lan.beneficiary.status = Beneficiary.Status.SUSPENDED
    lan.beneficiary.save()
    people["lan"] = lan
    record_matches(Person.objects.all(), actor=police)
    return people


@pytest.fixture
def january_cycle(report_data, officer, clock):
    """December's cycle, then January's, with Hà's amount raised in January."""
    clock.move_to(local_moment(datetime.date(2027, 1, 3)))
    open_cycle(report_data["cuc"].beneficiary.commune, DECEMBER, actor=officer)
    EntitlementFactory(beneficiary=report_data["ha"].beneficiary, from_month=PERIOD, amount=800_000)
    return open_cycle(report_data["cuc"].beneficiary.commune, PERIOD, actor=officer).cycle
