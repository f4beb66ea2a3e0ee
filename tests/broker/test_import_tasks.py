"""The import's two task kinds run on a real worker through Redis; a worker killed
while writing leaves nothing, and the redelivered job writes the file once."""

from __future__ import annotations

import signal

import pytest

from beneficiaries.models import ImportBatch, Person
from desk.importer.service import create_batch, request_commit
from desk.reference import load_reference_data
from desk.tasks import commit_import_task, validate_import_task
from tests.broker.test_celery_worker import (
    _restore_unacked_messages,
    _wait_until,
    table_locked,
)
from tests.importer.workbooks import data_row, write_workbook

pytestmark = [
    pytest.mark.broker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def batch(tmp_path, commune):
    load_reference_data()
    path = tmp_path / "ds.xlsx"
    write_workbook(path, [data_row(), data_row(full_name="Lê Văn Hai", personal_id="038046000222")])
    with path.open("rb") as handle:
        return create_batch(handle, name=path.name, commune=commune, actor=None)


def _status(pk: int) -> str:
    return ImportBatch.objects.get(pk=pk).status


def test_a_real_worker_validates_then_writes_an_import(start_worker, queue, batch):
    worker = start_worker("worker")
    validate_import_task.apply_async((batch.pk,), queue=queue)
    _wait_until(lambda: _status(batch.pk) == ImportBatch.Status.VALIDATED, "validation")
    assert Person.objects.count() == 0
    request_commit(batch, actor=None)
    commit_import_task.apply_async((batch.pk,), queue=queue)
    _wait_until(lambda: _status(batch.pk) == ImportBatch.Status.COMMITTED, "the write")
    assert Person.objects.count() == 2
    worker.wait_for_log("beneficiaries.commit_import")


@pytest.fixture
def village_writes_blocked():
    """Let the task read (and plan) but hold its first insert: a job stopped mid-write."""
    with table_locked("beneficiaries_village", "EXCLUSIVE") as lock:
        yield lock


@pytest.mark.slow
def test_a_worker_killed_while_writing_leaves_nothing_and_the_job_is_done_once(
    start_worker, queue, batch, village_writes_blocked
):
    first = start_worker("first")
    validate_import_task.apply_async((batch.pk,), queue=queue)
    _wait_until(lambda: _status(batch.pk) == ImportBatch.Status.VALIDATED, "validation")
    request_commit(batch, actor=None)
    commit_import_task.apply_async((batch.pk,), queue=queue)
    blocked = _wait_until(
        village_writes_blocked.waiting_backends, "the write to start and wait on the lock"
    )

    first.kill()
    village_writes_blocked.release(terminate=blocked)

    assert first.process.returncode == -signal.SIGKILL
    assert Person.objects.count() == 0
    assert _status(batch.pk) == ImportBatch.Status.WRITING
    start_worker("second")
    _restore_unacked_messages()
    _wait_until(lambda: _status(batch.pk) == ImportBatch.Status.COMMITTED, "the rerun")
    assert Person.objects.count() == 2
    assert Person.history.count() == 2
