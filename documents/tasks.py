"""Celery tasks of generated files: thin wrappers around :mod:`documents.jobs`.

With late acknowledgement a job whose worker died is delivered again; the
runner then claims the record anew and builds from the start (the dead
attempt's late write, if any, is ignored). A worker that died without the
message coming back leaves a silent heartbeat: the stale check records the
job failed, to be tried again.

The build task keeps the name it had when the ``reports`` app ran it, so
messages queued before are still understood.
"""

from celery import shared_task
from django.db import transaction

from documents import jobs


@shared_task(name="reports.build_generated_file", acks_late=True)
def build_generated_file_task(generated_file_pk: int) -> str:
    generated = jobs.build_generated_file(generated_file_pk)
    return generated.status if generated is not None else "skipped"


@shared_task(name="documents.fail_stale_jobs")
def fail_stale_jobs_task() -> int:
    """Beat, every few minutes: running jobs whose heartbeat went silent are failed."""
    return jobs.fail_stale_jobs()


def queue_build(pk: int) -> None:
    """Build the file once the caller's transaction commits (a worker never sees a
    record that was rolled back)."""
    transaction.on_commit(lambda: build_generated_file_task.delay(pk))
