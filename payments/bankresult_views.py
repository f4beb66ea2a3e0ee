"""A cycle's bank results page: upload, preview (or the reasons of a refusal), confirm, error workbook.

Thin: the cycle goes through :mod:`payments.access` (another commune's cycle
is a 404, a role that may not record results a 403); the check and the
recording are :mod:`payments.bankuploads`' services.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import roles
from core.access import require_role
from core.rules.money import format_amount
from payments import access, bankuploads
from payments.forms import ResultsUploadForm
from payments.models import BankResultsUpload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ISSUES_SHOWN = 500


def _upload_for(user, pk: int) -> BankResultsUpload:
    """An upload of a cycle the user sees (404 otherwise) and may record results of (403)."""
    try:
        upload = BankResultsUpload.objects.select_related(
            "cycle__commune", "uploaded_by", "applied_by"
        ).get(pk=pk, cycle__in=access.cycles_for(user))
    except (BankResultsUpload.DoesNotExist, ValueError):
        raise Http404 from None
    require_role(user, roles.CAN_RECORD_BANK_RESULTS)
    return upload


@login_required
@require_http_methods(["GET", "POST"])
def results_upload(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = access.get_cycle_to_act(request.user, pk, roles.CAN_RECORD_BANK_RESULTS)
    form = ResultsUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            checked = bankuploads.upload_results(
                cycle, upload.file, name=upload.name, actor=request.user
            )
        except bankuploads.UploadError as exc:
            messages.error(request, str(exc))
        else:
            return redirect("results_upload_detail", pk=checked.pk)
    return render(
        request,
        "payments/results_upload.html",
        {
            "cycle": cycle,
            "form": form,
            "open": bankuploads.cycle_takes_results(cycle),
            "uploads": bankuploads.uploads_of(cycle)[:20],
        },
    )


@login_required
def results_upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    upload = _upload_for(request.user, pk)
    issues = upload.issues
    return render(
        request,
        "payments/results_upload_detail.html",
        {
            "upload": upload,
            "cycle": upload.cycle,
            "figures": upload.summary,
            "file_issues": [i for i in issues if not i["row"]],
            "row_issues": [i for i in issues if i["row"]][:ISSUES_SHOWN],
            "row_issue_count": sum(1 for i in issues if i["row"]),
        },
    )


@login_required
@require_POST
def results_upload_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    upload = _upload_for(request.user, pk)
    try:
        applied = bankuploads.apply_results(upload, actor=request.user)
    except bankuploads.UploadError as exc:
        messages.error(request, str(exc))
    else:
        if applied.status == BankResultsUpload.Status.APPLIED:
            messages.success(
                request,
                _("Đã ghi kết quả: %(changed)s khoản thay đổi, %(unchanged)s khoản đã ghi trước.")
                % {
                    "changed": format_amount(applied.summary["changed"], unit=False),
                    "unchanged": format_amount(applied.summary["unchanged"], unit=False),
                },
            )
        else:
            messages.error(
                request,
                _("Khi ghi, tệp không còn hợp lệ: không ghi kết quả nào. Xem các lỗi dưới đây."),
            )
    return redirect("results_upload_detail", pk=upload.pk)


@login_required
def results_upload_errors(request: HttpRequest, pk: int) -> HttpResponse:
    upload = _upload_for(request.user, pk)
    if not upload.issues:
        raise Http404
    buffer = io.BytesIO()
    bankuploads.write_error_workbook(upload, buffer)
    buffer.seek(0)
    stem = upload.original_name.rsplit(".", 1)[0]
    return FileResponse(
        buffer, as_attachment=True, filename=f"{stem}-loi-kiem-tra.xlsx", content_type=XLSX
    )
