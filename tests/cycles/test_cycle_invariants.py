"""Property tests: random sequences of months, joins, deaths, re-ratings, failures
and re-imported results keep the money invariants.

- each enrolment is paid for each owed month exactly once: after every cycle
  opened, the live lines of every owed month sum to its entitlement, and no
  month has two live regular lines (also a database constraint);
- a cycle's total equals its payments, and the sum over methods (bank file,
  cash list, home list), to the đồng; each payment equals its month lines;
- reconciliation balances: paid + failed + returned + pending = total;
- coefficient entitlements follow the base level in force each month;
- a result recorded twice changes nothing;
- a merger in the middle of the months (the commune becomes part of Xã Hà
  Trung, whose cycles carry on) changes nothing anyone is owed or paid;
- recoveries: levels lowered back-dated, deaths recorded months late, enrolments
  ended back-dated and cash repaid: for every enrolment and month, what the
  payments that count paid less what its recoveries take back equals what is
  owed, to the đồng; a recovery is deducted only from the same enrolment's
  payments, never beyond what it has left; a payment sends its lines less its
  deductions, and sends nothing only when settled.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from amounts.models import AllowanceRate, Entitlement
from amounts.services import record_base_level
from beneficiaries.models import Beneficiary, Commune, Person, Programme
from core.rules.money import coefficient_amount
from desk.merger import merge_communes
from payments.models import (
    Payment,
    PaymentCycle,
    PaymentMonth,
    Recovery,
    RecoveryDeduction,
    RecoveryMonth,
)
from payments.services.cashaccount import account_state
from payments.services.cycles import close_cycle, mark_cycle_paid, open_cycle
from payments.services.recoveries import record_settlement, with_remaining
from payments.services.results import record_result
from tests.cash import settle_cash_account
from tests.factories import (
    BeneficiaryFactory,
    CategoryFactory,
    PaymentAccountFactory,
    PersonFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db

START = datetime.date(2024, 8, 1)
COEFFICIENT = Decimal("1.5")

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("month")),
        st.tuples(st.just("join"), st.integers(0, 3)),
        st.tuples(st.just("death"), st.integers(0, 20)),
        st.tuples(st.just("rerate"), st.integers(0, 4), st.sampled_from([10_000, 60_000, 140_000])),
        st.tuples(st.just("fail"), st.integers(0, 20)),
        st.tuples(st.just("reimport"), st.integers(0, 20)),
        # A merger, recorded 0–2 months late: the new commune's first cycle is later.
        st.tuples(st.just("merge"), st.integers(0, 2)),
        # A lower base level back-dated over months already paid.
        st.tuples(st.just("lower"), st.integers(0, 4), st.sampled_from([10_000, 60_000])),
        # A death recorded 1–4 months after it happened.
        st.tuples(st.just("late_death"), st.integers(0, 20), st.integers(1, 4)),
        # An enrolment ended from a month already paid.
        st.tuples(st.just("end"), st.integers(0, 20), st.integers(0, 4)),
        # Part of an open recovery repaid in cash.
        st.tuples(st.just("repay"), st.integers(0, 20)),
        # The latest sent cycle's results all in, its cash account settled, closed.
        st.tuples(st.just("close")),
    ),
    min_size=1,
    max_size=14,
)


def add_month(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


class World:
    """The commune under test and the oracle's view of it."""

    def __init__(self, commune, officer, leader, accountant=None, post_office=None) -> None:
        self.commune, self.officer, self.leader = commune, officer, leader
        self.accountant, self.post_office = accountant, post_office
        self.communes = [commune]  # the commune and, after a merger, the new one
        self.merged_on: datetime.date | None = None
        self.gap = 0  # months of a merger recorded late, skipped by the next cycle
        self.programme = Programme.objects.get(code="BTXH")
        self.category = CategoryFactory(
            programme=self.programme, code="BTXH_K6_N", coefficient=COEFFICIENT
        )
        self.draft: PaymentCycle | None = None
        self.period = add_month(START, -1)  # the latest month opened
        self.joins = 0
        for method in ("account", "cash", "home"):
            self.join(START, method)

    def rate_at(self, month: datetime.date, rates: list | None = None) -> int:
        """The base level in force in ``month``; ``rates`` is :meth:`rates` read once before."""
        if rates is not None:
            return next((amount for applies, amount in rates if applies <= month), None)
        return (
            AllowanceRate.objects.filter(programme=self.programme, applies_from__lte=month)
            .order_by("-applies_from")
            .values_list("amount", flat=True)
            .first()
        )

    def rates(self) -> list[tuple[datetime.date, int]]:
        """The programme's base levels, latest first."""
        return list(
            AllowanceRate.objects.filter(programme=self.programme)
            .order_by("-applies_from")
            .values_list("applies_from", "amount")
        )

    def join(self, start: datetime.date, method: str = "cash") -> None:
        if self.merged_on is not None:
            # The new commune's months before its first cycle are not its to pay.
            start = max(start, self.merged_on)
        self.joins += 1
        enrolment = BeneficiaryFactory(
            person=PersonFactory(commune=self.commune, full_name=f"Người Thử {self.joins}"),
            category=self.category,
            start_month=start,
        )
        # One entitlement row from the start and one per base level since.
        months = [start] + list(
            AllowanceRate.objects.filter(
                programme=self.programme, applies_from__gt=start
            ).values_list("applies_from", flat=True)
        )
        for month in months:
            Entitlement.objects.create(
                beneficiary=enrolment,
                from_month=month,
                basis="coefficient",
                coefficient=COEFFICIENT,
                amount=coefficient_amount(self.rate_at(month), COEFFICIENT),
            )
        if method == "account":
            account = PaymentAccountFactory(holder=enrolment.person)
            RegistrationFactory(
                beneficiary=enrolment, method="account", account=account, from_month=start
            )
        else:
            RegistrationFactory(beneficiary=enrolment, method=method, from_month=start)

    def submit_draft(self) -> None:
        if self.draft is not None:
            PaymentCycle.objects.filter(pk=self.draft.pk).update(
                status="submitted", approved_by=self.leader
            )
            self.draft = None

    def latest_submitted(self) -> PaymentCycle | None:
        return (
            PaymentCycle.objects.filter(commune__in=self.communes, status="submitted")
            .order_by("-period")
            .first()
        )

    def rebuild_draft(self) -> None:
        """The officer rebuilds the draft after a change (the build detects recoveries)."""
        if self.draft is not None:
            self.draft = open_cycle(self.draft.commune, self.period, actor=self.officer).cycle
            check_paid_once(self)

    def apply(self, op: tuple) -> None:
        kind = op[0]
        if kind == "month":
            self.submit_draft()
            self.period = add_month(self.period, 1 + self.gap)
            self.gap = 0
            self.draft = open_cycle(self.commune, self.period, actor=self.officer).cycle
            check_paid_once(self)
        elif kind == "join":
            self.join(max(START, add_month(self.period, -op[1])))
        elif kind == "death":
            people = list(Person.objects.filter(date_of_death__isnull=True).order_by("pk"))
            if people:
                person = people[op[1] % len(people)]
                # Recorded in the month it happened: nothing was paid beyond it.
                person.date_of_death = max(self.period, START) + datetime.timedelta(days=9)
                person.save()
        elif kind in ("rerate", "lower"):
            applies = max(START, add_month(self.period, -op[1]))
            change = op[2] if kind == "rerate" else -op[2]
            record_base_level(
                self.programme,
                amount=max(self.rate_at(applies) + change, 100_000),
                applies_from=applies,
                legal_basis="Nghị định thử",
                actor=self.officer,
            )
            self.rebuild_draft()
        elif kind == "late_death":
            people = list(Person.objects.filter(date_of_death__isnull=True).order_by("pk"))
            if people:
                person = people[op[1] % len(people)]
                died = max(add_month(self.period, -op[2]), START)
                person.date_of_death = died + datetime.timedelta(days=14)
                person.save()
                self.rebuild_draft()
        elif kind == "end":
            enrolments = list(Beneficiary.objects.filter(end_month__isnull=True).order_by("pk"))
            if enrolments:
                enrolment = enrolments[op[1] % len(enrolments)]
                end = max(add_month(self.period, -op[2]), add_month(enrolment.start_month, 1))
                enrolment.end_month = end
                enrolment.status = Beneficiary.Status.ENDED
                enrolment.end_reason = "ineligible"
                enrolment.save()
                self.rebuild_draft()
        elif kind == "repay":
            open_ = list(with_remaining(Recovery.objects.all()).filter(left__gt=0).order_by("pk"))
            if open_:
                recovery = open_[op[1] % len(open_)]
                record_settlement(
                    recovery,
                    kind="repaid",
                    amount=(recovery.left + 1) // 2,
                    on=datetime.date(2024, 8, 20),
                    document=f"BL-{recovery.pk}-{recovery.left}",
                    actor=self.officer,
                )
                self.rebuild_draft()
        elif kind == "merge":
            if self.merged_on is not None:
                return
            # A merger waits for the old commune's books to be closed; its draft
            # (this month) stays its own, the next month is the new commune's.
            PaymentCycle.objects.filter(commune=self.commune, status="submitted").update(
                status="closed"
            )
            self.merged_on = add_month(self.period, 1)
            merge_communes(
                into_code="15271",
                name="Hà Trung",
                from_codes=[self.commune.code],
                on=self.merged_on,
            )
            self.commune = Commune.objects.get(code="15271")
            self.communes.append(self.commune)
            # Recorded late: nobody opens the months in between, the first cycle
            # of the new commune pays them as arrears.
            self.gap = op[1] if len(op) > 1 else 0
        elif kind == "close":
            cycle = self.latest_submitted()
            if cycle is None or self.accountant is None:
                return
            paid_on = cycle.period + datetime.timedelta(days=11)
            for payment in cycle.payments.filter(status="pending"):
                record_result(
                    payment, status="paid", paid_on=paid_on, reference="R2", actor=self.officer
                )
            settle_cash_account(
                cycle, accountant=self.accountant, post_office=self.post_office, day=paid_on
            )
            state = account_state(cycle)
            # Handed over = paid + returned, and settled payments hand nothing over.
            assert state.balanced
            figures = state.figures
            assert figures.total == figures.paid_amount + figures.returned_amount
            assert figures.total == sum(
                cycle.payments.filter(method__in=["cash", "home"]).values_list("amount", flat=True)
            )
            if state.has_cash:
                assert state.account.handed_over_amount == figures.total
                assert state.account.returned_amount == figures.returned_amount
            cycle = mark_cycle_paid(cycle, actor=self.officer)
            close_cycle(cycle, actor=self.officer)
        elif kind in ("fail", "reimport"):
            cycle = self.latest_submitted()
            if cycle is None:
                return
            payments = list(cycle.payments.filter(status="pending").order_by("pk"))
            if not payments:
                return
            payment = payments[op[1] % len(payments)]
            cash = payment.method in ("cash", "home")
            if kind == "fail":
                status, reason = ("returned" if cash else "failed"), "Không chi trả được"
                record_result(payment, status=status, reason=reason, actor=self.officer)
            else:
                paid_on = add_month(cycle.period, 0) + datetime.timedelta(days=11)
                first = record_result(
                    payment, status="paid", paid_on=paid_on, reference="R1", actor=self.officer
                )
                again = record_result(
                    payment, status="paid", paid_on=paid_on, reference="R1", actor=self.officer
                )
                assert first[1] and not again[1]


def owed_months(world: World) -> dict[tuple[int, datetime.date], int]:
    """The oracle: what each enrolment is owed per month up to the latest period."""
    # As if nothing had merged: the months from the first cycle of the commune the
    # people started in, whichever commune paid them since.
    first = (
        PaymentCycle.objects.filter(commune__in=world.communes).order_by("period").first().period
    )
    owed = {}
    rates = world.rates()
    for enrolment in Beneficiary.objects.all().select_related("person"):
        if enrolment.status == Beneficiary.Status.SUSPENDED:
            continue
        rows = list(enrolment.entitlements.order_by("from_month"))
        month = max(first, enrolment.start_month)
        while month <= world.period:
            death = enrolment.person.date_of_death
            if death is not None and month > death:
                break
            if enrolment.end_month is not None and month >= enrolment.end_month:
                break
            in_force = [e for e in rows if e.from_month <= month]
            if in_force:
                amount = in_force[-1].amount
                # Coefficient entitlements follow the base level of the month.
                assert amount == coefficient_amount(world.rate_at(month, rates), COEFFICIENT)
                owed[(enrolment.pk, month)] = amount
            month = add_month(month, 1)
    return owed


def check_paid_once(world: World) -> None:
    # Counted from the payments' results, not from the flag the service keeps.
    counted = Q(payment__status__in=["pending", "paid", "settled"])
    assert not PaymentMonth.objects.filter(counted & Q(live=False)).exists()
    assert not PaymentMonth.objects.filter(~counted & Q(live=True)).exists()
    net = defaultdict(int)
    for beneficiary, month, amount in PaymentMonth.objects.filter(counted).values_list(
        "beneficiary_id", "month", "amount"
    ):
        net[(beneficiary, month)] += amount
    # What recoveries take back is not paid: paid − recovered = owed, month by month.
    for beneficiary, month, amount in RecoveryMonth.objects.values_list(
        "beneficiary_id", "month", "amount"
    ):
        net[(beneficiary, month)] -= amount
    owed = owed_months(world)
    assert {k: v for k, v in net.items() if k in owed} == owed
    # Nothing kept beyond what is owed (dead people's later months, after an end).
    assert all(v == 0 for k, v in net.items() if k not in owed)
    check_recoveries()
    twice = (
        PaymentMonth.objects.filter(live=True, kind="regular")
        .values("beneficiary", "month")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not twice.exists()


def check_recoveries() -> None:
    counted = ["pending", "paid", "settled"]
    for recovery in with_remaining(Recovery.objects.all()):
        months = recovery.months.aggregate(total=Sum("amount"))["total"] or 0
        assert recovery.amount == months
        # Never more taken back than the recovery holds.
        assert 0 <= recovery.left <= recovery.amount
    # Only from the same enrolment's payments.
    assert not RecoveryDeduction.objects.exclude(
        payment__beneficiary_id=F("recovery__beneficiary_id")
    ).exists()
    # A payment's deduction is the sum of its deduction rows (while it counts).
    for payment in Payment.objects.filter(status__in=counted).annotate(
        rows=Sum("deductions__amount")
    ):
        assert payment.deducted == (payment.rows or 0)
        assert (payment.amount == 0) == (payment.status == "settled")


def check_cycles_balance() -> None:
    # Each figure of every cycle in one grouped query, rather than a few queries per cycle.
    payments = Payment.objects.order_by()
    totals = dict(payments.values_list("cycle").annotate(Sum("amount")))
    counts = dict(payments.values_list("cycle").annotate(Count("pk")))
    by_method, by_status = defaultdict(int), defaultdict(int)
    for cycle, _method, amount in payments.values_list("cycle", "method").annotate(Sum("amount")):
        by_method[cycle] += amount
    for cycle, _status, amount in payments.values_list("cycle", "status").annotate(Sum("amount")):
        by_status[cycle] += amount
    for cycle in PaymentCycle.objects.all():
        total = totals.get(cycle.pk, 0)
        assert cycle.total_amount == total
        assert cycle.payment_count == counts.get(cycle.pk, 0)
        assert by_method[cycle.pk] == total
        assert by_status[cycle.pk] == total
    deducted = dict(payments.values_list("cycle").annotate(Sum("deducted")))
    for cycle in PaymentCycle.objects.all():
        assert cycle.deducted_amount == (deducted.get(cycle.pk) or 0)
    for amount, taken, lines in payments.annotate(lines=Sum("months__amount")).values_list(
        "amount", "deducted", "lines"
    ):
        assert lines == amount + taken


def run(ops, commune, officer, leader, accountant, post_office) -> None:
    with transaction.atomic():
        world = World(commune, officer, leader, accountant, post_office)
        # Two months first: one cycle submitted (results can come back), one draft.
        for op in [("month",), ("month",), *ops]:
            world.apply(op)
            check_cycles_balance()
        transaction.set_rollback(True)
    assert not Payment.objects.exists()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
# A merger while a draft is open, then joins, a re-rating and a failure in the new commune.
@example(
    ops=[
        ("merge",),
        ("rerate", 1, 60_000),
        ("month",),
        ("join", 3),
        ("month",),
        ("rerate", 3, 10_000),
        ("fail", 1),
        ("month",),
    ]
)
# A merger recorded two months late: the new commune's first cycle pays the months between.
@example(ops=[("merge", 2), ("join", 1), ("month",), ("fail", 0), ("month",)])
# A lower level over paid months: deducted next; raised back: what is left released.
@example(ops=[("month",), ("lower", 2, 60_000), ("month",), ("rerate", 3, 140_000), ("month",)])
# A death recorded three months late, then a failed payment and the next cycle.
@example(ops=[("month",), ("month",), ("late_death", 0, 3), ("fail", 0), ("month",)])
# An end back-dated, part repaid in cash, the rest deducted from nobody.
@example(ops=[("month",), ("month",), ("end", 1, 2), ("repay", 0), ("month",), ("repay", 0)])
# Cash not collected and a settled month, the cash account balanced and the cycle closed.
@example(ops=[("month",), ("end", 0, 2), ("fail", 1), ("reimport", 0), ("close",), ("month",)])
# A deduction whose payment fails: the recovery takes it again next month.
@example(ops=[("month",), ("lower", 1, 60_000), ("month",), ("fail", 0), ("fail", 1), ("month",)])
def test_random_months_keep_every_invariant(
    ops, commune, officer, leader, accountant, post_office, reference_data
):
    run(ops, commune, officer, leader, accountant, post_office)


@pytest.mark.slow
@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
def test_many_random_months_keep_every_invariant(
    ops, commune, officer, leader, accountant, post_office, reference_data
):
    run(ops, commune, officer, leader, accountant, post_office)
