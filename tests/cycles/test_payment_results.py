"""Recording what happened to a payment: validated, idempotent, frees months, suspends."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from beneficiaries.models import Beneficiary, Programme
from payments.models import PaymentCycle, PaymentMonth
from payments.services.cycles import open_cycle
from payments.services.results import ResultError, record_result
from tests.cycles.conftest import enrol
from tests.factories import CategoryFactory, PaymentAccountFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

PAID_ON = datetime.date(2023, 9, 12)


def _submitted(commune, officer, leader, period):
    cycle = open_cycle(commune, period, actor=officer).cycle
    PaymentCycle.objects.filter(pk=cycle.pk).update(status="submitted", approved_by=leader)
    return cycle


def test_the_same_result_twice_changes_nothing(commune, officer, leader):
    enrol(commune)
    payment = _submitted(commune, officer, leader, datetime.date(2023, 9, 1)).payments.get()
    _payment, changed = record_result(
        payment, status="paid", paid_on=PAID_ON, reference="FT1", actor=officer
    )
    assert changed
    _payment, changed = record_result(
        payment, status="paid", paid_on=PAID_ON, reference="FT1", actor=officer
    )
    assert not changed
    assert payment.history.count() == 2  # built, then paid once


def test_results_need_a_submitted_cycle_a_date_and_a_reason(commune, officer):
    enrol(commune)
    payment = open_cycle(commune, datetime.date(2023, 9, 1), actor=officer).cycle.payments.get()
    with pytest.raises(ResultError, match="đã gửi"):
        record_result(payment, status="paid", paid_on=PAID_ON, actor=officer)


def test_a_paid_date_after_today_or_before_the_cycles_month_is_refused(
    commune, officer, leader, clock
):
    """Whoever brings the result (the post office's page, a bank file, the officer)."""
    from tests.conftest import local_moment

    clock.move_to(local_moment(datetime.date(2023, 9, 20)))
    enrol(commune)
    payment = _submitted(commune, officer, leader, datetime.date(2023, 9, 1)).payments.get()
    with pytest.raises(ResultError, match="sau hôm nay"):
        record_result(payment, status="paid", paid_on=datetime.date(2023, 9, 21), actor=officer)
    with pytest.raises(ResultError, match=r"trước tháng của kỳ chi trả \(09/2023\)"):
        record_result(payment, status="paid", paid_on=datetime.date(2023, 8, 31), actor=officer)
    payment.refresh_from_db()
    assert (payment.status, payment.paid_on) == ("pending", None)
    _payment, changed = record_result(
        payment, status="paid", paid_on=datetime.date(2023, 9, 20), actor=officer
    )
    assert changed


def test_a_failed_transfer_needs_a_reason_and_frees_its_months(commune, officer, leader):
    enrolment = enrol(commune)
    account = PaymentAccountFactory(holder=enrolment.person)
    RegistrationFactory(beneficiary=enrolment, method="account", account=account)
    payment = _submitted(commune, officer, leader, datetime.date(2023, 9, 1)).payments.get()
    with pytest.raises(ResultError, match="lý do"):
        record_result(payment, status="failed", actor=officer)
    with pytest.raises(ResultError, match="không nhận"):
        record_result(payment, status="returned", reason="x", actor=officer)
    record_result(payment, status="failed", reason="Tài khoản đã đóng", actor=officer)
    assert not PaymentMonth.objects.get(payment=payment).live


def test_the_post_office_records_cash_but_not_transfers(commune, officer, leader, post_office):
    cash = enrol(commune)
    by_account = enrol(commune)
    RegistrationFactory(
        beneficiary=by_account,
        method="account",
        account=PaymentAccountFactory(holder=by_account.person),
    )
    cycle = _submitted(commune, officer, leader, datetime.date(2023, 9, 1))
    record_result(
        cycle.payments.get(beneficiary=cash), status="paid", paid_on=PAID_ON, actor=post_office
    )
    with pytest.raises(PermissionDenied):
        record_result(
            cycle.payments.get(beneficiary=by_account),
            status="paid",
            paid_on=PAID_ON,
            actor=post_office,
        )


def test_a_correction_cannot_revive_months_paid_again_later(commune, officer, leader):
    enrol(commune)
    september = _submitted(commune, officer, leader, datetime.date(2023, 9, 1))
    payment = september.payments.get()
    record_result(payment, status="returned", reason="Đi vắng", actor=officer)
    _submitted(commune, officer, leader, datetime.date(2023, 10, 1))  # re-issues September
    with pytest.raises(ResultError, match="không ghi đè kết quả đã ghi"):
        record_result(payment, status="paid", paid_on=PAID_ON, actor=officer)
    with pytest.raises(
        ResultError, match=r"Các tháng 09/2023 .* chi lại ở kỳ sau \(kỳ tháng 10/2023\)"
    ):
        record_result(
            payment, status="paid", paid_on=PAID_ON, actor=officer, correction="Tệp kết quả x.csv"
        )
    payment.refresh_from_db()
    assert payment.status == "returned" and not payment.corrections.exists()


def test_three_months_uncollected_suspend_a_social_allowance(
    commune, officer, leader, reference_data
):
    btxh = Programme.objects.get(code="BTXH")
    enrolment = enrol(commune, category=CategoryFactory(programme=btxh, code="BTXH_K5C"))
    ncc = enrol(commune)
    for month in (9, 10, 11):
        cycle = _submitted(commune, officer, leader, datetime.date(2023, month, 1))
        for payment in cycle.payments.all():
            record_result(payment, status="returned", reason="Không đến nhận", actor=officer)
        enrolment.refresh_from_db()
        assert enrolment.status == (
            Beneficiary.Status.SUSPENDED if month == 11 else Beneficiary.Status.ACTIVE
        )
    ncc.refresh_from_db()
    assert ncc.status == Beneficiary.Status.ACTIVE  # NCC is not suspended for this


def test_suspension_counts_up_to_the_payments_month_when_the_next_cycle_is_open(
    commune, officer, leader, reference_data
):
    btxh = Programme.objects.get(code="BTXH")
    enrolment = enrol(commune, category=CategoryFactory(programme=btxh, code="BTXH_K5C"))
    cycles = []
    for month in (9, 10, 11):
        cycles.append(_submitted(commune, officer, leader, datetime.date(2023, month, 1)))
    open_cycle(commune, datetime.date(2023, 12, 1), actor=officer)  # December draft, pending
    # The results of September to November come back after December was opened.
    for cycle in cycles:
        for payment in cycle.payments.filter(beneficiary=enrolment, status="pending"):
            record_result(payment, status="returned", reason="Không đến nhận", actor=officer)
    enrolment.refresh_from_db()
    assert enrolment.status == Beneficiary.Status.SUSPENDED
