"""The officer's import pages: upload, preview, confirm, progress, error file;
and the registry export and blank template downloads."""

from __future__ import annotations

import io

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from beneficiaries.access import (
    commune_ids_for,
    communes_for,
    get_commune_for,
)
from beneficiaries.models import Beneficiary, ImportBatch
from core import roles
from core.access import require_role
from core.rules.months import parse_month
from desk.exporter import write_registry, write_registry_printable, write_template
from desk.importer import jobs as import_jobs
from desk.importer import service as importer
from desk.importer.errorfile import write_error_file
from desk.importer.plan import DEFAULT
from desk.registry import search_registry
from desk.views import registry_selection
from registration.models import PaymentMethodRegistration

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Tệp Excel (.xlsx)"))
    commune = forms.ModelChoiceField(label=gettext_lazy("Xã"), queryset=None, empty_label=None)
    sheet = forms.CharField(
        label=gettext_lazy("Trang tính"),
        required=False,
        help_text=gettext_lazy("Để trống: đọc mọi trang có dòng tiêu đề cột."),
    )

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_UPLOAD_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                _("Tệp lớn hơn giới hạn %(limit)s MB. Hãy tách tệp hoặc liên hệ quản trị viên.")
                % {"limit": limit}
            )
        if not upload.name.lower().endswith((".xlsx", ".xlsm")):
            raise forms.ValidationError(
                _(
                    "Chỉ nhận tệp Excel .xlsx. Tệp .xls cũ hoặc .csv: mở bằng Excel và "
                    "«Lưu thành» Excel Workbook (.xlsx)."
                )
            )
        return upload


def _batch_for(user, pk: int) -> ImportBatch:
    require_role(user, roles.CAN_EDIT_REGISTRY)
    return get_object_or_404(
        ImportBatch.objects.select_related("commune", "uploaded_by"),
        pk=pk,
        commune_id__in=commune_ids_for(user),
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    require_role(request.user, roles.CAN_EDIT_REGISTRY)
    communes = communes_for(request.user)
    # A merged commune's registry is its successor's: imports go there.
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        communes=communes.filter(merged_into__isnull=True),
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = import_jobs.upload(
            upload.file,
            name=upload.name,
            commune=form.cleaned_data["commune"],
            actor=request.user,
            sheet=form.cleaned_data["sheet"].strip(),
        )
        return redirect("import_detail", pk=batch.pk)
    recent = ImportBatch.objects.filter(commune__in=communes).select_related(
        "commune", "uploaded_by"
    )[:20]
    return render(request, "desk/import_upload.html", {"form": form, "recent": recent})


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_for(request.user, pk)
    status_filter = request.GET.get("loc", "")
    all_rows = batch.summary.get("rows", []) if batch.summary else []
    rows = [r for r in all_rows if r[4] == status_filter] if status_filter else all_rows
    defaulted = [r for r in all_rows if r[11:12] == [DEFAULT]]
    errors_by_row: dict[tuple, list[str]] = {}
    for issue in batch.issues:
        if issue["row"]:
            errors_by_row.setdefault((issue["sheet"], issue["row"]), []).append(
                f"{issue['column'] or ''}: {issue['message']}".lstrip(": ")
            )
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    preview = [_preview_row(r, errors_by_row) for r in page]
    file_issues = [i for i in batch.issues if not i["row"]]
    return render(
        request,
        "desk/import_detail.html",
        {
            "batch": batch,
            "page": page,
            "preview": preview,
            "file_issues": file_issues,
            "row_errors": [i for i in batch.issues if i["row"] and i["level"] == "error"][:500],
            "row_warnings": [i for i in batch.issues if i["row"] and i["level"] == "warning"][:500],
            "status_filter": status_filter,
            "totals": (batch.summary or {}).get("totals"),
            # Rows whose enrolment starts in the month of the import, the column being blank.
            "defaulted": len(defaulted),
            "default_month": parse_month(defaulted[0][10]) if defaulted else None,
        },
    )


def _preview_row(r: list, errors_by_row: dict) -> dict:
    """One row of the preview (:func:`desk.importer.changes.row_dict`) for the page."""
    # Rows of a preview made before the enrolment's columns were kept have six values.
    programme, category, amount, method, start, source = (r[6:12] + [""] * 6)[:6]
    return {
        "sheet": r[0],
        "row": r[1],
        "name": r[2],
        "personal_id": r[3],
        "status": r[4],
        "changes": r[5],
        "programme": programme,
        "category": category,
        "amount": amount,
        "method": PaymentMethodRegistration.Method(method).label if method else "",
        "start_month": parse_month(start),
        "start_source": source,
        "problems": errors_by_row.get((r[0], r[1]), []),
    }


@login_required
def import_progress(request: HttpRequest, pk: int) -> JsonResponse:
    batch = _batch_for(request.user, pk)
    return JsonResponse(
        {"status": batch.status, "label": batch.get_status_display(), "progress": batch.progress}
    )


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_for(request.user, pk)
    try:
        import_jobs.confirm(batch, actor=request.user)
    except importer.ImportRefused as exc:
        messages.error(request, str(exc))
    return redirect("import_detail", pk=batch.pk)


@login_required
@require_POST
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_for(request.user, pk)
    try:
        importer.cancel_batch(batch, actor=request.user)
        messages.success(request, _("Đã hủy lần nhập; không có gì được ghi."))
    except importer.ImportRefused as exc:
        messages.error(request, str(exc))
    return redirect("import_upload")


@login_required
@require_POST
def import_retry(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_for(request.user, pk)
    try:
        import_jobs.retry(batch, actor=request.user)
    except importer.ImportRefused as exc:
        messages.error(request, str(exc))
    return redirect("import_detail", pk=batch.pk)


@login_required
def import_error_file(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_for(request.user, pk)
    buffer = io.BytesIO()
    write_error_file(batch, buffer)
    buffer.seek(0)
    stem = batch.original_name.rsplit(".", 1)[0]
    return FileResponse(
        buffer, as_attachment=True, filename=f"{stem}-ket-qua-kiem-tra.xlsx", content_type=XLSX
    )


@login_required
def registry_export(request: HttpRequest) -> HttpResponse:
    """The registry as a workbook: what the list's filters select (its address's, the
    search kept in the session), in the commune chosen (``xa``), the filtered village's,
    or the user's first."""
    require_role(request.user, roles.CAN_SEE_MONEY)
    selection = registry_selection(request)
    village = selection.filters["village"]
    if request.GET.get("xa"):
        commune = get_commune_for(request.user, request.GET["xa"])
    elif village is not None:
        # A list filtered on a village: that village's commune (a user of several).
        commune = village.commune
    else:
        commune = communes_for(request.user).first()
        if commune is None:
            return HttpResponse(_("Bạn chưa được gán xã nào."), status=403)
    today = timezone.localdate()
    enrolments = search_registry(request.user, on=today, **selection.filters).filter(
        commune=commune
    )
    # An ended enrolment is exported only when the list was filtered on them.
    include_ended = selection.filters["status"] == Beneficiary.Status.ENDED
    buffer = io.BytesIO()
    # ?ban=in: the printable variant (by village, the columns an official reads).
    printable = request.GET.get("ban") == "in"
    (write_registry_printable if printable else write_registry)(
        buffer, commune, on=today, enrolments=enrolments, include_ended=include_ended
    )
    buffer.seek(0)
    stem = "ban-in-danh-sach-doi-tuong" if printable else "danh-sach-doi-tuong"
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=f"{stem}-{commune.code}-{today:%Y%m%d}.xlsx",
        content_type=XLSX,
    )


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    require_role(request.user, roles.CAN_EDIT_REGISTRY)
    buffer = io.BytesIO()
    write_template(buffer)
    buffer.seek(0)
    return FileResponse(
        buffer, as_attachment=True, filename="mau-danh-sach-doi-tuong.xlsx", content_type=XLSX
    )
