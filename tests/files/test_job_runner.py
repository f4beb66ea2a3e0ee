"""The one job runner: builders registered by kind, the heartbeat, the stale-job check.

The clock is fixed (time-machine): the heartbeat and the stale limit are
measured against it.
"""

from __future__ import annotations

import contextlib
import datetime

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from documents import jobs, services
from documents.builders import BUILDERS, Built, FileKind, Job, builder, kind_of
from documents.models import GeneratedFile
from documents.tasks import build_generated_file_task, fail_stale_jobs_task
from registration.tasks import request_monthly_registration_lists_task
from yenson.celery import app

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2027, 1, 3, 5, 0, tzinfo=datetime.UTC)  # 12:00 in Hà Nội
JANUARY = datetime.date(2027, 1, 1)
MONTHLY = GeneratedFile.Kind.MONTHLY_REPORT


@pytest.fixture
def queued(commune):
    return GeneratedFile.objects.create(kind=MONTHLY, commune=commune, period=JANUARY)


@pytest.fixture
def clock():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def _later(seconds: int) -> datetime.datetime:
    return NOON + datetime.timedelta(seconds=seconds)


# --- the registry ---------------------------------------------------------------


def test_every_kind_is_built_by_the_app_that_owns_it():
    owners = {kind: BUILDERS[kind].build.__module__ for kind in GeneratedFile.Kind.values}
    assert owners == {
        "registration_self": "registration.listfiles",
        "registration_representative": "registration.listfiles",
        "bank_files": "payments.cyclefiles",
        "post_office_lists": "payments.cyclefiles",
        "monthly_report": "reports.reportfiles",
    }


def test_a_second_builder_for_a_kind_is_refused(monkeypatch):
    monkeypatch.setitem(BUILDERS, MONTHLY, BUILDERS[MONTHLY])

    def another(generated, job):
        raise AssertionError("never built")

    with pytest.raises(ImproperlyConfigured, match="already have a builder"):
        builder(MONTHLY, file_name=str, access=BUILDERS[MONTHLY].access)(another)
    assert BUILDERS[MONTHLY].build.__name__ == "build_monthly_report"


def test_a_kind_nobody_registered_is_named_in_the_error():
    with pytest.raises(ImproperlyConfigured, match="'leaflet'"):
        kind_of("leaflet")


def test_the_moved_tasks_keep_the_names_messages_and_the_beat_use():
    assert build_generated_file_task.name == "reports.build_generated_file"
    assert request_monthly_registration_lists_task.name == (
        "reports.request_monthly_registration_lists"
    )
    entry = settings.CELERY_BEAT_SCHEDULE["generated-files-stale-jobs"]
    assert entry["task"] == fail_stale_jobs_task.name == "documents.fail_stale_jobs"
    assert entry["task"] in app.tasks


def _fake_kind(monkeypatch, build):
    registered = BUILDERS[MONTHLY]
    monkeypatch.setitem(
        BUILDERS, MONTHLY, FileKind(MONTHLY, build, registered.file_name, registered.access)
    )


def test_the_runner_stores_what_the_registered_builder_built(monkeypatch, queued, clock):
    def build(generated, job: Job) -> Built:
        out = job.temporary_file()
        out.write(b"PK a workbook")
        job.percent(50)
        return Built(out, ".xlsx", rows=3, total=1_080_000, parameters={"cycle": None})

    _fake_kind(monkeypatch, build)
    done = jobs.build_generated_file(queued.pk, today=JANUARY)

    assert (done.status, done.progress, done.rows, done.total_amount) == ("done", 100, 3, 1_080_000)
    assert done.file.name.startswith("generated/15307/2027-01/bao-cao-thang-15307-2027-01-")
    with done.file.open("rb") as handle:
        assert handle.read() == b"PK a workbook"
    assert done.heartbeat_at == done.finished_at == NOON


# --- the heartbeat --------------------------------------------------------------


def test_claiming_a_job_writes_its_first_heartbeat(queued, clock):
    claimed = jobs.claim(queued.pk)

    assert (claimed.status, claimed.attempt, claimed.heartbeat_at) == ("running", 1, NOON)


def test_the_heartbeat_goes_with_progress_and_at_least_every_interval(queued, clock):
    generated = jobs.claim(queued.pk)
    interval = settings.GENERATED_FILE_HEARTBEAT_SECONDS
    with contextlib.ExitStack() as stack:
        job = Job(generated, today=JANUARY, stack=stack)
        rows = job.rows_progress(1000)

        clock.shift(interval - 1)
        rows(10)  # 0 %: nothing written yet
        queued.refresh_from_db()
        assert (queued.progress, queued.heartbeat_at) == (0, NOON)

        clock.shift(1)
        rows(20)  # still 1 %, but the interval is up: a heartbeat alone
        queued.refresh_from_db()
        assert (queued.progress, queued.heartbeat_at) == (0, _later(interval))

        clock.shift(1)
        rows(300)  # a progress step: progress and heartbeat
        queued.refresh_from_db()
        assert (queued.progress, queued.heartbeat_at) == (28, _later(interval + 1))


def test_a_running_job_silent_past_the_limit_is_failed_and_can_be_retried(
    queued, clock, officer, monkeypatch
):
    jobs.claim(queued.pk)
    limit = settings.GENERATED_FILE_STALE_SECONDS

    clock.shift(limit - 1)
    assert jobs.fail_stale_jobs() == 0
    clock.shift(2)
    assert fail_stale_jobs_task.delay().get() == 1

    queued.refresh_from_db()
    assert (queued.status, queued.progress) == ("failed", 100)
    assert f"{limit // 60} phút" in queued.error
    monkeypatch.setattr("documents.tasks.queue_build", lambda pk: None)
    services.retry_generated_file(queued, actor=officer)
    queued.refresh_from_db()
    assert (queued.status, queued.error) == ("queued", "")


def test_the_stale_check_leaves_queued_done_and_beating_jobs_alone(commune, queued, clock):
    beating = GeneratedFile.objects.create(
        kind=GeneratedFile.Kind.BANK_FILES, commune=commune, period=JANUARY
    )
    jobs.claim(beating.pk)
    clock.shift(settings.GENERATED_FILE_STALE_SECONDS + 1)
    GeneratedFile.objects.filter(pk=beating.pk).update(heartbeat_at=_later(60))

    assert jobs.fail_stale_jobs() == 0
    assert set(GeneratedFile.objects.values_list("status", flat=True)) == {"queued", "running"}


def test_a_running_job_from_before_heartbeats_is_judged_by_its_request_time(queued, clock):
    GeneratedFile.objects.filter(pk=queued.pk).update(
        status="running", attempt=1, heartbeat_at=None, requested_at=NOON
    )
    clock.shift(settings.GENERATED_FILE_STALE_SECONDS + 1)

    assert jobs.fail_stale_jobs() == 1


def test_a_worker_found_dead_that_comes_back_stores_nothing(monkeypatch, queued, clock):
    def build(generated, job: Job) -> Built:
        out = job.temporary_file()
        out.write(b"late bytes")
        clock.shift(settings.GENERATED_FILE_STALE_SECONDS + 1)
        jobs.fail_stale_jobs()  # the beat, while this worker was thought dead
        return Built(out, ".xlsx", rows=1, total=0)

    _fake_kind(monkeypatch, build)

    assert jobs.build_generated_file(queued.pk, today=JANUARY) is None
    queued.refresh_from_db()
    assert (queued.status, queued.file.name) == ("failed", "")


def test_the_progress_a_page_reads_finds_a_dead_job(client, officer, queued, clock):
    jobs.claim(queued.pk)
    client.force_login(officer)
    url = reverse("generated_file_progress", args=[queued.pk])

    assert client.get(url).json()["status"] == "running"
    clock.shift(settings.GENERATED_FILE_STALE_SECONDS + 1)
    data = client.get(url).json()

    assert data == {"status": "failed", "label": "Lỗi", "progress": 100}
