"""Celery tasks of payment cycles: thin wrappers around :mod:`payments.services.monthly`."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.db import OperationalError, transaction

from beneficiaries.models import Commune
from payments.services.monthly import cycles_to_open, open_cycle_if_absent

logger = logging.getLogger(__name__)

# PostgreSQL errors that a second attempt can get past; anything else is a bug to see.
TRANSIENT_PGCODES = {
    "40001": "serialization_failure",
    "40P01": "deadlock_detected",
    "55P03": "lock_not_available",
}
RETRY_AFTER_SECONDS = 30


def is_transient(exc: OperationalError) -> bool:
    return getattr(exc.__cause__, "pgcode", None) in TRANSIENT_PGCODES


@shared_task(bind=True, name="payments.open_commune_cycle", acks_late=True, max_retries=3)
def open_commune_cycle_task(self, commune_pk: int, period: str) -> str:
    """Open one commune's cycle of ``period`` (ISO date, first of month) unless it exists."""
    commune = Commune.objects.get(pk=commune_pk)
    try:
        result = open_cycle_if_absent(commune, datetime.date.fromisoformat(period))
    except OperationalError as exc:
        if not is_transient(exc):
            raise
        logger.warning("open_cycle %s %s: %s, retrying", commune.code, period, exc)
        raise self.retry(exc=exc, countdown=RETRY_AFTER_SECONDS) from exc
    if result is None:
        return "skipped"
    return "opened"


@shared_task(name="payments.request_monthly_cycles")
def request_monthly_cycles_task() -> int:
    """Beat, on the 1st of every month: this month's cycle for every active commune
    (one job each, queued once this transaction commits)."""
    period, pks = cycles_to_open()
    for pk in pks:
        transaction.on_commit(lambda pk=pk: open_commune_cycle_task.delay(pk, period.isoformat()))
    return len(pks)
