"""The list-building task runs on a real worker through Redis; a worker killed
mid-build leaves the job running, and the redelivered job builds it from the start."""

from __future__ import annotations

import hashlib
import signal

import pytest

from desk.reference import load_reference_data
from documents.models import GeneratedFile
from documents.tasks import build_generated_file_task
from registration.listfiles import request_registration_lists
from tests.broker.test_celery_worker import (
    _restore_unacked_messages,
    _wait_until,
    table_locked,
)
from tests.lists.data import PERIOD, enrol

pytestmark = [
    pytest.mark.broker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def ncc_self(commune) -> GeneratedFile:
    load_reference_data()
    enrol(commune, "NCC", "Nguyễn Văn An", amount=2_055_000)
    enrol(commune, "NCC", "Hoàng Văn Giang", amount=1_000_000)
    return request_registration_lists(commune, PERIOD, actor=None, queue=False)[0]


def _file(pk: int) -> GeneratedFile:
    return GeneratedFile.objects.get(pk=pk)


def test_a_real_worker_builds_a_list(start_worker, queue, ncc_self):
    worker = start_worker("worker")
    build_generated_file_task.apply_async((ncc_self.pk,), queue=queue)
    _wait_until(lambda: _file(ncc_self.pk).status == GeneratedFile.Status.DONE, "the build")
    built = _file(ncc_self.pk)
    assert (built.rows, built.total_amount) == (2, 3_055_000)
    with built.file.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == built.checksum
    worker.wait_for_log("reports.build_generated_file")


@pytest.mark.slow
def test_a_worker_killed_mid_build_leaves_the_job_to_be_built_again(start_worker, queue, ncc_self):
    # The job claims the record (running, attempt 1), then its first read of the
    # registrations waits on this lock: a job stopped in the middle of its build.
    with table_locked("registration_paymentmethodregistration", "ACCESS EXCLUSIVE") as lock:
        first = start_worker("first")
        build_generated_file_task.apply_async((ncc_self.pk,), queue=queue)
        blocked = _wait_until(lock.waiting_backends, "the build to start and wait on the lock")
        first.kill()
        lock.release(terminate=blocked)
    assert first.process.returncode == -signal.SIGKILL
    stuck = _file(ncc_self.pk)
    assert (stuck.status, stuck.attempt, stuck.file.name) == (GeneratedFile.Status.RUNNING, 1, "")

    start_worker("second")
    _restore_unacked_messages()
    _wait_until(lambda: _file(ncc_self.pk).status == GeneratedFile.Status.DONE, "the rerun")
    done = _file(ncc_self.pk)
    assert (done.attempt, done.rows, done.total_amount) == (2, 2, 3_055_000)
