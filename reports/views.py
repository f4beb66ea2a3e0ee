"""The registration lists page and the downloads page: build, follow, mark as sent, retry.

Thin: every file goes through :func:`documents.access.visible_files` (its
kind's rules: another commune's file, or one not sent yet to the paying
office, is a 404; a role that may not act a 403) and every action is one
service call. Downloading and following a job's progress are the one pair of
views of ``documents.views``, for every kind.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from beneficiaries.access import (
    commune_ids_for,
    communes_for,
    get_commune_for,
    page_commune,
    programme_ids_for,
)
from beneficiaries.deadlines import DeadlineBook
from beneficiaries.models import Commune
from core import roles
from core.access import has_any_role, require_role
from core.rules.months import first_of_month, read_month
from core.widgets import MONTH_ERROR
from documents.access import visible_files
from documents.models import GeneratedFile
from documents.services import FileError, retry_generated_file
from registration import listfiles
from registration.quality.gate import blocker_lines
from reports import dashboard as figures
from reports import reportfiles
from reports.deadlines import sent_late


def _file_to_act_on(user, pk: int) -> GeneratedFile:
    """A list or report the user may send or retry: 404 unless they see it, 403 for
    a role that may not act (a cycle's files have their own page)."""
    require_role(user, roles.CAN_SEE_LISTS)
    files = GeneratedFile.objects.select_related("commune", "programme").filter(
        kind__in=GeneratedFile.SENDABLE_KINDS
    )
    generated = get_object_or_404(visible_files(user, files), pk=pk)
    require_role(user, roles.CAN_BUILD_LISTS)
    return generated


def _month(request: HttpRequest) -> datetime.date:
    """The month asked for (``thang``), else this month; a malformed one is said so."""
    value = request.GET.get("thang")
    period = read_month(value)
    if period is None and value:
        messages.error(request, MONTH_ERROR)
    return period or first_of_month(timezone.localdate())


def _page_url(commune: Commune, period: datetime.date) -> str:
    return f"{reverse('registration_lists')}?xa={commune.pk}&thang={period:%Y-%m}"


@login_required
def registration_lists(request: HttpRequest) -> HttpResponse:
    require_role(request.user, roles.CAN_SEE_LISTS)
    commune = page_commune(request.user, request.GET.get("xa"))
    period = _month(request)
    files = list(visible_files(request.user, listfiles.files_of(commune, period)))
    return render(
        request,
        "reports/registration_lists.html",
        {
            "commune": commune,
            "communes": communes_for(request.user).order_by("name"),
            "period": period,
            "files": files,
            "empty": [
                {"programme": programme, "kind": GeneratedFile.Kind(kind).label}
                for programme, kind in listfiles.empty_lists(commune, period)
            ],
            "empty_message": listfiles.empty_message(period),
            "can_build": has_any_role(request.user, roles.CAN_BUILD_LISTS),
            "running": any(f.is_active for f in files),
        },
    )


@login_required
@require_POST
def registration_lists_build(request: HttpRequest) -> HttpResponse:
    require_role(request.user, roles.CAN_SEE_LISTS)
    commune = get_commune_for(request.user, request.POST.get("xa"))
    require_role(request.user, roles.CAN_BUILD_LISTS)
    period = read_month(request.POST.get("thang"))
    if period is None:
        messages.error(request, MONTH_ERROR)
        return redirect(f"{reverse('registration_lists')}?xa={commune.pk}")
    files = listfiles.request_registration_lists(commune, period, actor=request.user)
    if files:
        messages.success(
            request,
            _("Đã yêu cầu lập %(count)d danh sách tháng %(period)s.")
            % {"count": len(files), "period": period.strftime("%m/%Y")},
        )
    else:
        messages.info(request, listfiles.empty_message(period) + ".")
    return redirect(_page_url(commune, period))


@login_required
@require_POST
def generated_file_mark_sent(request: HttpRequest, pk: int) -> HttpResponse:
    generated = _file_to_act_on(request.user, pk)
    # The lists go through their gate; the report has none.
    send = (
        reportfiles.mark_sent
        if generated.kind == GeneratedFile.Kind.MONTHLY_REPORT
        else listfiles.mark_sent
    )
    try:
        send(generated, actor=request.user)
        messages.success(request, _("Đã ghi nhận %(file)s đã gửi.") % {"file": generated})
    except listfiles.ListBlocked as blocked:
        # Who blocks and why, one message each.
        messages.error(request, str(blocked))
        for line in blocker_lines(blocked.blockers):
            messages.warning(request, line)
    except FileError as exc:
        messages.error(request, str(exc))
    return _back(request, generated)


def _back(request: HttpRequest, generated: GeneratedFile) -> HttpResponse:
    if request.POST.get("from") == "downloads":
        return redirect(f"{reverse('downloads')}?xa={generated.commune_id}")
    if request.POST.get("from") == "report":
        return redirect(
            f"{reverse('monthly_report')}?xa={generated.commune_id}&thang={generated.period:%m/%Y}"
        )
    return redirect(_page_url(generated.commune, generated.period))


@login_required
@require_POST
def generated_file_retry(request: HttpRequest, pk: int) -> HttpResponse:
    generated = _file_to_act_on(request.user, pk)
    try:
        retry_generated_file(generated, actor=request.user)
    except FileError as exc:
        messages.error(request, str(exc))
    return _back(request, generated)


DOWNLOADS_PAGE_SIZE = 50


@login_required
def downloads(request: HttpRequest) -> HttpResponse:
    """Every generated file the user may see, newest first, with its state and a download."""
    user = request.user
    require_role(user, roles.CAN_SEE_LISTS)
    files = visible_files(user)
    commune = None
    if request.GET.get("xa"):
        commune = get_commune_for(user, request.GET.get("xa"))
        files = files.filter(commune=commune)
    period = read_month(request.GET.get("thang"))
    if period is None and request.GET.get("thang"):
        messages.error(request, MONTH_ERROR)
    if period is not None:
        files = files.filter(period=period)
    only_sent = bool(request.GET.get("da_gui"))
    if only_sent:
        files = figures.sent_files(files, programme_ids_for(user))
    files = files.select_related("commune", "programme", "requested_by", "sent_by")
    page = Paginator(files, DOWNLOADS_PAGE_SIZE).get_page(request.GET.get("page"))
    book = DeadlineBook(commune_ids_for(user))
    for generated in page:
        generated.deadline = (
            book.deadline_for(generated.commune_id, generated.programme_id, generated.period)
            if generated.programme_id
            else book.commune_due(generated.commune_id, generated.period)
        )
        generated.late = sent_late(generated, generated.deadline)
        # A cycle's files are built again from the cycle's page, not retried here.
        generated.retryable = generated.kind in GeneratedFile.SENDABLE_KINDS
        generated.sendable = generated.kind == GeneratedFile.Kind.MONTHLY_REPORT
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/downloads.html",
        {
            "page": page,
            "query": query.urlencode(),
            "commune": commune,
            "period": period,
            "only_sent": only_sent,
            "communes": communes_for(user).order_by("name"),
            "can_build": has_any_role(user, roles.CAN_BUILD_LISTS),
            "can_build_report": has_any_role(user, roles.CAN_BUILD_MONTHLY_REPORT),
            "running": any(f.is_active for f in page),
        },
    )
