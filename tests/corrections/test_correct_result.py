"""Correcting a recorded result: each transition, the reason, who may, once, re-issued months,
what the next cycle pays, recoveries and suspensions."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from beneficiaries.models import Beneficiary
from payments.models import Payment, PaymentCycle, Recovery, ResultCorrection
from payments.services.corrections import CorrectionError, correct_result
from payments.services.cycles import open_cycle
from payments.services.recoveries import with_remaining
from payments.services.results import ResultError, record_result
from tests.corrections.conftest import OCT, PAID_ON, SEP, live_months, submit

pytestmark = pytest.mark.django_db

REASON = "Ngân hàng báo lại: giao dịch bị hoàn"


def _correct(payment, actor, status, *, paid_on=None, reference="", reason=REASON, **kwargs):
    return correct_result(
        payment,
        status=status,
        paid_on=paid_on,
        reference=reference,
        reason=reason,
        actor=actor,
        **kwargs,
    )


def _result(payment: Payment) -> tuple:
    payment.refresh_from_db()
    return (payment.status, payment.paid_on, payment.reference, payment.failure_reason)


def test_paid_to_failed_frees_the_month_and_keeps_what_it_replaced(sent, accountant):
    payment = sent.account_payment
    correction = _correct(payment, accountant, "failed", reference="FT1", failure_reason="Hoàn")
    assert _result(payment) == ("failed", None, "FT1", "Hoàn")
    assert live_months(sent.by_account) == []
    assert (correction.old_status, correction.old_paid_on, correction.old_reference) == (
        "paid",
        PAID_ON,
        "FT1",
    )
    assert (correction.new_status, correction.new_failure_reason) == ("failed", "Hoàn")
    assert (correction.reason, correction.corrected_by) == (REASON, accountant)
    assert correction.history.get().history_user == accountant
    last = payment.history.first()
    assert (last.status, last.history_user) == ("failed", accountant)


def test_failed_to_paid_makes_the_month_live_again(sent, officer, accountant):
    payment = sent.account_payment
    _correct(payment, officer, "failed", failure_reason="Sai số tài khoản")
    _correct(payment, accountant, "paid", paid_on=datetime.date(2023, 9, 20), reference="FT9")
    assert _result(payment) == ("paid", datetime.date(2023, 9, 20), "FT9", "")
    assert live_months(sent.by_account) == [SEP]
    assert [c.new_status for c in payment.corrections.order_by("pk")] == ["failed", "paid"]


def test_returned_to_paid_and_back_for_cash(sent, post_office):
    payment = sent.cash_payment
    _correct(payment, post_office, "paid", paid_on=PAID_ON, reason="Người nhận đã ký sổ")
    assert _result(payment) == ("paid", PAID_ON, "", "")
    assert live_months(sent.in_cash) == [SEP]
    _correct(payment, post_office, "returned", reason="Ký nhầm dòng")
    assert _result(payment) == ("returned", None, "", "Ký nhầm dòng")
    assert live_months(sent.in_cash) == []
    assert payment.corrections.count() == 2


def test_a_paid_day_corrected_is_a_correction_too(sent, officer):
    payment = sent.account_payment
    _correct(payment, officer, "paid", paid_on=datetime.date(2023, 9, 13), reference="FT1")
    assert _result(payment)[:2] == ("paid", datetime.date(2023, 9, 13))
    assert live_months(sent.by_account) == [SEP]


def test_a_result_the_payment_cannot_take_is_refused(sent, officer):
    with pytest.raises(ResultError, match="không thể “không nhận”"):
        _correct(sent.account_payment, officer, "returned")
    with pytest.raises(ResultError, match="không thể “chuyển khoản lỗi”"):
        _correct(sent.cash_payment, officer, "failed")
    with pytest.raises(ResultError, match="Cần ngày chi trả"):
        _correct(sent.cash_payment, officer, "paid")
    with pytest.raises(ResultError, match="sau hôm nay"):
        _correct(sent.cash_payment, officer, "paid", paid_on=datetime.date(2030, 1, 1))
    with pytest.raises(ResultError, match="Chờ chi trả|chỉ sửa thành"):
        _correct(sent.cash_payment, officer, "pending")
    assert not ResultCorrection.objects.exists()


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_the_reason_is_required_and_nothing_changes_without_it(sent, officer, reason):
    before = _result(sent.account_payment)
    with pytest.raises(CorrectionError, match="Hãy ghi lý do"):
        _correct(sent.account_payment, officer, "failed", reason=reason)
    assert _result(sent.account_payment) == before
    assert not ResultCorrection.objects.exists()


def test_the_reason_is_kept_on_one_line_and_serves_as_the_failure_reason(sent, officer):
    _correct(sent.account_payment, officer, "failed", reason="  Tài khoản\n  đã đóng  ")
    correction = ResultCorrection.objects.get()
    assert correction.reason == "Tài khoản đã đóng"
    assert _result(sent.account_payment)[3] == "Tài khoản đã đóng"


def test_a_pending_payment_has_nothing_to_correct(commune, officer, leader, sent):
    october = submit(commune, OCT, officer, leader)
    with pytest.raises(CorrectionError, match="chưa có kết quả"):
        _correct(october.payments.first(), officer, "paid", paid_on=datetime.date(2023, 10, 9))


def test_a_second_identical_correction_is_refused_and_says_so(sent, officer):
    payment = sent.account_payment
    _correct(payment, officer, "failed", failure_reason="Hoàn")
    with pytest.raises(CorrectionError, match=r"đã được sửa lúc .*không sửa lần nữa"):
        _correct(payment, officer, "failed", failure_reason="Hoàn")
    assert payment.corrections.count() == 1
    assert payment.history.filter(status="failed").count() == 1


def test_a_correction_to_the_result_recorded_is_refused(sent, officer):
    with pytest.raises(CorrectionError, match="giống kết quả đang ghi.*Không có gì thay đổi"):
        _correct(sent.account_payment, officer, "paid", paid_on=PAID_ON, reference="FT1")
    assert not ResultCorrection.objects.exists()


def test_who_may_correct_while_the_cycle_is_open(
    sent, officer, accountant, post_office, leader, district
):
    for actor in (leader, district):
        with pytest.raises(PermissionDenied):
            _correct(sent.cash_payment, actor, "paid", paid_on=PAID_ON)
    # The post office: its cash rows only.
    with pytest.raises(PermissionDenied):
        _correct(sent.account_payment, post_office, "failed")
    _correct(sent.cash_payment, post_office, "paid", paid_on=PAID_ON)
    _correct(sent.cash_payment, officer, "returned", reason="Ký nhầm")
    _correct(sent.account_payment, accountant, "failed")
    assert ResultCorrection.objects.count() == 3


def test_a_closed_cycle_is_corrected_by_the_accountant_only(sent, officer, accountant, post_office):
    PaymentCycle.objects.filter(pk=sent.cycle.pk).update(status="closed")
    for actor in (officer, post_office):
        with pytest.raises(PermissionDenied):
            _correct(sent.cash_payment, actor, "paid", paid_on=PAID_ON)
    _correct(sent.cash_payment, accountant, "paid", paid_on=PAID_ON)
    assert _result(sent.cash_payment)[0] == "paid"
    # A first result is still recorded only while the cycle is sent and not closed.
    with pytest.raises(ResultError, match="đã gửi"):
        record_result(sent.account_payment, status="failed", reason="x", actor=accountant)


def test_paid_to_returned_frees_the_month_and_the_next_cycle_pays_it_again(
    commune, sent, officer, leader
):
    _correct(sent.cash_payment, officer, "paid", paid_on=PAID_ON, reason="Đã ký sổ")
    _correct(sent.cash_payment, officer, "returned", reason="Ký nhầm: chưa nhận")
    october = open_cycle(commune, OCT, actor=officer).cycle
    again = october.payments.get(beneficiary=sent.in_cash)
    assert sorted(again.months.values_list("month", "live")) == [(SEP, True), (OCT, True)]
    assert again.amount == 1_000_000


def test_a_failed_payment_paid_after_all_is_refused_once_its_months_were_reissued(
    commune, sent, officer, leader
):
    payment = sent.account_payment
    _correct(payment, officer, "failed", failure_reason="Sai số tài khoản")
    october = submit(commune, OCT, officer, leader)  # pays September again
    before = _result(payment)
    with pytest.raises(ResultError) as refused:
        _correct(payment, officer, "paid", paid_on=PAID_ON)
    message = str(refused.value)
    assert "Các tháng 09/2023 của khoản này đã được chi lại ở kỳ sau (kỳ tháng 10/2023)" in message
    assert "hãy sửa kết quả của khoản đó trước" in message
    assert _result(payment) == before
    assert payment.corrections.count() == 1
    # What the message says to do: the October payment not received, then September paid.
    later = october.payments.get(beneficiary=sent.by_account)
    record_result(later, status="paid", paid_on=datetime.date(2023, 10, 8), actor=officer)
    _correct(later, officer, "failed", reason="Đã nhận ở kỳ tháng 09/2023")
    _correct(payment, officer, "paid", paid_on=PAID_ON)
    assert live_months(sent.by_account) == [SEP]  # October's own month is owed again


def test_a_correction_that_makes_paid_months_not_owed_opens_a_recovery_and_undoing_it_releases_it(
    commune, sent, officer, leader
):
    """October's transfer failed; the person died in September; the bank then says
    October went through after all: October was paid and is not owed."""
    october = submit(commune, OCT, officer, leader)
    later = october.payments.get(beneficiary=sent.by_account)
    record_result(later, status="failed", reason="Tài khoản bị khóa", actor=officer)
    person = sent.by_account.person
    person.date_of_death = datetime.date(2023, 9, 20)
    person.save()
    _correct(later, officer, "paid", paid_on=datetime.date(2023, 10, 6), reason="Ngân hàng báo lại")
    recovery = Recovery.objects.get(beneficiary=sent.by_account)
    assert (recovery.cause, recovery.amount) == ("death", 2_055_000)
    assert list(recovery.months.values_list("month", "amount")) == [(OCT, 2_055_000)]
    assert (
        recovery.history.first().history_change_reason == "Sửa kết quả chi trả: Ngân hàng báo lại"
    )
    # Failed after all: October's money did not go out, nothing to recover.
    _correct(later, officer, "failed", reason="Ngân hàng báo nhầm")
    left = with_remaining(Recovery.objects.filter(pk=recovery.pk)).get()
    assert (left.amount, left.left) == (0, 0)


def test_a_third_uncollected_month_by_correction_suspends_the_allowance(
    commune, sent, officer, leader
):
    """September was not collected (the fixture), October neither; November was
    recorded paid, then corrected: not collected either. Three in a row (BTXH)."""
    october = submit(commune, OCT, officer, leader)
    record_result(
        october.payments.get(beneficiary=sent.in_cash),
        status="returned",
        reason="Không đến nhận",
        actor=officer,
    )
    november = submit(commune, datetime.date(2023, 11, 1), officer, leader).payments.get(
        beneficiary=sent.in_cash
    )
    record_result(november, status="paid", paid_on=datetime.date(2023, 11, 5), actor=officer)
    sent.in_cash.refresh_from_db()
    assert sent.in_cash.status == Beneficiary.Status.ACTIVE
    _correct(november, officer, "returned", reason="Ký nhầm: chưa nhận")
    sent.in_cash.refresh_from_db()
    assert sent.in_cash.status == Beneficiary.Status.SUSPENDED
    assert "3 tháng liền" in sent.in_cash.note
