"""The lists are built on the 1st of every month: the beat entry and the fan-out task."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings

from documents.models import GeneratedFile
from registration.tasks import request_monthly_registration_lists_task
from tests.conftest import local_moment
from yenson.celery import app


def test_the_beat_schedule_runs_the_fan_out_on_the_first_of_every_month():
    entry = settings.CELERY_BEAT_SCHEDULE["registration-lists-monthly"]
    assert entry["task"] == "reports.request_monthly_registration_lists"
    assert entry["task"] in app.tasks
    schedule = entry["schedule"]
    assert schedule.day_of_month == {1}
    assert schedule.month_of_year == set(range(1, 13))
    assert schedule.hour == {1} and schedule.minute == {0}
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"


@pytest.mark.django_db
def test_the_database_scheduler_takes_the_entry_from_the_settings():
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    # What DatabaseScheduler.setup_schedule does with each settings entry (the
    # scheduler itself closes the connection, which a test transaction cannot have).
    for name, fields in app.conf.beat_schedule.items():
        DatabaseScheduler.Entry.from_entry(name, app=app, **fields)
    task = PeriodicTask.objects.get(name="registration-lists-monthly")
    assert task.task == "reports.request_monthly_registration_lists"
    assert (task.crontab.day_of_month, task.crontab.hour, task.crontab.minute) == ("1", "1", "0")


@pytest.mark.django_db
def test_the_fan_out_task_requests_this_months_lists_for_every_active_commune(
    registered, signed_commune, other_commune, django_capture_on_commit_callbacks, clock
):
    clock.move_to(local_moment(datetime.date(2027, 2, 1)))
    with django_capture_on_commit_callbacks(execute=True):
        # Three lists somebody is on here; nobody on any list in the other commune.
        assert request_monthly_registration_lists_task.delay().get() == 3
    files = GeneratedFile.objects.all()
    assert {f.period for f in files} == {datetime.date(2027, 2, 1)}
    assert {f.status for f in files} == {GeneratedFile.Status.DONE}
    assert files.filter(requested_by__isnull=True).count() == 3
