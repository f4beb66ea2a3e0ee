"""Celery tasks of generated files: thin wrappers around :mod:`reports.services`.

With late acknowledgement a job whose worker died is delivered again; the
service then claims the record anew and builds from the start (the dead
attempt's late write, if any, is ignored).
"""

from celery import shared_task

from reports import deadlines, services


@shared_task(name="reports.build_generated_file", acks_late=True)
def build_generated_file_task(generated_file_pk: int) -> str:
    generated = services.build_generated_file(generated_file_pk)
    return generated.status if generated is not None else "skipped"


@shared_task(name="reports.request_monthly_registration_lists")
def request_monthly_registration_lists_task() -> int:
    """Beat, on the 1st of every month: this month's lists for every active commune."""
    return services.request_monthly_lists()


@shared_task(name="reports.send_deadline_reminders")
def send_deadline_reminders_task() -> int:
    """Beat, every morning: deadline notices and e-mails from three days before (once each)."""
    return deadlines.send_deadline_reminders()


@shared_task(name="reports.request_due_monthly_reports")
def request_due_monthly_reports_task() -> int:
    """Beat, every night: the monthly report of communes whose deadline is within 3 days."""
    return len(services.request_due_monthly_reports())
