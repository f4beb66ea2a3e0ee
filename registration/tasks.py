"""Celery tasks of the registration app: thin wrappers around its services.

The beat task keeps the name it had in the ``reports`` app: the beat's
stored schedule and messages in flight name it so.
"""

from celery import shared_task

from registration import listfiles


@shared_task(name="reports.request_monthly_registration_lists")
def request_monthly_registration_lists_task() -> int:
    """Beat, on the 1st of every month: this month's lists for every active commune."""
    return listfiles.request_monthly_lists()
