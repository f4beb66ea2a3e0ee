"""A past month's registration lists and monthly report: built and marked sent.

Built in this process as the management commands build them (no worker), dated
the day they were signed, approved by the leader (the lists) and sent through
the apps' own ``mark_sent`` (the lists' approval and gate included). The services stamp "now"; the demo moves the request,
finish and sending stamps back to the day the story says, so "sent late" and
the changes sheets read like the past year (the event log, append-only, keeps
the moment the demo recorded them).

Sent on the 3rd, before the 5th, except on purpose: Yến Sơn's lists of
05/2025 (:data:`LATE_LISTS`) and the monthly report of 10/2025
(:data:`LATE_REPORTS`), sent on the 8th.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User

from beneficiaries.models import Commune
from demo.payments import moment
from documents.builders import once_sent
from documents.models import GeneratedFile
from documents.services import FileError
from registration import listfiles
from reports import reportfiles

#: (commune code, month) of lists sent after the deadline, on purpose.
LATE_LISTS = frozenset({("15307", datetime.date(2025, 5, 1))})
#: Months whose monthly report was sent late, on purpose (every commune of the month).
LATE_REPORTS = frozenset({datetime.date(2025, 10, 1)})
ON_TIME_DAY = 3
LATE_DAY = 8


def _backdate(generated: GeneratedFile, day: datetime.date) -> None:
    stamps = {
        "requested_at": moment(day, 8),
        "finished_at": moment(day, 8).replace(minute=1),
        "sent_at": moment(day, 10),
    }
    if generated.kind in listfiles.LIST_KINDS:  # the report has no approval
        stamps["approved_at"] = moment(day, 9)
    GeneratedFile.objects.filter(pk=generated.pk).update(**stamps)


def _approve(commune: Commune, period: datetime.date, *, leader: User) -> None:
    """The leader approves the month's built lists before they are sent (a sent list's
    stamps are moved back to its day by :func:`_backdate`: approved at 09:00)."""
    if listfiles.awaiting_approval(commune, period):
        listfiles.approve_lists(commune, period, actor=leader)


def _sent(commune: Commune, period: datetime.date, kinds) -> bool:
    return GeneratedFile.objects.filter(
        once_sent(), commune=commune, period=period, kind__in=kinds
    ).exists()


def send_lists(commune: Commune, period: datetime.date, *, officer: User, leader: User) -> int:
    """Build, approve and send the month's registration lists, once; returns how many
    were sent."""
    if _sent(commune, period, listfiles.LIST_KINDS):
        return 0
    day = period.replace(day=LATE_DAY if (commune.code, period) in LATE_LISTS else ON_TIME_DAY)
    sent = 0
    built = listfiles.build_registration_lists_now(commune, period, actor=officer, today=day)
    _approve(commune, period, leader=leader)
    for generated in built:
        if generated.status != GeneratedFile.Status.DONE:
            continue
        listfiles.mark_sent(generated, actor=officer)
        _backdate(generated, day)
        sent += 1
    return sent


def build_lists(
    commune: Commune,
    period: datetime.date,
    *,
    officer: User,
    leader: User,
    today: datetime.date,
):
    """This month's lists: built, and from the day lists are sent on time, approved by
    the leader and each sent that the gate lets through; the gate holds the
    others while the month's blockers last (the lists page shows who, the
    dashboard says they are late). Before that day they wait for the approval."""
    built = listfiles.build_registration_lists_now(commune, period, actor=officer, today=today)
    day = period.replace(day=ON_TIME_DAY)
    if today < day:
        return built
    _approve(commune, period, leader=leader)
    for generated in built:
        if generated.status != GeneratedFile.Status.DONE:
            continue
        try:
            listfiles.mark_sent(generated, actor=officer)
        except FileError:
            continue  # held by the gate: this month's planted blockers
        _backdate(generated, day)
    return built


def send_report(commune: Commune, period: datetime.date, *, officer: User) -> bool:
    """Build and send the month's report, once."""
    if _sent(commune, period, [GeneratedFile.Kind.MONTHLY_REPORT]):
        return False
    day = period.replace(day=LATE_DAY if period in LATE_REPORTS else ON_TIME_DAY + 1)
    generated = reportfiles.build_monthly_report_now(commune, period, actor=officer, today=day)
    if generated.status != GeneratedFile.Status.DONE:
        return False
    reportfiles.mark_sent(generated, actor=officer)
    _backdate(generated, day)
    return True
