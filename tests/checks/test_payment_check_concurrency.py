"""PostgreSQL, two sessions at once: a sample drawn twice, an answer or a statement sent twice."""

from __future__ import annotations

import pytest

from payments.checks import CheckError, draw_sample, record_check, record_statement
from payments.models import Payment, PaymentCase, PaymentCheckSample
from tests.cycles.test_cycle_concurrency import _at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_draws_at_once_make_one_sample(small_cycle, officer):
    results, errors = _at_once(
        lambda: draw_sample(small_cycle, actor=officer),
        lambda: draw_sample(small_cycle, actor=officer),
    )
    assert len(results) == 1
    assert [type(e) for e in errors] == [CheckError]
    assert PaymentCheckSample.objects.count() == 1
    assert PaymentCheckSample.objects.get().checks.count() == 10


def test_the_same_answer_twice_at_once_opens_one_case(small_cycle, officer):
    check = draw_sample(small_cycle, actor=officer, seed=5).checks.first()
    results, errors = _at_once(
        lambda: record_check(check, outcome="not_received", actor=officer),
        lambda: record_check(check, outcome="not_received", actor=officer),
    )
    assert errors == []
    assert sorted(changed for _check, changed in results) == [False, True]
    assert PaymentCase.objects.count() == 1


def test_two_statements_at_once_open_one_case(small_cycle, accountant, leader):
    payment = Payment.objects.filter(cycle=small_cycle).first()
    results, errors = _at_once(
        lambda: record_statement(payment, actor=accountant, note="Chưa nhận"),
        lambda: record_statement(payment, actor=leader, note="Chưa nhận"),
    )
    assert len(results) == 1
    assert [type(e) for e in errors] == [CheckError]
    assert PaymentCase.objects.count() == 1
