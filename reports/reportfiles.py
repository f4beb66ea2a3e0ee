"""The monthly report as a generated file: requested, scheduled ahead of the deadline, sent.

- :func:`request_monthly_report` asks for a commune's report of a month, built
  by the one job runner (:mod:`documents.jobs`) with
  :func:`build_monthly_report`, registered here (from ``ReportsConfig.ready``)
  with its download name and who may see it: the money roles, the paying
  office once it was sent.
- :func:`request_due_monthly_reports` is the beat's nightly job: the report of
  each commune whose deadline is within :data:`REPORT_DAYS_AHEAD` days.
- :func:`mark_sent` records the report sent (a report, not a payment list: no
  gate).
"""

from __future__ import annotations

import contextlib
import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.models import Commune
from core import roles
from core.access import require_actor
from core.rules.months import first_of_month
from documents import jobs
from documents import services as files
from documents.builders import Access, Built, builder, once_sent
from documents.jobs import Job
from documents.models import GeneratedFile
from documents.services import FileError, Wanted
from payments.services.cycles import due_date
from registration.listfiles import active_communes
from reports.monthly import write_monthly_report

MONTHLY_REPORT = GeneratedFile.Kind.MONTHLY_REPORT
REPORT_DAYS_AHEAD = 3

# The paying office sees the report once it was sent to it; the money roles, every report.
# A user limited to some programmes sees it too: the report is addressed to the
# office of every programme of the month ("Kính gửi"), theirs among them.
REPORT_ACCESS = Access(
    roles=roles.CAN_SEE_LISTS,
    limited_roles=roles.SEES_SENT_LISTS_ONLY,
    limited=once_sent,
    within_programmes=lambda programme_ids: Q(),
)


def report_file_name(generated: GeneratedFile) -> str:
    """``bao-cao-thang-15307-2027-01.xlsx``."""
    return f"bao-cao-thang-{generated.commune.code}-{generated.period:%Y-%m}.xlsx"


@builder(MONTHLY_REPORT, file_name=report_file_name, access=REPORT_ACCESS)
def build_monthly_report(generated: GeneratedFile, job: Job) -> Built:
    out = job.temporary_file()
    figures = write_monthly_report(
        out,
        commune=generated.commune,
        period=generated.period,
        dated=job.today,
        progress=job.percent,
    )
    return Built(
        out,
        ".xlsx",
        rows=figures.rows,
        total=figures.total,
        parameters={
            "cycle": figures.cycle_id,
            "account_people": figures.account_people,
            "account_amount": figures.account_amount,
            "deducted": figures.deducted,
            "not_cashless": figures.not_cashless,
        },
    )


def request_monthly_report(
    commune: Commune, period: datetime.date, *, actor, queue: bool = True
) -> GeneratedFile:
    """The monthly report of a commune and month, queued to build.

    A report already queued or running for the same commune and month is
    returned as it is (the commune row is locked; a partial unique constraint
    backs it). The beat, the command and the report page
    (:mod:`reports.report_views`) all come here; a user who asks must be one who
    sees every report (``roles.CAN_BUILD_MONTHLY_REPORT``).
    """
    require_actor(actor, roles.CAN_BUILD_MONTHLY_REPORT)
    if period.day != 1:
        raise FileError(_("Kỳ của báo cáo phải là ngày đầu tháng."))
    (generated,) = files.request_files(
        commune, period, [Wanted(MONTHLY_REPORT)], actor=actor, queue=queue
    )
    return generated


def build_monthly_report_now(
    commune: Commune, period: datetime.date, *, actor=None, today: datetime.date | None = None
) -> GeneratedFile:
    """Request and build the report in this process (the management command)."""
    generated = request_monthly_report(commune, period, actor=actor, queue=False)
    # A failure is on the record (status, error) and in the log.
    with contextlib.suppress(Exception):
        jobs.build_generated_file(generated.pk, today=today)
    return GeneratedFile.objects.select_related("commune").get(pk=generated.pk)


def mark_sent(generated: GeneratedFile, *, actor) -> GeneratedFile:
    """Record that a finished report was sent; the paying office sees it from then on."""
    if generated.kind != MONTHLY_REPORT:
        raise FileError(_("Chỉ báo cáo tháng được ghi nhận gửi ở đây."))
    return files.mark_sent(generated, actor=actor)


def withdraw_sent(generated: GeneratedFile, *, actor) -> GeneratedFile:
    """Take back a report's "sent" mark recorded by mistake (same person, same local day)."""
    if generated.kind != MONTHLY_REPORT:
        raise FileError(_("Chỉ báo cáo tháng được rút dấu đã gửi ở đây."))
    require_actor(actor, roles.CAN_BUILD_LISTS)
    return files.withdraw_sent(generated, actor=actor)


def communes_due_for_report(today: datetime.date) -> list[Commune]:
    """Active communes whose deadline for this month is today or within
    :data:`REPORT_DAYS_AHEAD` days, with no report of the month (a failed one
    does not count: the next day's run tries again)."""
    period = first_of_month(today)
    has_report = GeneratedFile.objects.filter(period=period, kind=MONTHLY_REPORT).exclude(
        status=GeneratedFile.Status.FAILED
    )
    candidates = active_communes().exclude(pk__in=has_report.values("commune_id"))
    return [
        commune
        for commune in candidates
        if 0 <= (due_date(commune, period) - today).days <= REPORT_DAYS_AHEAD
    ]


def request_due_monthly_reports(today: datetime.date | None = None) -> list[int]:
    """The beat's daily job: the month's report for each commune whose deadline is near.

    Returns the primary keys of the reports requested.
    """
    today = today or timezone.localdate()
    period = first_of_month(today)
    return [
        request_monthly_report(commune, period, actor=None).pk
        for commune in communes_due_for_report(today)
    ]
