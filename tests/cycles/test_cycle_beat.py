"""The month's cycles are opened on the 1st: the beat entry, the fan-out and the per-commune job."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.db import OperationalError

from beneficiaries.models import Commune
from payments.models import Payment, PaymentCycle
from payments.services.cycles import approve_cycle, open_cycle
from payments.tasks import open_commune_cycle_task, request_monthly_cycles_task
from tests.conftest import local_moment
from tests.cycles.conftest import SEP, enrol
from tests.factories import CommuneFactory
from yenson.celery import app

AUG = datetime.date(2023, 8, 1)
OCT = datetime.date(2023, 10, 1)


def test_the_beat_schedule_opens_the_cycles_on_the_first_at_two():
    entry = settings.CELERY_BEAT_SCHEDULE["payment-cycles-monthly"]
    assert entry["task"] == "payments.request_monthly_cycles"
    assert entry["task"] in app.tasks and "payments.open_commune_cycle" in app.tasks
    schedule = entry["schedule"]
    assert schedule.day_of_month == {1} and schedule.month_of_year == set(range(1, 13))
    assert schedule.hour == {2} and schedule.minute == {0}


@pytest.mark.django_db
def test_the_database_scheduler_takes_the_cycle_entry_from_the_settings():
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    for name, fields in app.conf.beat_schedule.items():
        DatabaseScheduler.Entry.from_entry(name, app=app, **fields)
    task = PeriodicTask.objects.get(name="payment-cycles-monthly")
    assert task.task == "payments.request_monthly_cycles"
    assert (task.crontab.day_of_month, task.crontab.hour, task.crontab.minute) == ("1", "2", "0")


@pytest.fixture
def today(clock):
    clock.move_to(local_moment(SEP))


@pytest.mark.django_db
def test_the_fan_out_opens_the_month_for_every_active_commune_already_paying(
    commune, other_commune, officer, reference_data, today, django_capture_on_commit_callbacks
):
    enrol(commune, full_name="Người Yến Sơn")
    enrol(other_commune, full_name="Người Hà Trung")
    merged = CommuneFactory(code="15308", name="Xã Đã Nhập")
    Commune.objects.filter(pk=merged.pk).update(
        merged_into=other_commune, merged_on=datetime.date(2025, 7, 1)
    )
    enrol(merged, full_name="Người Xã Cũ")
    newcomer = CommuneFactory(code="15309", name="Xã Chưa Dùng")
    enrol(newcomer, full_name="Người Xã Mới")  # no cycle yet: its first is opened by a person
    open_cycle(other_commune, AUG, actor=officer)
    open_cycle(merged, AUG, actor=officer)
    # The officer already opened Yến Sơn's draft: the job must leave it as it is.
    mine = open_cycle(commune, SEP, actor=officer).cycle
    with django_capture_on_commit_callbacks(execute=True):
        assert request_monthly_cycles_task.delay().get() == 1
    cycles = PaymentCycle.objects.filter(period=SEP).order_by("commune__code")
    assert [(c.commune.code, c.period) for c in cycles] == [("15271", SEP), ("15307", SEP)]
    hatrung = cycles.get(commune=other_commune)
    assert (hatrung.prepared_by, hatrung.payment_count, hatrung.total_amount) == (
        None,
        1,
        2_055_000,
    )
    mine_after = PaymentCycle.objects.get(pk=mine.pk)
    assert (mine_after.prepared_by, mine_after.prepared_at) == (officer, mine.prepared_at)
    # A redelivered beat message opens nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert request_monthly_cycles_task.delay().get() == 0
    assert Payment.objects.filter(cycle__period=SEP).count() == 2


@pytest.mark.django_db
def test_the_job_never_touches_an_existing_draft_an_approved_cycle_or_a_later_month(
    commune, officer, leader, verify_all
):
    enrol(commune)
    verify_all()
    cycle = open_cycle(commune, SEP, actor=officer).cycle
    assert open_commune_cycle_task.delay(commune.pk, SEP.isoformat()).get() == "skipped"
    approve_cycle(cycle, actor=leader, today=SEP)
    assert open_commune_cycle_task.delay(commune.pk, SEP.isoformat()).get() == "skipped"
    open_cycle(commune, OCT, actor=officer)
    assert open_commune_cycle_task.delay(commune.pk, SEP.isoformat()).get() == "skipped"
    cycle.refresh_from_db()
    assert (cycle.status, cycle.prepared_by) == ("approved", officer)


class _Deadlock(Exception):
    pgcode = "40P01"


class _Syntax(Exception):
    pgcode = "42601"


def _fail_once(cause, monkeypatch):
    from payments import tasks

    real = tasks.open_cycle_if_absent
    calls = []

    def flaky(commune, period):
        calls.append(period)
        if len(calls) == 1:
            raise OperationalError("boom") from cause
        return real(commune, period)

    monkeypatch.setattr(tasks, "open_cycle_if_absent", flaky)
    monkeypatch.setattr(tasks, "RETRY_AFTER_SECONDS", 0)
    return calls


@pytest.mark.django_db
def test_the_job_is_retried_after_a_deadlock(commune, reference_data, monkeypatch):
    from celery.exceptions import Retry

    enrol(commune)
    calls = _fail_once(_Deadlock(), monkeypatch)
    # Eagerly, Celery raises the retry it would schedule; the worker runs the job again.
    with pytest.raises(Retry):
        open_commune_cycle_task.delay(commune.pk, SEP.isoformat())
    assert open_commune_cycle_task.delay(commune.pk, SEP.isoformat()).get() == "opened"
    assert len(calls) == 2 and PaymentCycle.objects.get().payment_count == 1


@pytest.mark.django_db
def test_the_job_does_not_retry_other_database_errors(commune, reference_data, monkeypatch):
    enrol(commune)
    calls = _fail_once(_Syntax(), monkeypatch)
    with pytest.raises(OperationalError):
        open_commune_cycle_task.delay(commune.pk, SEP.isoformat()).get()
    assert len(calls) == 1 and not PaymentCycle.objects.exists()
