"""Celery tasks of the reports app: thin wrappers around its services (beat entries)."""

from celery import shared_task

from reports import deadlines, reportfiles


@shared_task(name="reports.send_deadline_reminders")
def send_deadline_reminders_task() -> int:
    """Beat, every morning: deadline notices and e-mails from three days before (once each)."""
    return deadlines.send_deadline_reminders()


@shared_task(name="reports.request_due_monthly_reports")
def request_due_monthly_reports_task() -> int:
    """Beat, every night: the monthly report of communes whose deadline is within 3 days."""
    return len(reportfiles.request_due_monthly_reports())
