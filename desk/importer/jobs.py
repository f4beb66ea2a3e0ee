"""The officer's import as background jobs: each step of the service, with its job
queued once the step's transaction commits (a worker never reads a batch that was
rolled back). The pages call these; the tasks call the service."""

from __future__ import annotations

from typing import BinaryIO

from django.db import transaction

from beneficiaries.models import Commune, ImportBatch
from desk.importer import service
from desk.tasks import commit_import_task, validate_import_task


def _user_pk(actor) -> int | None:
    return getattr(actor, "pk", None)


@transaction.atomic
def upload(handle: BinaryIO, *, name: str, commune: Commune, actor, sheet: str = "") -> ImportBatch:
    """Record the workbook and queue its reading and checking."""
    batch = service.create_batch(handle, name=name, commune=commune, actor=actor, sheet=sheet)
    user_pk = _user_pk(actor)
    transaction.on_commit(lambda: validate_import_task.delay(batch.pk, user_pk))
    return batch


@transaction.atomic
def confirm(batch: ImportBatch, *, actor) -> ImportBatch:
    """The officer confirms a checked import: queue the writing (once)."""
    locked = service.request_commit(batch, actor=actor)
    user_pk = _user_pk(actor)
    transaction.on_commit(lambda: commit_import_task.delay(batch.pk, user_pk))
    return locked


@transaction.atomic
def retry(batch: ImportBatch, *, actor) -> ImportBatch:
    """Read a failed import again from the start."""
    locked = service.retry_batch(batch, actor=actor)
    user_pk = _user_pk(actor)
    transaction.on_commit(lambda: validate_import_task.delay(batch.pk, user_pk))
    return locked
