"""Before 07/2025 hưu trí xã hội does not exist: no list, no report line or sheet,
no cycle line owed — even for an enrolment written straight to the database."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest

from amounts.models import Entitlement
from beneficiaries.models import Programme
from payments.models import PaymentMonth
from payments.services.cycles import open_cycle
from registration.listfiles import empty_lists
from registration.models import PaymentMethodRegistration
from reports.monthly import write_monthly_report
from tests.factories import (
    BeneficiaryFactory,
    EntitlementFactory,
    PaymentAccountFactory,
    RegistrationFactory,
)
from tests.htxh.conftest import JUL, JUN, elder

pytestmark = pytest.mark.django_db
D = datetime.date
HTXH_NAME = "Trợ cấp hưu trí xã hội"


@pytest.fixture
def early_htxh(commune, htxh):
    """An HTXH enrolment from 06/2025, paid into an account: bad data the registry
    refuses, written by a factory to show that nothing of June is produced."""
    person = elder(commune, born=D(1945, 1, 1))
    enrolment = BeneficiaryFactory(person=person, category=htxh, start_month=JUN)
    EntitlementFactory(
        beneficiary=enrolment,
        from_month=JUN,
        basis=Entitlement.Basis.COEFFICIENT,
        coefficient=htxh.coefficient,
        amount=500_000,
    )
    RegistrationFactory(
        beneficiary=enrolment,
        from_month=JUN,
        method=PaymentMethodRegistration.Method.ACCOUNT,
        account=PaymentAccountFactory(holder=person),
    )
    return enrolment


def test_the_programme_runs_from_its_first_month(reference_data):
    htxh = Programme.objects.get(code="HTXH")

    assert htxh.starts_from == JUL
    assert (htxh.runs_in(JUN), htxh.runs_in(JUL)) == (False, True)
    assert set(Programme.objects.running_in(JUN).values_list("code", flat=True)) == {"NCC", "BTXH"}
    assert "HTXH" in set(Programme.objects.running_in(JUL).values_list("code", flat=True))


def test_no_hưu_trí_xã_hội_list_not_even_an_empty_one_before_july_2025(commune, reference_data):
    assert "HTXH" not in {programme.code for programme, _kind in empty_lists(commune, JUN)}
    assert "HTXH" in {programme.code for programme, _kind in empty_lists(commune, JUL)}


def _report(commune, period):
    out = io.BytesIO()
    write_monthly_report(out, commune=commune, period=period, dated=period)
    out.seek(0)
    return openpyxl.load_workbook(out)


def _share_lines(wb) -> list[str]:
    return [row[0].value for row in wb["Tỷ lệ KDTM"].iter_rows() if row[0].value]


def test_no_report_line_nor_sheet_before_july_2025(commune, early_htxh):
    june = _report(commune, JUN)
    assert not [name for name in june.sheetnames if "HTXH" in name]
    assert HTXH_NAME not in _share_lines(june)

    july = _report(commune, JUL)
    assert "DS HTXH tự nhận" in july.sheetnames
    assert HTXH_NAME in _share_lines(july)


def test_no_cycle_line_owed_before_july_2025(commune, officer, early_htxh):
    june = open_cycle(commune, JUN, actor=officer).cycle
    assert not june.payments.exists()

    july = open_cycle(commune, JUL, actor=officer).cycle

    assert list(PaymentMonth.objects.values_list("payment__cycle", "month", "amount")) == [
        (july.pk, JUL, 500_000)
    ]
