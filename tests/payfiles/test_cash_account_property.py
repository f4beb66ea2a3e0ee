"""A property of the cash account: random results for the cash rows (paid or not
collected, some recorded twice, some corrected) and a random cash return.

Once nothing is pending, handed over = paid + returned always holds, and the
account balances exactly when the cash returned equals the rows not collected.
While a row is pending it never balances. A confirmation holds until a result
changes.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payments.services.cashaccount import (
    account_state,
    confirm_for_post_office,
    record_handover,
    record_returned_cash,
)
from payments.services.corrections import correct_result
from payments.services.cycles import open_cycle
from payments.services.results import record_result
from tests.cycles.conftest import enrol
from tests.factories import RegistrationFactory
from tests.payfiles.conftest import SEP, submit

pytestmark = pytest.mark.django_db

AMOUNTS = (2_055_000, 1_500_000, 1_000_000, 750_000)
DAY = datetime.date(2023, 9, 10)

RESULTS = st.lists(
    st.tuples(st.integers(0, len(AMOUNTS) - 1), st.sampled_from(["paid", "returned"])),
    max_size=10,
)
# The cash the post office brings back, against the rows not collected: exact, or off.
OFFSETS = st.one_of(st.just(0), st.integers(-1_000_000, 1_000_000))


@pytest.fixture
def cash_cycle(commune, officer, leader, reference_data):
    for n, amount in enumerate(AMOUNTS):
        enrolment = enrol(commune, amount, full_name=f"Người Thứ {n}", start=SEP)
        if n % 2:
            RegistrationFactory(beneficiary=enrolment, method="home", from_month=SEP)
    return submit(open_cycle(commune, SEP, actor=officer).cycle, leader)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(results=RESULTS, offset=OFFSETS)
def test_the_account_balances_iff_the_returned_cash_equals_the_returned_rows(
    results, offset, cash_cycle, officer, accountant, post_office
):
    with transaction.atomic():
        try:
            _check(results, offset, cash_cycle, officer, accountant, post_office)
        finally:
            transaction.set_rollback(True)


def _check(results, offset, cycle, officer, accountant, post_office) -> None:
    payments = list(cycle.payments.order_by("pk"))
    assert sorted(p.amount for p in payments) == sorted(AMOUNTS)
    assert {p.method for p in payments} == {"cash", "home"}
    record_handover(cycle, amount=sum(AMOUNTS), handed_over_on=DAY, voucher="PC1", actor=accountant)
    recorded: dict[int, str] = {}
    for index, status in results:
        payment = payments[index]
        if recorded.get(index, status) != status:
            # A different result over a recorded one is a correction, with its reason.
            payment.refresh_from_db()
            correct_result(
                payment,
                status=status,
                paid_on=DAY if status == "paid" else None,
                reference="",
                reason="Sửa kết quả",
                failure_reason="Vắng nhà",
                actor=officer,
            )
        elif status == "paid":
            record_result(payment, status="paid", paid_on=DAY, actor=officer)
        else:
            record_result(payment, status="returned", reason="Vắng nhà", actor=officer)
        recorded[index] = status
    returned_rows = sum(_amounts(payments, recorded, "returned"))
    returned_cash = min(sum(AMOUNTS), max(0, returned_rows + offset))
    record_returned_cash(cycle, amount=returned_cash, returned_on=DAY, actor=post_office)

    state = account_state(cycle)
    assert state.figures.returned_amount == returned_rows
    assert state.figures.paid_amount == sum(_amounts(payments, recorded, "paid"))
    if len(recorded) < len(payments):
        assert not state.balanced
        assert state.figures.pending_count == len(payments) - len(recorded)
        return
    # Nothing pending: handed over = paid + returned, always.
    assert state.handed_over == state.figures.paid_amount + state.figures.returned_amount
    assert state.handover_difference == 0
    assert state.balanced == (returned_cash == returned_rows)
    assert state.returned_difference == returned_cash - returned_rows
    if state.balanced:
        confirm_for_post_office(cycle, actor=post_office)
        assert account_state(cycle).post_office_confirmed
        # Any change of a result afterwards voids it.
        first = payments[0]
        first.refresh_from_db()
        flipped = "returned" if first.status == "paid" else "paid"
        correct_result(
            first,
            status=flipped,
            paid_on=DAY if flipped == "paid" else None,
            reference="",
            reason="Sửa kết quả",
            failure_reason="Vắng nhà",
            actor=officer,
        )
        assert not account_state(cycle).post_office_confirmed


def _amounts(payments, recorded: dict[int, str], status: str):
    return (payments[i].amount for i, s in recorded.items() if s == status)
