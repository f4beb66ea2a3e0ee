"""The registration lists page: build, follow, download, mark as sent, retry.

Thin: every object goes through the scoped helpers of
``beneficiaries.access`` (another commune's file is a 404, a role that may
not act a 403) and every action is one service call.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from beneficiaries import roles
from beneficiaries.access import (
    commune_ids_for,
    communes_for,
    get_commune_for,
    has_any_role,
    page_commune,
    require_role,
)
from beneficiaries.models import Commune
from beneficiaries.quality.gate import blocker_lines
from beneficiaries.rules.months import parse_month
from payments.models import PaymentCycle
from reports import services
from reports.deadlines import DeadlineBook, sent_late
from reports.models import GeneratedFile

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sent_only(user) -> bool:
    """Whether the user sees only lists that were sent (the paying office)."""
    return not has_any_role(user, roles.CAN_SEE_LISTS - roles.SEES_SENT_LISTS_ONLY)


def _visible(user, files: QuerySet[GeneratedFile]) -> QuerySet[GeneratedFile]:
    """The paying office sees what was sent to it: lists and reports once sent, a
    cycle's files once the cycle was submitted."""
    if not _sent_only(user):
        return files
    submitted = PaymentCycle.objects.filter(
        commune=OuterRef("commune"),
        period=OuterRef("period"),
        status__in=[
            PaymentCycle.Status.SUBMITTED,
            PaymentCycle.Status.PAID,
            PaymentCycle.Status.CLOSED,
        ],
    )
    return files.filter(
        Q(kind__in=GeneratedFile.SENDABLE_KINDS, sent_at__isnull=False)
        | (Q(kind__in=GeneratedFile.CYCLE_KINDS) & Exists(submitted))
    )


def _file_for(user, pk: int) -> GeneratedFile:
    require_role(user, roles.CAN_SEE_LISTS)
    # Lists and reports here: a cycle's files have their own rules (payments).
    files = GeneratedFile.objects.select_related("commune", "programme").filter(
        commune_id__in=commune_ids_for(user), kind__in=GeneratedFile.SENDABLE_KINDS
    )
    return get_object_or_404(_visible(user, files), pk=pk)


def _file_to_act_on(user, pk: int) -> GeneratedFile:
    generated = _file_for(user, pk)
    require_role(user, roles.CAN_BUILD_LISTS)
    return generated


def _month(value: str | None) -> datetime.date:
    """The month asked for, else this month."""
    return parse_month(value) or timezone.localdate().replace(day=1)


def _page_url(commune: Commune, period: datetime.date) -> str:
    return f"{reverse('registration_lists')}?xa={commune.pk}&thang={period:%Y-%m}"


@login_required
def registration_lists(request: HttpRequest) -> HttpResponse:
    require_role(request.user, roles.CAN_SEE_LISTS)
    commune = page_commune(request.user, request.GET.get("xa"))
    period = _month(request.GET.get("thang"))
    files = list(_visible(request.user, services.files_of(commune, period)))
    return render(
        request,
        "reports/registration_lists.html",
        {
            "commune": commune,
            "communes": communes_for(request.user).order_by("name"),
            "period": period,
            "files": files,
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
    period = parse_month(request.POST.get("thang"))
    if period is None:
        messages.error(request, _("Tháng không hợp lệ: hãy chọn tháng cần lập danh sách."))
        return redirect(f"{reverse('registration_lists')}?xa={commune.pk}")
    files = services.request_registration_lists(commune, period, actor=request.user)
    messages.success(
        request,
        _("Đã yêu cầu lập %(count)d danh sách tháng %(period)s.")
        % {"count": len(files), "period": period.strftime("%m/%Y")},
    )
    return redirect(_page_url(commune, period))


@login_required
def generated_file_progress(request: HttpRequest, pk: int) -> JsonResponse:
    generated = _file_for(request.user, pk)
    return JsonResponse(
        {
            "status": generated.status,
            "label": generated.get_status_display(),
            "progress": generated.progress,
        }
    )


@login_required
def generated_file_download(request: HttpRequest, pk: int) -> HttpResponse:
    generated = _file_for(request.user, pk)
    if generated.status != GeneratedFile.Status.DONE:
        raise Http404
    services.record_download(generated, actor=request.user)
    return FileResponse(
        generated.file.open("rb"),
        as_attachment=True,
        filename=services.file_name(generated),
        content_type=XLSX,
    )


@login_required
@require_POST
def generated_file_mark_sent(request: HttpRequest, pk: int) -> HttpResponse:
    generated = _file_to_act_on(request.user, pk)
    try:
        services.mark_sent(generated, actor=request.user)
        messages.success(request, _("Đã ghi nhận %(file)s đã gửi.") % {"file": generated})
    except services.ListBlocked as blocked:
        # Who blocks and why, one message each.
        messages.error(request, str(blocked))
        for line in blocker_lines(blocked.blockers):
            messages.warning(request, line)
    except services.FileError as exc:
        messages.error(request, str(exc))
    return _back(request, generated)


def _back(request: HttpRequest, generated: GeneratedFile) -> HttpResponse:
    if request.POST.get("from") == "downloads":
        return redirect(f"{reverse('downloads')}?xa={generated.commune_id}")
    return redirect(_page_url(generated.commune, generated.period))


@login_required
@require_POST
def generated_file_retry(request: HttpRequest, pk: int) -> HttpResponse:
    generated = _file_to_act_on(request.user, pk)
    try:
        services.retry_generated_file(generated, actor=request.user)
    except services.FileError as exc:
        messages.error(request, str(exc))
    return _back(request, generated)


DOWNLOADS_PAGE_SIZE = 50


@login_required
def downloads(request: HttpRequest) -> HttpResponse:
    """Every generated file the user may see, newest first, with its state and a download."""
    user = request.user
    require_role(user, roles.CAN_SEE_LISTS)
    commune_ids = commune_ids_for(user)
    files = GeneratedFile.objects.filter(commune_id__in=commune_ids)
    commune = None
    if request.GET.get("xa"):
        commune = get_commune_for(user, request.GET.get("xa"))
        files = files.filter(commune=commune)
    period = parse_month(request.GET.get("thang"))
    if period is not None:
        files = files.filter(period=period)
    files = _visible(user, files).select_related("commune", "programme", "requested_by", "sent_by")
    page = Paginator(files, DOWNLOADS_PAGE_SIZE).get_page(request.GET.get("page"))
    book = DeadlineBook(commune_ids)
    for generated in page:
        generated.deadline = (
            book.deadline_for(generated.commune_id, generated.programme_id, generated.period)
            if generated.programme_id
            else book.commune_due(generated.commune_id, generated.period)
        )
        generated.late = sent_late(generated, generated.deadline)
        # A cycle's files are served (and their rules kept) by the payments app.
        cycle_file = generated.kind in GeneratedFile.CYCLE_KINDS
        names = (
            ("cycle_file_download", "cycle_file_progress")
            if cycle_file
            else ("generated_file_download", "generated_file_progress")
        )
        generated.download_url = reverse(names[0], args=[generated.pk])
        generated.progress_url = reverse(names[1], args=[generated.pk])
        generated.retryable = not cycle_file
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
            "communes": communes_for(user).order_by("name"),
            "can_build": has_any_role(user, roles.CAN_BUILD_LISTS),
            "running": any(f.is_active for f in page),
        },
    )
