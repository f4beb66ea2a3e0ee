"""The officer's import as background jobs: each step of the service, with its job
queued once the step's transaction commits (a worker never reads a batch that was
rolled back). The pages call these; the tasks call the service."""

from __future__ import annotations

from typing import BinaryIO

from django.db import transaction

from beneficiaries.models import Commune, ImportBatch
from desk.importer import service
from desk.tasks import commit_import_task, validate_import_task


def _queue(task, batch: ImportBatch, actor) -> None:
    """Send ``task`` for the batch once the transaction commits (the task reloads both)."""
    batch_pk, user_pk = batch.pk, getattr(actor, "pk", None)
    transaction.on_commit(lambda: task.delay(batch_pk, user_pk))


@transaction.atomic
def upload(handle: BinaryIO, *, name: str, commune: Commune, actor, sheet: str = "") -> ImportBatch:
    """Record the workbook and queue its reading and checking."""
    batch = service.create_batch(handle, name=name, commune=commune, actor=actor, sheet=sheet)
    _queue(validate_import_task, batch, actor)
    return batch


@transaction.atomic
def confirm(batch: ImportBatch, *, actor) -> ImportBatch:
    """The officer confirms a checked import: queue the writing (once)."""
    locked = service.request_commit(batch, actor=actor)
    _queue(commit_import_task, batch, actor)
    return locked


@transaction.atomic
def retry(batch: ImportBatch, *, actor) -> ImportBatch:
    """Read a failed import again from the start."""
    locked = service.retry_batch(batch, actor=actor)
    _queue(validate_import_task, batch, actor)
    return locked
