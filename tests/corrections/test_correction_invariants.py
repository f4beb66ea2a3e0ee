"""Property: whatever results and corrections come back, the next cycle leaves every
enrolment paid exactly what it is owed.

Random sequences on a commune paying by account and in cash: results recorded
on the latest sent cycle, corrections of any recorded result (paid, failed or
not collected after all, another day; refusals such as re-issued months are
part of the game), deaths recorded late, and the next cycle opened and sent.
After every cycle opened, for every enrolment and month: the live lines of the
payments that count (pending, paid, settled) less the recovery lines equal
what is owed (the entitlement, nothing after the month of death), and no
month has two live regular lines.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from beneficiaries.models import Beneficiary, Person
from payments.models import Payment, PaymentCycle, PaymentMonth, RecoveryMonth
from payments.services.corrections import correct_result
from payments.services.results import ResultError, record_result
from tests.corrections.conftest import SEP, submit
from tests.cycles.conftest import enrol
from tests.factories import PaymentAccountFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

COUNTED = ("pending", "paid", "settled")
AMOUNTS = (2_055_000, 1_500_000, 1_000_000, 750_000)

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("month")),
        # A result for a pending payment of the latest sent cycle: which, paid or not, the day.
        st.tuples(st.just("result"), st.integers(0, 9), st.booleans(), st.integers(1, 28)),
        # A correction of any recorded payment: which, paid or not, the day.
        st.tuples(st.just("correct"), st.integers(0, 30), st.booleans(), st.integers(1, 28)),
        # A death recorded late: who, how many months back.
        st.tuples(st.just("death"), st.integers(0, 3), st.integers(0, 2)),
    ),
    min_size=1,
    max_size=12,
)


def add_month(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


class World:
    def __init__(self, commune, officer, leader, accountant) -> None:
        self.commune, self.officer, self.leader = commune, officer, leader
        self.accountant = accountant
        for n, amount in enumerate(AMOUNTS):
            enrolment = enrol(commune, amount, start=SEP, full_name=f"Người Thử {n}")
            if n % 2 == 0:
                RegistrationFactory(
                    beneficiary=enrolment,
                    method="account",
                    account=PaymentAccountFactory(holder=enrolment.person),
                    from_month=SEP,
                )
        self.period = SEP
        self.cycle = submit(commune, SEP, officer, leader)
        self.corrections = 0

    def apply(self, op: tuple) -> None:
        kind = op[0]
        if kind == "month":
            self.next_cycle()
        elif kind == "result":
            payments = list(self.cycle.payments.filter(status="pending").order_by("pk"))
            if payments:
                self._record(payments[op[1] % len(payments)], op[2], op[3])
        elif kind == "correct":
            payments = list(
                Payment.objects.filter(status__in=["paid", "failed", "returned"]).order_by("pk")
            )
            if payments:
                self._correct(payments[op[1] % len(payments)], op[2], op[3])
        elif kind == "death":
            people = list(Person.objects.filter(date_of_death__isnull=True).order_by("pk"))
            if people:
                person = people[op[1] % len(people)]
                month = max(SEP, add_month(self.period, -op[2]))
                person.date_of_death = month + datetime.timedelta(days=9)
                person.save()

    def next_cycle(self) -> None:
        self.period = add_month(self.period, 1)
        self.cycle = submit(self.commune, self.period, self.officer, self.leader)
        check_owed_exactly(self)

    def _outcome(self, payment: Payment, paid: bool, day: int) -> dict:
        cash = payment.method != Payment.Method.ACCOUNT
        if paid:
            return {"status": "paid", "paid_on": payment.cycle.period.replace(day=day)}
        return {"status": "returned" if cash else "failed", "paid_on": None}

    def _record(self, payment: Payment, paid: bool, day: int) -> None:
        outcome = self._outcome(payment, paid, day)
        record_result(payment, actor=self.officer, reason="Không chi trả được", **outcome)

    def _correct(self, payment: Payment, paid: bool, day: int) -> None:
        outcome = self._outcome(payment, paid, day)
        before = PaymentMonth.objects.filter(live=True).count()
        try:
            with transaction.atomic():
                correct_result(
                    payment, actor=self.accountant, reference="", reason="Sửa thử", **outcome
                )
        except (ResultError, PermissionDenied):
            # Refused (the same result, months re-issued since): nothing changed.
            assert PaymentMonth.objects.filter(live=True).count() == before
            return
        self.corrections += 1


def owed(world: World) -> dict[tuple[int, datetime.date], int]:
    """The oracle: the entitlement of every month from the first cycle to the latest,
    nothing after the month of death."""
    owed = {}
    for enrolment in Beneficiary.objects.select_related("person"):
        amount = enrolment.entitlements.get().amount
        month = max(SEP, enrolment.start_month)
        death = enrolment.person.date_of_death
        while month <= world.period and (death is None or month <= death):
            owed[(enrolment.pk, month)] = amount
            month = add_month(month, 1)
    return owed


def check_owed_exactly(world: World) -> None:
    net = defaultdict(int)
    for beneficiary, month, amount in PaymentMonth.objects.filter(
        live=True, payment__status__in=COUNTED
    ).values_list("beneficiary_id", "month", "amount"):
        net[(beneficiary, month)] += amount
    for beneficiary, month, amount in RecoveryMonth.objects.values_list(
        "beneficiary_id", "month", "amount"
    ):
        net[(beneficiary, month)] -= amount
    assert {key: value for key, value in net.items() if value} == owed(world)
    assert not (
        PaymentMonth.objects.filter(live=True, kind="regular")
        .values("beneficiary", "month")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .exists()
    )
    # Each cycle still balances: its total is its payments.
    for cycle in PaymentCycle.objects.all():
        assert cycle.total_amount == sum(cycle.payments.values_list("amount", flat=True))


def _run(commune, officer, leader, accountant, ops) -> World:
    world = World(commune, officer, leader, accountant)
    for op in ops:
        world.apply(op)
    world.next_cycle()  # the next cycle pays whatever was freed
    return world


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
# Paid, then corrected failed (freed, paid again next month), then paid after all: refused.
@example(
    ops=[
        ("result", 0, True, 5),
        ("correct", 0, False, 1),
        ("month",),
        ("correct", 0, True, 6),
    ]
)
# Paid for October, the death recorded in September: recovered; then October failed after
# all (released), then paid after all again (recovered again).
@example(
    ops=[
        ("month",),
        ("result", 0, True, 5),
        ("death", 0, 1),
        ("month",),
        ("correct", 1, False, 1),
        ("month",),
        ("correct", 1, True, 7),
    ]
)
def test_after_any_results_and_corrections_the_next_cycle_pays_exactly_what_is_owed(
    ops, commune, officer, leader, accountant, reference_data
):
    with transaction.atomic():
        _run(commune, officer, leader, accountant, ops)
        transaction.set_rollback(True)


@pytest.mark.slow
@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
def test_the_next_cycle_pays_exactly_what_is_owed_many_examples(
    ops, commune, officer, leader, accountant, reference_data
):
    with transaction.atomic():
        _run(commune, officer, leader, accountant, ops)
        transaction.set_rollback(True)


def test_the_examples_do_correct_and_recover(commune, officer, leader, accountant, reference_data):
    """The second example above really corrects and really makes a recovery."""
    from payments.models import Recovery

    world = _run(
        commune,
        officer,
        leader,
        accountant,
        [("month",), ("result", 0, True, 5), ("death", 0, 1), ("month",)],
    )
    assert Recovery.objects.filter(amount__gt=0).exists()
    october = Payment.objects.get(cycle__period=datetime.date(2023, 10, 1), status="paid")
    correct_result(
        october, status="failed", paid_on=None, reference="", reason="Hoàn", actor=accountant
    )
    world.next_cycle()
    assert not Recovery.objects.filter(amount__gt=0).exists()
