"""A commune whose September 2023 cycle was sent: one person paid into an account,
one in cash at the post office (a programme that suspends after three months
uncollected), each with a recorded result to correct."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from beneficiaries.models import Beneficiary, Programme
from payments.models import Payment, PaymentCycle, PaymentMonth
from payments.services.cycles import open_cycle
from payments.services.results import record_result
from tests.cycles.conftest import enrol
from tests.factories import CategoryFactory, PaymentAccountFactory, RegistrationFactory

# The commune paying every way of the bank files' tests, for the results files here.
from tests.payfiles.conftest import paying, signed  # noqa: F401, E402

SEP = datetime.date(2023, 9, 1)
OCT = datetime.date(2023, 10, 1)
PAID_ON = datetime.date(2023, 9, 12)


def submit(commune, period, officer, leader) -> PaymentCycle:
    cycle = open_cycle(commune, period, actor=officer).cycle
    PaymentCycle.objects.filter(pk=cycle.pk).update(status="submitted", approved_by=leader)
    cycle.refresh_from_db()
    return cycle


def live_months(enrolment: Beneficiary) -> list[datetime.date]:
    return sorted(
        PaymentMonth.objects.filter(beneficiary=enrolment, live=True).values_list(
            "month", flat=True
        )
    )


@dataclass
class Sent:
    cycle: PaymentCycle
    by_account: Beneficiary
    in_cash: Beneficiary

    @property
    def account_payment(self) -> Payment:
        return self.cycle.payments.get(beneficiary=self.by_account)

    @property
    def cash_payment(self) -> Payment:
        return self.cycle.payments.get(beneficiary=self.in_cash)


@pytest.fixture
def sent(commune, officer, leader, reference_data) -> Sent:
    """September sent (both start in September): the transfer paid, the cash not collected."""
    by_account = enrol(commune, 2_055_000, start=SEP, full_name="Nguyễn Văn An")
    RegistrationFactory(
        beneficiary=by_account,
        method="account",
        account=PaymentAccountFactory(holder=by_account.person),
        from_month=SEP,
    )
    btxh = Programme.objects.get(code="BTXH")
    in_cash = enrol(
        commune,
        500_000,
        start=SEP,
        category=CategoryFactory(programme=btxh, code="BTXH_K5C"),
        full_name="Trần Thị Cúc",
    )
    cycle = submit(commune, SEP, officer, leader)
    sent = Sent(cycle=cycle, by_account=by_account, in_cash=in_cash)
    record_result(
        sent.account_payment, status="paid", paid_on=PAID_ON, reference="FT1", actor=officer
    )
    record_result(sent.cash_payment, status="returned", reason="Đi vắng", actor=officer)
    return sent
