"""Opening a month's cycle: who is owed what, arrears, snapshots, rebuilding."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from amounts.models import AllowanceRate, Entitlement
from amounts.services import record_base_level
from beneficiaries.models import Beneficiary, Person, Programme
from core.rules.money import coefficient_amount
from payments.models import Payment, PaymentCycle, PaymentMonth
from payments.services.cycles import CycleError, open_cycle
from payments.services.results import record_result
from registration.models import PaymentMethodRegistration
from tests.factories import (
    BeneficiaryFactory,
    CategoryFactory,
    EntitlementFactory,
    PaymentAccountFactory,
    PersonFactory,
    RegistrationFactory,
    RepresentativeFactory,
)

pytestmark = pytest.mark.django_db

SEP = datetime.date(2023, 9, 1)
OCT = datetime.date(2023, 10, 1)
NOV = datetime.date(2023, 11, 1)


def _enrol(commune, amount=2_055_000, start=datetime.date(2023, 7, 1), **person):
    enrolment = BeneficiaryFactory(
        person=PersonFactory(commune=commune, **person), start_month=start
    )
    EntitlementFactory(beneficiary=enrolment, from_month=start, amount=amount)
    return enrolment


def _months(cycle) -> list[tuple[int, datetime.date, str, int]]:
    return sorted(
        PaymentMonth.objects.filter(payment__cycle=cycle).values_list(
            "beneficiary_id", "month", "kind", "amount"
        )
    )


def _submit(cycle, leader):
    # The workflow's own tests go through the services; here only the state matters.
    PaymentCycle.objects.filter(pk=cycle.pk).update(
        status=PaymentCycle.Status.SUBMITTED, approved_by=leader
    )


def test_the_first_cycle_pays_each_active_enrolment_its_month(commune, officer):
    first = _enrol(commune)
    second = _enrol(commune, amount=1_624_000)
    _enrol(commune, start=NOV)  # starts later
    ended = _enrol(commune)
    Beneficiary.objects.filter(pk=ended.pk).update(
        status=Beneficiary.Status.ENDED, end_month=SEP, end_reason=Beneficiary.EndReason.MOVED
    )
    result = open_cycle(commune, SEP, actor=officer)
    cycle = result.cycle
    assert (cycle.status, cycle.payment_count, cycle.total_amount) == ("draft", 2, 3_679_000)
    assert _months(cycle) == [
        (first.pk, SEP, "regular", 2_055_000),
        (second.pk, SEP, "regular", 1_624_000),
    ]
    assert cycle.prepared_by == officer
    assert cycle.due_on == datetime.date(2023, 9, 5)


def test_payments_copy_the_registration_in_force(commune, officer):
    own = _enrol(commune)
    account = PaymentAccountFactory(holder=own.person)
    RegistrationFactory(
        beneficiary=own, method="account", account=account, from_month=datetime.date(2023, 7, 1)
    )
    proxied = _enrol(commune)
    proxy = RepresentativeFactory(represented=proxied.person)
    RegistrationFactory(beneficiary=proxied, method="home", representative=proxy)
    later = _enrol(commune)
    RegistrationFactory(
        beneficiary=later, method="account", account=PaymentAccountFactory(holder=later.person),
        from_month=OCT,
    )  # fmt: skip
    unregistered = _enrol(commune)
    cycle = open_cycle(commune, SEP, actor=officer).cycle
    payments = {p.beneficiary_id: p for p in cycle.payments.all()}
    assert (payments[own.pk].method, payments[own.pk].account_number) == ("account", account.number)
    assert payments[own.pk].account_holder_name == account.holder_name
    assert payments[own.pk].bank_id == account.bank_id
    assert payments[proxied.pk].method == "home"
    assert payments[proxied.pk].receiver_name == proxy.person.full_name
    assert payments[proxied.pk].representative_id == proxy.pk
    # A registration from October does not apply to September.
    assert payments[later.pk].method == "cash"
    assert payments[unregistered.pk].method == "cash"
    assert payments[unregistered.pk].receiver_name == unregistered.person.full_name
    # Changing the registration afterwards does not rewrite the built cycle.
    PaymentMethodRegistration.objects.filter(beneficiary=own).update(method="cash", account=None)
    assert Payment.objects.get(pk=payments[own.pk].pk).account_number == account.number


def test_rebuilding_a_draft_gives_the_same_payments_and_keeps_history(commune, officer):
    _enrol(commune)
    first = open_cycle(commune, SEP, actor=officer)
    again = open_cycle(commune, SEP, actor=officer)
    assert not first.rebuilt and again.rebuilt
    assert again.cycle.pk == first.cycle.pk
    assert PaymentCycle.objects.count() == 1
    assert Payment.objects.count() == 1 and PaymentMonth.objects.count() == 1
    kinds = list(Payment.history.order_by("history_id").values_list("history_type", flat=True))
    assert kinds == ["+", "-", "+"]
    assert Payment.history.first().history_user == officer


def test_an_approved_cycle_is_never_rebuilt(commune, officer, leader):
    _enrol(commune)
    cycle = open_cycle(commune, SEP, actor=officer).cycle
    PaymentCycle.objects.filter(pk=cycle.pk).update(status="approved", approved_by=leader)
    with pytest.raises(CycleError, match="Đã phê duyệt"):
        open_cycle(commune, SEP, actor=officer)


def test_an_earlier_month_cannot_be_opened_after_a_later_one(commune, officer):
    _enrol(commune)
    open_cycle(commune, OCT, actor=officer)
    with pytest.raises(CycleError, match="10/2023"):
        open_cycle(commune, SEP, actor=officer)


def test_a_month_without_a_cycle_is_paid_as_arrears_in_the_next(commune, officer):
    enrolment = _enrol(commune)
    open_cycle(commune, SEP, actor=officer)
    cycle = open_cycle(commune, NOV, actor=officer).cycle  # no October cycle was opened
    assert _months(cycle) == [
        (enrolment.pk, OCT, "regular", 2_055_000),
        (enrolment.pk, NOV, "regular", 2_055_000),
    ]
    assert cycle.total_amount == 4_110_000


def test_a_back_dated_start_is_paid_from_its_start(commune, officer):
    _enrol(commune)
    open_cycle(commune, SEP, actor=officer)
    late = _enrol(commune, start=SEP, amount=1_000_000)  # decided in October, from September
    cycle = open_cycle(commune, OCT, actor=officer).cycle
    assert [(m, a) for b, m, _k, a in _months(cycle) if b == late.pk] == [
        (SEP, 1_000_000),
        (OCT, 1_000_000),
    ]


def test_months_before_the_first_cycle_are_not_owed(commune, officer):
    enrolment = _enrol(commune, start=datetime.date(2023, 1, 1))
    cycle = open_cycle(commune, SEP, actor=officer).cycle
    assert _months(cycle) == [(enrolment.pk, SEP, "regular", 2_055_000)]


def test_no_month_after_the_month_of_death(commune, officer):
    enrolment = _enrol(commune)
    open_cycle(commune, SEP, actor=officer)
    Person.objects.filter(pk=enrolment.person_id).update(date_of_death=datetime.date(2023, 10, 12))
    cycle = open_cycle(commune, NOV, actor=officer).cycle
    assert [m for _b, m, _k, _a in _months(cycle)] == [OCT]


def test_an_ended_enrolment_is_still_owed_the_months_before_its_end(commune, officer):
    enrolment = _enrol(commune)
    open_cycle(commune, SEP, actor=officer)
    # Died in October, recorded before the October cycle: October is still owed.
    Person.objects.filter(pk=enrolment.person_id).update(date_of_death=datetime.date(2023, 10, 10))
    Beneficiary.objects.filter(pk=enrolment.pk).update(
        status=Beneficiary.Status.ENDED, end_month=NOV, end_reason=Beneficiary.EndReason.DEATH
    )
    october = open_cycle(commune, OCT, actor=officer).cycle
    assert _months(october) == [(enrolment.pk, OCT, "regular", 2_055_000)]
    assert open_cycle(commune, NOV, actor=officer).cycle.payment_count == 0


def test_a_month_far_ahead_is_refused(commune, officer):
    import django.utils.timezone

    _enrol(commune)
    today = django.utils.timezone.localdate()
    far = datetime.date(today.year + 1, today.month, 1)
    with pytest.raises(CycleError, match="không lập trước nhiều tháng"):
        open_cycle(commune, far, actor=officer)
    assert not PaymentCycle.objects.exists()


def test_a_suspended_enrolment_is_not_paid_until_reactivated(commune, officer):
    enrolment = _enrol(commune)
    open_cycle(commune, SEP, actor=officer)
    Beneficiary.objects.filter(pk=enrolment.pk).update(status=Beneficiary.Status.SUSPENDED)
    assert open_cycle(commune, OCT, actor=officer).cycle.payment_count == 0
    Beneficiary.objects.filter(pk=enrolment.pk).update(status=Beneficiary.Status.ACTIVE)
    PaymentCycle.objects.filter(period=OCT).delete()
    cycle = open_cycle(commune, NOV, actor=officer).cycle
    assert [m for _b, m, _k, _a in _months(cycle)] == [OCT, NOV]


def test_a_failed_payment_is_owed_again_next_month(commune, officer, leader):
    enrolment = _enrol(commune)
    account = PaymentAccountFactory(holder=enrolment.person)
    RegistrationFactory(beneficiary=enrolment, method="account", account=account)
    september = open_cycle(commune, SEP, actor=officer).cycle
    _submit(september, leader)
    record_result(
        september.payments.get(), status="failed", actor=officer, reason="Sai số tài khoản"
    )
    cycle = open_cycle(commune, OCT, actor=officer).cycle
    assert _months(cycle) == [
        (enrolment.pk, SEP, "regular", 2_055_000),
        (enrolment.pk, OCT, "regular", 2_055_000),
    ]


def test_a_back_dated_base_level_pays_the_difference_as_top_ups(commune, officer, reference_data):
    btxh = Programme.objects.get(code="BTXH")
    category = CategoryFactory(programme=btxh, code="BTXH_K6_N", coefficient=1.5)
    enrolment = BeneficiaryFactory(
        person=PersonFactory(commune=commune),
        category=category,
        start_month=datetime.date(2024, 7, 1),
    )
    Entitlement.objects.create(
        beneficiary=enrolment, from_month=datetime.date(2024, 7, 1), basis="coefficient",
        coefficient=1.5, amount=750_000,
    )  # fmt: skip
    aug, sep, oct_ = (datetime.date(2026, m, 1) for m in (8, 9, 10))
    open_cycle(commune, aug, actor=officer)
    open_cycle(commune, sep, actor=officer)
    # Signed in September, applies from July 2026 (before the first cycle: not owed).
    result = record_base_level(
        btxh, amount=540_000, applies_from=datetime.date(2026, 7, 1),
        legal_basis="Nghị định 335/2026/NĐ-CP", actor=officer,
    )  # fmt: skip
    assert (result.added, result.updated) == (1, 0)
    assert coefficient_amount(540_000, Decimal("1.5")) == 810_000
    cycle = open_cycle(commune, oct_, actor=officer).cycle
    assert _months(cycle) == [
        (enrolment.pk, aug, "top_up", 60_000),
        (enrolment.pk, sep, "top_up", 60_000),
        (enrolment.pk, oct_, "regular", 810_000),
    ]
    assert cycle.total_amount == 930_000
    assert AllowanceRate.objects.get(
        programme=btxh, applies_from=datetime.date(2026, 7, 1)
    ).verified
    history = Entitlement.history.filter(beneficiary_id=enrolment.pk, history_type="+")
    assert history.filter(from_month=datetime.date(2026, 7, 1), history_user=officer).exists()


def test_changes_since_last_month_name_each_kind(commune, officer):
    from payments.changes import cycle_changes

    stays = _enrol(commune, full_name="Bùi Văn Ở")
    dies = _enrol(commune, full_name="Cao Văn Mất")
    moves = _enrol(commune, full_name="Đinh Thị Chuyển")
    rerated = _enrol(commune, full_name="Lý Văn Tăng")
    to_account = _enrol(commune, full_name="Mai Thị Thẻ")
    open_cycle(commune, SEP, actor=officer)
    Person.objects.filter(pk=dies.person_id).update(date_of_death=datetime.date(2023, 8, 20))
    Beneficiary.objects.filter(pk=moves.pk).update(
        status=Beneficiary.Status.ENDED, end_month=OCT, end_reason=Beneficiary.EndReason.MOVED
    )
    EntitlementFactory(beneficiary=rerated, from_month=OCT, amount=2_789_000)
    account = PaymentAccountFactory(holder=to_account.person)
    RegistrationFactory(beneficiary=to_account, method="account", account=account, from_month=OCT)
    joins = _enrol(commune, full_name="Ngô Văn Mới", start=OCT)
    cycle = open_cycle(commune, OCT, actor=officer).cycle
    changes = {(c.kind, c.beneficiary_id): c for c in cycle_changes(cycle)}
    assert set(changes) == {
        ("new", joins.pk),
        ("stopped", dies.pk),
        ("stopped", moves.pk),
        ("amount", rerated.pk),
        ("method", to_account.pk),
    }
    assert stays.pk not in {b for _k, b in changes}
    assert changes[("stopped", dies.pk)].note == "Chết ngày 20/08/2023"
    assert changes[("stopped", moves.pk)].note == "Thôi hưởng: chuyển đi nơi khác"
    amount = changes[("amount", rerated.pk)]
    assert (amount.before, amount.after) == ("2.055.000 đ", "2.789.000 đ")
    assert account.number in changes[("method", to_account.pk)].after
    assert changes[("new", joins.pk)].after == "2.055.000 đ"
