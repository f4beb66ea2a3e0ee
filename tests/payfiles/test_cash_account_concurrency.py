"""PostgreSQL, two sessions at once: the first handover creates the one account, and a
confirmation sent twice is made once (the cycle's row lock)."""

from __future__ import annotations

import datetime

import pytest

from payments.models import CashAccount
from payments.services.cashaccount import (
    confirm_for_post_office,
    record_handover,
    record_returned_cash,
)
from payments.services.results import record_result
from tests.cycles.test_cycle_concurrency import _at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DAY = datetime.date(2023, 9, 10)


def _hand_over(cycle, accountant):
    return record_handover(
        cycle, amount=2_750_000, handed_over_on=DAY, voucher="PC-15", actor=accountant
    )


def test_two_handovers_at_once_make_one_account(paying, accountant):
    results, errors = _at_once(
        lambda: _hand_over(paying.cycle, accountant),
        lambda: _hand_over(paying.cycle, accountant),
    )
    assert errors == []
    assert sorted(changed for _account, changed in results) == [False, True]
    assert CashAccount.objects.count() == 1
    assert CashAccount.objects.get().history.count() == 1


def test_a_confirmation_sent_twice_at_once_is_made_once(paying, officer, accountant, post_office):
    cycle = paying.cycle
    _hand_over(cycle, accountant)
    record_result(paying.payment("cuc"), status="paid", paid_on=DAY, actor=officer)
    record_result(paying.payment("dung"), status="returned", reason="Vắng nhà", actor=officer)
    record_returned_cash(cycle, amount=750_000, returned_on=DAY, actor=post_office)
    results, errors = _at_once(
        lambda: confirm_for_post_office(cycle, actor=post_office),
        lambda: confirm_for_post_office(cycle, actor=post_office),
    )
    assert errors == []
    assert sorted(changed for _account, changed in results) == [False, True]
    assert CashAccount.objects.get().history.count() == 3
