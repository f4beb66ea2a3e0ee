"""Recoveries: what is detected, what is deducted, what is given back — to the đồng."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from amounts.models import Entitlement
from payments.models import Payment, PaymentCycle, Recovery, RecoveryDeduction
from payments.services.cycles import open_cycle
from payments.services.recoveries import (
    RecoveryError,
    detect_recoveries,
    record_decision,
    record_settlement,
    remaining,
    with_remaining,
)
from payments.services.results import ResultError, record_result
from tests.cycles.conftest import enrol
from tests.factories import RegistrationFactory, RepresentativeFactory

pytestmark = pytest.mark.django_db

JUL, AUG, SEP, OCT, NOV = (datetime.date(2023, m, 1) for m in (7, 8, 9, 10, 11))


def sent(commune, officer, leader, period, *, paid=True):
    """Build the month's cycle, send it, and record every payment paid."""
    cycle = open_cycle(commune, period, actor=officer).cycle
    PaymentCycle.objects.filter(pk=cycle.pk).update(status="submitted", approved_by=leader)
    if paid:
        for payment in cycle.payments.filter(status="pending"):
            record_result(
                payment,
                status="paid",
                paid_on=period + datetime.timedelta(days=10),
                reference=f"R{payment.pk}",
                actor=officer,
            )
    cycle.refresh_from_db()
    return cycle


def test_a_death_recorded_after_two_paid_months_is_a_recovery_of_exactly_them(
    commune, officer, leader
):
    living = enrol(commune, amount=1_000_000, start=JUL)
    dead = enrol(commune, amount=2_055_000, start=JUL, full_name="Lê Văn Mất")
    guardian = RepresentativeFactory(represented=dead.person)
    RegistrationFactory(beneficiary=dead, method="cash", representative=guardian, from_month=JUL)
    for month in (JUL, AUG, SEP):
        sent(commune, officer, leader, month)
    # Died in July, recorded in October: August and September were paid.
    dead.person.date_of_death = datetime.date(2023, 7, 20)
    dead.person.save()
    october = open_cycle(commune, OCT, actor=officer).cycle

    recovery = Recovery.objects.get()
    assert recovery.beneficiary == dead
    assert recovery.cause == Recovery.Cause.DEATH
    assert recovery.amount == 2 * 2_055_000
    assert list(recovery.months.values_list("month", "amount")) == [
        (AUG, 2_055_000),
        (SEP, 2_055_000),
    ]
    # Whoever received the money is asked for it back.
    assert recovery.recover_from == guardian.person.full_name
    # Deducted from nobody living: the living person's payment is whole.
    assert list(october.payments.values_list("beneficiary_id", "amount", "deducted")) == [
        (living.pk, 1_000_000, 0)
    ]
    assert not RecoveryDeduction.objects.exists()
    assert remaining([recovery.pk]) == {recovery.pk: 4_110_000}
    # Detected once: the next build finds nothing more.
    assert detect_recoveries(dead.__class__.objects.all(), actor=officer).created == []
    open_cycle(commune, OCT, actor=officer)
    assert Recovery.objects.count() == 1


def test_a_lower_amount_back_dated_is_deducted_from_the_next_payment(commune, officer, leader):
    person = enrol(commune, amount=2_055_000, start=JUL)
    for month in (JUL, AUG, SEP):
        sent(commune, officer, leader, month)
    # The decision is corrected: 1.800.000 đ from August.
    Entitlement.objects.create(beneficiary=person, from_month=AUG, basis="fixed", amount=1_800_000)
    october = open_cycle(commune, OCT, actor=officer).cycle
    recovery = Recovery.objects.get()
    assert (recovery.cause, recovery.amount) == (Recovery.Cause.AMOUNT, 2 * 255_000)
    payment = october.payments.get()
    # October is owed 1.800.000 đ; 510.000 đ of it goes to the recovery.
    assert payment.months.get().amount == 1_800_000
    assert (payment.amount, payment.deducted, payment.status) == (1_290_000, 510_000, "pending")
    assert (october.total_amount, october.deducted_amount) == (1_290_000, 510_000)
    assert with_remaining(Recovery.objects.all()).get().left == 0


def test_a_deduction_taking_the_whole_month_settles_it_and_the_rest_carries_on(
    commune, officer, leader
):
    person = enrol(commune, amount=1_000_000, start=JUL)
    for month in (JUL, AUG, SEP):
        sent(commune, officer, leader, month)
    # Nothing was owed for July to September after all: 3.000.000 đ back, 400.000 đ a month.
    person.entitlements.all().delete()
    Entitlement.objects.create(beneficiary=person, from_month=JUL, basis="fixed", amount=1)
    Entitlement.objects.create(beneficiary=person, from_month=OCT, basis="fixed", amount=400_000)
    recovery_amount = 3 * (1_000_000 - 1)
    october = sent(commune, officer, leader, OCT, paid=False)
    payment = october.payments.get()
    assert (payment.amount, payment.deducted, payment.status) == (0, 400_000, "settled")
    # Settled: no result to record, nothing sent.
    with pytest.raises(ResultError, match="cấn trừ hết"):
        record_result(payment, status="paid", paid_on=OCT, actor=officer)
    november = open_cycle(commune, NOV, actor=officer).cycle
    assert november.payments.get().deducted == 400_000
    left = with_remaining(Recovery.objects.all()).get().left
    assert left == recovery_amount - 800_000


def test_a_failed_payment_gives_its_deduction_back(commune, officer, leader):
    person = enrol(commune, amount=2_055_000, start=JUL)
    RegistrationFactory(beneficiary=person, method="cash", from_month=JUL)
    for month in (JUL, AUG):
        sent(commune, officer, leader, month)
    person.entitlements.all().delete()
    Entitlement.objects.create(beneficiary=person, from_month=JUL, basis="fixed", amount=1_955_000)
    september = sent(commune, officer, leader, SEP, paid=False)
    payment = september.payments.get()
    assert payment.deducted == 200_000
    record_result(payment, status="returned", reason="Vắng nhà", actor=officer)
    recovery = with_remaining(Recovery.objects.all()).get()
    assert recovery.left == 200_000  # given back with the months
    october = open_cycle(commune, OCT, actor=officer).cycle
    payment = october.payments.get()
    # September again and October, less the recovery once more.
    assert payment.months.count() == 2
    assert (payment.amount, payment.deducted) == (2 * 1_955_000 - 200_000, 200_000)


def test_a_change_undone_shrinks_the_recovery_instead_of_paying_twice(commune, officer, leader):
    person = enrol(commune, amount=2_055_000, start=JUL)
    for month in (JUL, AUG):
        sent(commune, officer, leader, month)
    person.person.date_of_death = datetime.date(2023, 7, 5)
    person.person.save()
    open_cycle(commune, SEP, actor=officer)
    assert Recovery.objects.get().amount == 2_055_000
    # The death was recorded by mistake.
    person.person.date_of_death = None
    person.person.save()
    september = open_cycle(commune, SEP, actor=officer).cycle
    recovery = Recovery.objects.get()
    assert recovery.amount == 0 and not recovery.months.exists()
    assert september.payments.get().amount == 2_055_000  # September only, no arrears
    assert recovery.history.count() == 2


def test_a_recovery_already_deducted_and_then_undone_is_paid_back(commune, officer, leader):
    person = enrol(commune, amount=2_055_000, start=JUL)
    for month in (JUL, AUG):
        sent(commune, officer, leader, month)
    Entitlement.objects.create(beneficiary=person, from_month=AUG, basis="fixed", amount=1_955_000)
    sent(commune, officer, leader, SEP)  # deducts August's 100.000 đ
    assert Payment.objects.get(cycle__period=SEP).deducted == 100_000
    person.entitlements.filter(from_month=AUG).delete()  # the old amount stands after all
    october = open_cycle(commune, OCT, actor=officer).cycle
    # September's line was 1.955.000 đ: 100.000 đ short; August's 100.000 đ deducted for nothing.
    lines = sorted(october.payments.get().months.values_list("month", "kind", "amount"))
    assert lines == [
        (AUG, "top_up", 100_000),
        (SEP, "top_up", 100_000),
        (OCT, "regular", 2_055_000),
    ]


def test_a_dead_persons_deduction_from_arrears_comes_back_when_its_payment_fails(
    commune, officer, leader
):
    """A month no longer owed whose recovery took more than is paid now is paid back."""
    person = enrol(commune, amount=1_000_000, start=JUL)
    RegistrationFactory(beneficiary=person, method="cash", from_month=JUL)
    july = sent(commune, officer, leader, JUL, paid=False)
    record_result(july.payments.get(), status="returned", reason="Vắng nhà", actor=officer)
    august = sent(commune, officer, leader, AUG, paid=False)  # July again and August
    person.person.date_of_death = datetime.date(2023, 7, 25)
    person.person.save()
    september = open_cycle(commune, SEP, actor=officer).cycle
    assert not september.payments.exists()  # nothing owed after July; August in the recovery
    assert Recovery.objects.get().amount == 1_000_000
    # August's payment (July + August) is returned: the recovery has nothing to take back.
    record_result(august.payments.get(), status="returned", reason="Đã chết", actor=officer)
    PaymentCycle.objects.filter(pk=september.pk).delete()
    september = open_cycle(commune, SEP, actor=officer).cycle
    assert Recovery.objects.get().amount == 0
    assert list(september.payments.get().months.values_list("month", "amount")) == [
        (JUL, 1_000_000)
    ]


def test_repayments_and_waivers_are_checked(commune, officer, leader):
    enrol(commune, amount=1_000_000, start=JUL)
    dead = enrol(commune, amount=1_000_000, start=JUL)
    for month in (JUL, AUG):
        sent(commune, officer, leader, month)
    dead.person.date_of_death = datetime.date(2023, 7, 3)
    dead.person.save()
    open_cycle(commune, SEP, actor=officer)
    recovery = Recovery.objects.get()
    today = timezone.localdate()  # the suite's fixed clock
    with pytest.raises(RecoveryError, match="biên lai"):
        record_settlement(recovery, kind="repaid", amount=1, on=today, document=" ", actor=officer)
    with pytest.raises(RecoveryError, match="chỉ còn 1.000.000"):
        record_settlement(
            recovery, kind="repaid", amount=1_000_001, on=today, document="BL1", actor=officer
        )
    with pytest.raises(RecoveryError, match="sau hôm nay"):
        record_settlement(
            recovery,
            kind="repaid",
            amount=1,
            on=today + datetime.timedelta(days=1),
            document="BL1",
            actor=officer,
        )
    record_settlement(
        recovery, kind="repaid", amount=600_000, on=today, document="BL1", actor=officer
    )
    with pytest.raises(RecoveryError, match="Đã ghi khoản này"):
        record_settlement(
            recovery, kind="repaid", amount=600_000, on=today, document="BL1", actor=officer
        )
    record_settlement(
        recovery, kind="waived", amount=400_000, on=today, document="QĐ 12", actor=officer
    )
    assert remaining([recovery.pk]) == {recovery.pk: 0}
    record_decision(recovery, number="QĐ 11/QĐ-UBND", day=today, actor=officer)
    recovery.refresh_from_db()
    assert recovery.decision_number == "QĐ 11/QĐ-UBND"
    with pytest.raises(RecoveryError, match="số quyết định"):
        record_decision(recovery, number="", day=today, actor=officer)
