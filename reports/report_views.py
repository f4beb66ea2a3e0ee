"""The monthly report on demand: choose a commune and a month, build it, follow it, download it.

Thin: the report is built by :func:`reports.reportfiles.request_monthly_report`
(the nightly job's task, through the one job runner: a report already queued
or running is not built twice) and every file shown goes through
:func:`documents.access.visible_files` (the report's own access rules, the
paying office seeing only what was sent to it). Progress and download are
``documents.views``'.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from beneficiaries.access import communes_for, page_commune
from beneficiaries.models import Commune
from core import roles
from core.access import has_any_role, require_role
from core.rules.months import first_of_month
from documents.access import visible_files
from documents.models import GeneratedFile
from documents.services import FileError
from reports import reportfiles
from reports.forms import MonthlyReportForm


def report_page_url(commune: Commune, period: datetime.date) -> str:
    return f"{reverse('monthly_report')}?xa={commune.pk}&thang={period:%m/%Y}"


def _render(request: HttpRequest, form: MonthlyReportForm, commune, period) -> HttpResponse:
    user = request.user
    reports = visible_files(
        user,
        GeneratedFile.objects.filter(
            kind=reportfiles.MONTHLY_REPORT, commune=commune, period=period
        ),
    ).select_related("commune", "requested_by", "sent_by")
    reports = list(reports)
    return render(
        request,
        "reports/monthly_report.html",
        {
            "form": form,
            "commune": commune,
            "period": period,
            "reports": reports,
            "can_build": has_any_role(user, roles.CAN_BUILD_MONTHLY_REPORT),
            "can_send": has_any_role(user, roles.CAN_BUILD_LISTS),
            "running": any(f.is_active for f in reports),
        },
    )


@login_required
def monthly_report(request: HttpRequest) -> HttpResponse:
    """The reports of a commune and month that the user may see, and the form to build one."""
    require_role(request.user, roles.CAN_SEE_LISTS)
    communes = communes_for(request.user)
    commune = page_commune(request.user, request.GET.get("xa"))
    this_month = first_of_month(timezone.localdate())
    form = MonthlyReportForm(
        {"xa": commune.pk, "thang": request.GET.get("thang") or f"{this_month:%m/%Y}"},
        communes=communes,
    )
    period = form.cleaned_data["thang"] if form.is_valid() else this_month
    return _render(request, form, commune, period)


@login_required
@require_POST
def monthly_report_build(request: HttpRequest) -> HttpResponse:
    require_role(request.user, roles.CAN_BUILD_MONTHLY_REPORT)
    form = MonthlyReportForm(request.POST, communes=communes_for(request.user))
    if not form.is_valid():
        commune = page_commune(request.user, None)
        if "xa" in form.cleaned_data:
            commune = form.cleaned_data["xa"]
        period = form.cleaned_data.get("thang") or first_of_month(timezone.localdate())
        return _render(request, form, commune, period)
    commune, period = form.cleaned_data["xa"], form.cleaned_data["thang"]
    asked_at = timezone.now()
    try:
        generated = reportfiles.request_monthly_report(commune, period, actor=request.user)
    except FileError as exc:
        messages.error(request, str(exc))
        return redirect(report_page_url(commune, period))
    if generated.requested_at < asked_at:
        messages.info(
            request,
            _(
                "Báo cáo tháng %(month)s của xã %(commune)s đang được lập (yêu cầu lúc "
                "%(when)s): không lập thêm lần nữa."
            )
            % {
                "month": f"{period:%m/%Y}",
                "commune": commune.name,
                "when": timezone.localtime(generated.requested_at).strftime("%H:%M %d/%m/%Y"),
            },
        )
    else:
        messages.success(
            request,
            _(
                "Đã yêu cầu lập báo cáo tháng %(month)s của xã %(commune)s: theo dõi tiến độ "
                "dưới đây, xong thì tải về."
            )
            % {"month": f"{period:%m/%Y}", "commune": commune.name},
        )
    return redirect(report_page_url(commune, period))
