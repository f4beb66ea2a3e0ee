"""Generated files: requested once, built (and rebuilt after a dead worker), sent, downloaded."""

from __future__ import annotations

import hashlib

import pytest

from documents import jobs
from documents import services as files
from documents.models import Event, GeneratedFile
from registration import listfiles
from tests.confirming import approve_lists_of
from tests.lists.data import PERIOD, TODAY, enrol

pytestmark = pytest.mark.django_db


def _bytes_sha256(generated: GeneratedFile) -> str:
    with generated.file.open("rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def test_a_second_request_while_queued_returns_the_same_jobs(
    registered, signed_commune, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        first = listfiles.request_registration_lists(signed_commune, PERIOD, actor=officer)
        second = listfiles.request_registration_lists(signed_commune, PERIOD, actor=officer)
    assert [f.pk for f in first] == [f.pk for f in second]
    # NCC own account and representatives, BTXH own account; nobody on the other lists.
    assert len(first) == 3
    assert len(queued) == 3
    assert GeneratedFile.objects.count() == 3


def test_the_database_refuses_a_second_active_job_for_the_same_list(registered, signed_commune):
    from django.db import IntegrityError, transaction

    (first, *_rest) = listfiles.request_registration_lists(
        signed_commune, PERIOD, actor=None, queue=False
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        GeneratedFile.objects.create(
            kind=first.kind, commune=signed_commune, programme=first.programme, period=PERIOD
        )


def test_a_queued_request_is_built_by_the_task_on_commit(
    registered, signed_commune, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        files = listfiles.request_registration_lists(signed_commune, PERIOD, actor=officer)
    for generated in files:
        generated.refresh_from_db()
        assert generated.status == GeneratedFile.Status.DONE
        assert generated.progress == 100
        assert generated.checksum == _bytes_sha256(generated)
    ncc_self = files[0]
    assert (ncc_self.rows, ncc_self.total_amount) == (2, 3_055_000)


def test_a_sent_list_stays_byte_identical_when_the_month_is_built_again(
    registered, signed_commune, officer
):
    sent = listfiles.build_registration_lists_now(signed_commune, PERIOD, today=TODAY)[0]
    listfiles.mark_sent(approve_lists_of(sent), actor=officer)
    enrol(signed_commune, "NCC", "Đinh Văn Khánh")

    rebuilt = listfiles.build_registration_lists_now(signed_commune, PERIOD, today=TODAY)[0]

    sent.refresh_from_db()
    assert rebuilt.pk != sent.pk
    assert rebuilt.file.name != sent.file.name
    assert (rebuilt.rows, sent.rows) == (3, 2)
    assert _bytes_sha256(sent) == sent.checksum
    assert sent.sent_by == officer


def test_a_list_is_sent_once_and_only_when_done(registered, signed_commune, officer):
    queued = listfiles.request_registration_lists(
        signed_commune, PERIOD, actor=officer, queue=False
    )[0]
    with pytest.raises(files.FileError):
        listfiles.mark_sent(queued, actor=officer)
    jobs.build_generated_file(queued.pk, today=TODAY)
    listfiles.mark_sent(approve_lists_of(queued), actor=officer)
    with pytest.raises(files.FileError):
        listfiles.mark_sent(queued, actor=officer)
    event = Event.objects.get(kind=Event.Kind.LIST_SENT)
    assert (event.actor, event.generated_file_id, event.commune) == (
        officer,
        queued.pk,
        signed_commune,
    )


def test_a_download_is_logged(registered, signed_commune, accountant):
    generated = listfiles.build_registration_lists_now(signed_commune, PERIOD, today=TODAY)[0]
    files.record_download(generated, actor=accountant)
    event = Event.objects.get()
    assert event.kind == Event.Kind.FILE_DOWNLOADED
    assert event.actor == accountant
    assert event.data == {"checksum": generated.checksum}


def test_events_cannot_be_changed_or_deleted(registered, signed_commune, accountant):
    generated = listfiles.build_registration_lists_now(signed_commune, PERIOD, today=TODAY)[0]
    event = files.record_download(generated, actor=accountant)
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        Event.objects.all().delete()
    with pytest.raises(TypeError):
        Event.objects.update(data={})


def test_a_failed_job_records_the_error_and_can_be_retried(
    registered, signed_commune, officer, monkeypatch, django_capture_on_commit_callbacks
):
    generated = listfiles.request_registration_lists(
        signed_commune, PERIOD, actor=officer, queue=False
    )[0]

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(listfiles, "write_registration_list", broken)
    with pytest.raises(OSError):
        jobs.build_generated_file(generated.pk, today=TODAY)
    generated.refresh_from_db()
    assert generated.status == GeneratedFile.Status.FAILED
    assert "OSError" in generated.error
    assert not jobs.build_generated_file(generated.pk)  # a failed job is not rerun by itself

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        files.retry_generated_file(generated, actor=officer)
    generated.refresh_from_db()
    assert generated.status == GeneratedFile.Status.DONE
    assert generated.error == ""
    with pytest.raises(files.FileError):
        files.retry_generated_file(generated, actor=officer)


def test_a_job_left_running_by_a_dead_worker_starts_over(registered, signed_commune):
    generated = listfiles.request_registration_lists(
        signed_commune, PERIOD, actor=None, queue=False
    )[0]
    dead = jobs.claim(generated.pk)  # the first worker took it, then died
    assert dead.status == GeneratedFile.Status.RUNNING

    done = jobs.build_generated_file(generated.pk, today=TODAY)

    assert (done.status, done.attempt) == (GeneratedFile.Status.DONE, 2)
    # Had the dead attempt come back, its late result would be ignored.
    assert jobs.build_claimed(dead, today=TODAY) is None
    generated.refresh_from_db()
    assert generated.file.name == done.file.name
    assert jobs.build_generated_file(generated.pk) is None  # a done file is never rebuilt


def test_the_monthly_request_covers_every_active_commune(
    registered, signed_commune, other_commune, django_capture_on_commit_callbacks
):
    import datetime

    from tests.factories import CommuneFactory

    merged = CommuneFactory(
        code="15300", merged_into=other_commune, merged_on=datetime.date(2025, 7, 1)
    )
    enrol(other_commune, "NCC", "Đinh Văn Khác")
    enrol(merged, "NCC", "Đinh Văn Gộp")
    with django_capture_on_commit_callbacks() as queued:
        count = listfiles.request_monthly_lists(today=datetime.date(2027, 3, 1))
    assert count == 4 == len(queued)  # three lists here, one there; none for the merged one
    assert set(GeneratedFile.objects.values_list("commune__code", flat=True)) == {"15307", "15271"}
    assert set(GeneratedFile.objects.values_list("period", flat=True)) == {
        datetime.date(2027, 3, 1)
    }


def test_the_monthly_request_skips_a_commune_that_has_its_lists(
    registered, signed_commune, other_commune, django_capture_on_commit_callbacks
):
    import datetime

    march = datetime.date(2027, 3, 1)
    enrol(other_commune, "NCC", "Đinh Văn Khác", representative=True)
    listfiles.build_registration_lists_now(signed_commune, march)
    with django_capture_on_commit_callbacks() as queued:
        assert listfiles.request_monthly_lists(today=march) == 1
        assert listfiles.request_monthly_lists(today=march) == 0  # a redelivered beat message
    assert len(queued) == 1
    assert GeneratedFile.objects.filter(commune=other_commune).count() == 1
