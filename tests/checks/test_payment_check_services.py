"""Payment checks: a stratified, reproducible sample; answers, statements and cases."""

from __future__ import annotations

import random

import pytest
from django.core.exceptions import PermissionDenied

from payments.checks import (
    CheckError,
    allocate,
    draw_sample,
    open_cases,
    record_check,
    record_statement,
    resolve_case,
    sample_size,
    sampled_payment_ids,
)
from payments.models import Payment, PaymentCase, PaymentCheck, PaymentCheckSample
from tests.checks.conftest import METHODS, paid_cycle

pytestmark = pytest.mark.django_db


def test_the_sample_size_is_the_share_rounded_up_at_least_the_minimum_at_most_everyone():
    assert sample_size(1000, 5, 10) == 50
    assert sample_size(1001, 5, 10) == 51
    assert sample_size(100, 5, 10) == 10
    assert sample_size(7, 5, 10) == 7
    assert sample_size(0, 5, 10) == 0


def test_allocation_gives_each_stratum_one_then_shares_the_rest_by_size():
    sizes = {"a": 80, "b": 15, "c": 5}
    taken = allocate(sizes, 20, random.Random(1))
    assert sum(taken.values()) == 20
    assert all(taken[k] >= 1 for k in sizes)
    assert taken["a"] > taken["b"] > 0
    assert all(taken[k] <= sizes[k] for k in sizes)


def test_allocation_with_fewer_places_than_strata_takes_one_from_as_many_strata():
    taken = allocate({"a": 3, "b": 3, "c": 3}, 2, random.Random(4))
    assert sorted(taken.values()) == [1, 1]


def test_the_sample_covers_every_method_and_village(small_cycle, officer):
    sample = draw_sample(small_cycle, actor=officer, seed=7, share_percent=5, minimum=6)
    checks = list(sample.checks.select_related("payment", "person__village"))
    assert len(checks) == 6
    strata = {(c.payment.method, c.person.village.name) for c in checks}
    assert strata == {(m, v) for m in METHODS for v in ("Thôn Đông", "Thôn Tây")}
    assert all(c.outcome == PaymentCheck.Outcome.PENDING for c in checks)
    assert all(c.person_id == c.payment.beneficiary.person_id for c in checks)


def test_the_same_seed_on_the_same_cycle_gives_the_same_people(small_cycle, officer):
    sample = draw_sample(small_cycle, actor=officer, seed=12345, share_percent=5, minimum=7)
    drawn = sorted(sample.checks.values_list("payment_id", flat=True))
    assert sampled_payment_ids(small_cycle, sample.seed, sample.share, sample.minimum) == drawn
    assert sampled_payment_ids(small_cycle, 12345, 5, 7) == drawn
    others = {tuple(sampled_payment_ids(small_cycle, seed, 5, 7)) for seed in range(1, 8)}
    assert len(others) > 1  # another seed draws other people


def test_the_minimum_is_taken_and_everyone_when_fewer_were_paid(
    commune, officer, leader, reference_data, settings
):
    settings.PAYMENT_CHECK_SHARE_PERCENT = 5
    settings.PAYMENT_CHECK_MINIMUM = 10
    cycle = paid_cycle(commune, officer, leader, {("cash", "Thôn Đông"): 4})
    sample = draw_sample(cycle, actor=officer)
    assert (sample.share, sample.minimum) == (5, 10)
    assert sample.checks.count() == 4
    assert sample.drawn_by == officer


def test_a_larger_cycle_draws_the_default_minimum(commune, officer, leader, reference_data):
    cycle = paid_cycle(
        commune, officer, leader, {("cash", "Thôn Đông"): 14, ("home", "Thôn Tây"): 3}
    )
    sample = draw_sample(cycle, actor=officer)
    assert sample.checks.count() == 10
    assert sample.checks.filter(payment__method="home").count() >= 1


def test_a_cycle_is_sampled_once(small_cycle, officer):
    draw_sample(small_cycle, actor=officer, seed=1)
    with pytest.raises(CheckError, match="mỗi kỳ chỉ chọn một lần"):
        draw_sample(small_cycle, actor=officer, seed=2)
    assert PaymentCheckSample.objects.count() == 1
    assert PaymentCheck.objects.count() == 10


def test_an_unpaid_cycle_is_not_sampled(small_cycle, officer):
    type(small_cycle).objects.filter(pk=small_cycle.pk).update(status="submitted")
    with pytest.raises(CheckError, match="đã chi trả xong"):
        draw_sample(small_cycle, actor=officer)
    assert not PaymentCheckSample.objects.exists()


def test_only_the_officer_draws_records_and_resolves(small_cycle, officer, accountant, leader):
    for who in (accountant, leader):
        with pytest.raises(PermissionDenied):
            draw_sample(small_cycle, actor=who)
    sample = draw_sample(small_cycle, actor=officer, seed=3)
    check = sample.checks.first()
    with pytest.raises(PermissionDenied):
        record_check(check, outcome="confirmed", actor=accountant)
    record_check(check, outcome="not_received", actor=officer)
    with pytest.raises(PermissionDenied):
        resolve_case(PaymentCase.objects.get(), actor=leader, resolution="Đã chi lại")


def test_not_received_opens_a_case_and_the_same_answer_twice_records_once(small_cycle, officer):
    check = draw_sample(small_cycle, actor=officer, seed=3).checks.first()
    _check, changed = record_check(
        check, outcome="not_received", note="Chưa thấy tiền", actor=officer
    )
    assert changed
    _check, changed = record_check(
        check, outcome="not_received", note="Chưa thấy tiền", actor=officer
    )
    assert not changed
    case = PaymentCase.objects.get()
    assert (case.payment_id, case.person_id, case.source) == (
        check.payment_id,
        check.person_id,
        PaymentCase.Source.CHECK,
    )
    assert list(open_cases([small_cycle.commune_id])) == [case]
    check.refresh_from_db()
    assert check.recorded_by == officer and check.history.count() == 2
    with pytest.raises(CheckError, match="không ghi đè"):
        record_check(check, outcome="confirmed", actor=officer)


def test_amount_differs_needs_the_amount_stated(small_cycle, officer):
    check = draw_sample(small_cycle, actor=officer, seed=3).checks.select_related("payment").first()
    with pytest.raises(CheckError, match="hãy ghi số tiền"):
        record_check(check, outcome="amount_differs", actor=officer)
    with pytest.raises(CheckError, match="Đã nhận đủ"):
        record_check(
            check, outcome="amount_differs", amount_stated=check.payment.amount, actor=officer
        )
    assert not PaymentCase.objects.exists()
    record_check(check, outcome="amount_differs", amount_stated=1_000_000, actor=officer)
    check.refresh_from_db()
    assert check.amount_stated == 1_000_000
    assert PaymentCase.objects.filter(opened_from=check).exists()


def test_confirmed_and_unreachable_open_no_case_and_unreachable_may_be_asked_again(
    small_cycle, officer
):
    first, second = draw_sample(small_cycle, actor=officer, seed=3).checks.all()[:2]
    record_check(first, outcome="confirmed", actor=officer)
    record_check(second, outcome="unreachable", note="Đi vắng", actor=officer)
    assert not PaymentCase.objects.exists()
    record_check(second, outcome="confirmed", actor=officer)
    second.refresh_from_db()
    assert second.outcome == "confirmed"
    with pytest.raises(CheckError, match="Hãy chọn kết quả"):
        record_check(first, outcome="pending", actor=officer)


def test_a_statement_opens_a_case_once_while_open(small_cycle, accountant, leader, officer):
    payment = Payment.objects.filter(cycle=small_cycle).first()
    case = record_statement(payment, actor=accountant, note="Bà nói chưa nhận tiền tháng 9")
    assert case.source == PaymentCase.Source.STATEMENT
    assert case.opened_from.sample is None
    assert case.opened_from.outcome == PaymentCheck.Outcome.NOT_RECEIVED
    with pytest.raises(CheckError, match="đang xử lý"):
        record_statement(payment, actor=leader, note="Lần nữa")
    assert PaymentCase.objects.count() == 1
    resolve_case(case, actor=officer, resolution="Bưu điện đã chi bổ sung ngày 20/09/2023")
    again = record_statement(payment, actor=leader, note="Nhận thiếu", amount_stated=500_000)
    assert again.opened_from.outcome == PaymentCheck.Outcome.AMOUNT_DIFFERS
    assert PaymentCase.objects.count() == 2


def test_a_statement_needs_words_and_a_paid_payment(small_cycle, officer, police):
    payment = Payment.objects.filter(cycle=small_cycle).first()
    with pytest.raises(CheckError, match="lời phản ánh"):
        record_statement(payment, actor=officer, note="  ")
    with pytest.raises(PermissionDenied):
        record_statement(payment, actor=police, note="Chưa nhận")
    Payment.objects.filter(pk=payment.pk).update(status="failed", paid_on=None)
    with pytest.raises(CheckError, match="đã chi trả"):
        record_statement(payment, actor=officer, note="Chưa nhận")
    assert not PaymentCase.objects.exists()


def test_resolving_needs_a_note_and_resolves_once(small_cycle, officer):
    payment = Payment.objects.filter(cycle=small_cycle).first()
    case = record_statement(payment, actor=officer, note="Chưa nhận")
    with pytest.raises(CheckError, match="cách đã giải quyết"):
        resolve_case(case, actor=officer, resolution=" ")
    case, changed = resolve_case(case, actor=officer, resolution="Đã chi lại")
    assert changed and case.state == PaymentCase.State.RESOLVED and case.resolved_by == officer
    _case, changed = resolve_case(case, actor=officer, resolution="Đã chi lại")
    assert not changed
    with pytest.raises(CheckError, match="đã được giải quyết"):
        resolve_case(case, actor=officer, resolution="Khác")
    assert not open_cases([small_cycle.commune_id]).exists()
    assert case.history.count() == 2
