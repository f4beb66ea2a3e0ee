"""Celery tasks of the registry: thin wrappers around services."""

from celery import shared_task

from beneficiaries.reference import load_reference_data


@shared_task(name="beneficiaries.load_reference_data")
def load_reference_data_task() -> dict[str, dict[str, int]]:
    """Reload the shipped reference data (after an upgrade brings new banks or rates)."""
    summary = load_reference_data()
    return {"created": summary.created, "updated": summary.updated}
