"""The post office's results as services: only a pending payment is recorded from its page."""

from __future__ import annotations

import datetime

import pytest

from payments import postoffice
from payments.models import Payment
from payments.services.results import ResultError, record_result, recorded_result_label

pytestmark = pytest.mark.django_db

DAY = datetime.date(2023, 9, 18)


def test_bulk_paid_records_only_pending_rows_and_names_the_others(paying, post_office):
    cuc, dung = paying.payment("cuc"), paying.payment("dung")
    record_result(dung, status=Payment.Status.RETURNED, actor=post_office, reason="Vắng nhà")
    done = postoffice.record_cash_paid(post_office, [cuc.pk, dung.pk], paid_on=DAY)
    assert (done.changed, done.kept) == (1, ["Phạm Văn Dũng"])
    statuses = dict(Payment.objects.filter(pk__in=[cuc.pk, dung.pk]).values_list("pk", "status"))
    assert statuses == {cuc.pk: "paid", dung.pk: "returned"}
    again = postoffice.record_cash_paid(post_office, [cuc.pk, dung.pk], paid_on=DAY)
    assert (again.changed, sorted(again.kept)) == (0, ["Phạm Văn Dũng", "Trần Thị Cúc"])


def test_a_different_result_over_a_recorded_one_is_refused_and_changes_nothing(paying, post_office):
    dung = paying.payment("dung")
    record_result(dung, status=Payment.Status.PAID, actor=post_office, paid_on=DAY)
    with pytest.raises(ResultError, match="không ghi đè kết quả đã ghi.*“Sửa kết quả”"):
        record_result(dung, status=Payment.Status.RETURNED, actor=post_office, reason="Vắng nhà")
    dung.refresh_from_db()
    assert (dung.status, dung.paid_on, dung.failure_reason) == ("paid", DAY, "")
    assert not dung.corrections.exists()


def test_the_same_result_again_goes_through_unchanged(paying, post_office):
    cuc = paying.payment("cuc")
    kwargs = {"status": Payment.Status.PAID, "actor": post_office, "paid_on": DAY}
    assert record_result(cuc, **kwargs)[1] is True
    assert record_result(cuc, **kwargs)[1] is False


def test_with_a_reason_a_recorded_result_is_corrected_and_the_correction_kept(paying, officer):
    # A bank's results file that says otherwise: the file is the correction's reason.
    dung = paying.payment("dung")
    record_result(dung, status=Payment.Status.RETURNED, actor=officer, reason="Vắng nhà")
    _p, changed = record_result(
        dung, status=Payment.Status.PAID, actor=officer, paid_on=DAY, correction="Tệp kết quả a.csv"
    )
    dung.refresh_from_db()
    assert changed and (dung.status, dung.paid_on) == ("paid", DAY)
    correction = dung.corrections.get()
    assert (correction.old_status, correction.old_failure_reason) == ("returned", "Vắng nhà")
    assert (correction.new_status, correction.new_paid_on) == ("paid", DAY)
    assert (correction.reason, correction.corrected_by) == ("Tệp kết quả a.csv", officer)


def test_the_recorded_result_reads_in_vietnamese(paying, post_office):
    cuc, dung = paying.payment("cuc"), paying.payment("dung")
    record_result(cuc, status=Payment.Status.PAID, actor=post_office, paid_on=DAY)
    record_result(dung, status=Payment.Status.RETURNED, actor=post_office, reason="Vắng nhà")
    cuc.refresh_from_db()
    dung.refresh_from_db()
    assert recorded_result_label(cuc) == "Đã chi trả ngày 18/09/2023"
    assert recorded_result_label(dung) == "Không nhận (tiền mặt) — Vắng nhà"
