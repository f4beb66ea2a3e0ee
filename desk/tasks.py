"""Celery tasks of the registry: thin wrappers around services.

Tasks take primary keys and are idempotent: with late acknowledgement a task
whose worker died runs again from the start, and the services make a rerun
harmless (an import re-plans against the database; nothing half-written
survives its transaction).
"""

import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from beneficiaries.models import ImportBatch
from desk.importer import service as importer
from desk.reference import load_reference_data

logger = logging.getLogger(__name__)


@shared_task(name="beneficiaries.load_reference_data")
def load_reference_data_task() -> dict[str, dict[str, int]]:
    """Reload the shipped reference data (after an upgrade brings new banks or rates)."""
    summary = load_reference_data()
    return {"created": summary.created, "updated": summary.updated}


def _run(batch_pk: int, user_pk: int | None, *, commit: bool) -> str:
    batch = ImportBatch.objects.select_related("commune").get(pk=batch_pk)
    # Writing only what the officer confirmed; validating what is waiting (or was
    # cut short). A redelivered message for a batch that moved on does nothing.
    allowed = (
        {ImportBatch.Status.WRITING}
        if commit
        else {ImportBatch.Status.PENDING, ImportBatch.Status.VALIDATING}
    )
    if batch.status not in allowed:
        return batch.status
    actor = get_user_model().objects.filter(pk=user_pk).first() if user_pk else None
    try:
        batch = importer.run_import(
            batch, actor=actor, commit=commit, progress=importer.progress_writer(batch)
        )
    except Exception:
        # Not retried: an unexpected error would recur. The officer sees it and can retry.
        logger.exception("import batch %s failed", batch_pk)
        importer.mark_failed(batch_pk, _("Lỗi hệ thống khi xử lý tệp; chưa ghi gì. Hãy thử lại."))
        raise
    return batch.status


@shared_task(name="beneficiaries.validate_import", acks_late=True)
def validate_import_task(batch_pk: int, user_pk: int | None = None) -> str:
    return _run(batch_pk, user_pk, commit=False)


@shared_task(name="beneficiaries.commit_import", acks_late=True)
def commit_import_task(batch_pk: int, user_pk: int | None = None) -> str:
    return _run(batch_pk, user_pk, commit=True)
