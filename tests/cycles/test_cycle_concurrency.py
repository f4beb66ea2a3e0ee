"""PostgreSQL, two sessions at once: two workers opening one month, two leaders approving."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.db.models import Count

from payments.models import Payment, PaymentCycle, PaymentMonth
from payments.services.cycles import CycleError, approve_cycle, open_cycle
from payments.services.monthly import open_cycle_if_absent
from tests.cycles.conftest import SEP, enrol
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BEFORE_DUE = SEP.replace(day=3)


def _at_once(*jobs: Callable[[], object]) -> tuple[list[object], list[Exception]]:
    barrier = threading.Barrier(len(jobs))
    results: list[object] = []
    errors: list[Exception] = []

    def run(job) -> None:
        try:
            barrier.wait()
            results.append(job())
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def _each_month_paid_once() -> None:
    lines = (
        PaymentMonth.objects.filter(live=True, kind="regular")
        .values("beneficiary_id", "month")
        .annotate(n=Count("pk"))
    )
    assert {row["n"] for row in lines} == {1}


def test_two_workers_opening_the_same_month_build_one_cycle(commune, reference_data):
    for n in range(20):
        enrol(commune, full_name=f"Người Đồng Thời {n}")

    results, errors = _at_once(
        lambda: open_cycle(commune, SEP, actor=None),
        lambda: open_cycle(commune, SEP, actor=None),
    )

    assert errors == []
    assert sorted(r.rebuilt for r in results) == [False, True]  # one after the other
    cycle = PaymentCycle.objects.get()
    assert (cycle.payment_count, Payment.objects.count()) == (20, 20)
    _each_month_paid_once()


def test_two_monthly_jobs_for_the_same_commune_open_it_once(commune, reference_data):
    for n in range(5):
        enrol(commune, full_name=f"Người Lịch {n}")

    results, errors = _at_once(
        lambda: open_cycle_if_absent(commune, SEP), lambda: open_cycle_if_absent(commune, SEP)
    )

    assert errors == []
    assert sorted(r is None for r in results) == [False, True]  # one opened, one skipped
    assert PaymentCycle.objects.get().payment_count == Payment.objects.count() == 5
    _each_month_paid_once()


def test_two_leaders_approving_at_once_approve_once(commune, officer, police, reference_data):
    from beneficiaries.models import Person
    from beneficiaries.services import record_matches

    enrol(commune)
    record_matches(Person.objects.all(), actor=police)
    draft = open_cycle(commune, SEP, actor=officer).cycle
    first = UserFactory(username="chutich_a", role="leader", communes=[commune])
    second = UserFactory(username="chutich_b", role="leader", communes=[commune])

    results, errors = _at_once(
        lambda: approve_cycle(draft, actor=first, today=BEFORE_DUE),
        lambda: approve_cycle(draft, actor=second, today=BEFORE_DUE),
    )

    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], CycleError) and "Đã phê duyệt" in str(errors[0])
    cycle = PaymentCycle.objects.get()
    assert cycle.status == "approved" and cycle.approved_by in (first, second)
    assert cycle.history.filter(status="approved").count() == 1
