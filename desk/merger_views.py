"""The superuser's page that merges communes: a form, a preview, a confirmation.

The preview and the confirmation post the same form; the confirmation is safe
to send twice (the second finds the merger done and shows its result).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from beneficiaries.models import Commune
from core.widgets import DateField
from desk.merger import FIELDS, MergeError, merge_communes, merger_done, preview_merger

FIELD_LABELS = {
    "issuing_body": gettext_lazy("Cơ quan ban hành (để trống: ỦY BAN NHÂN DÂN XÃ + tên)"),
    "place_name": gettext_lazy("Địa danh ghi ngày tháng (để trống: tên xã)"),
    "district_name": gettext_lazy("Huyện (trước 01/07/2025)"),
    "province_name": gettext_lazy("Tỉnh (để trống: tỉnh của các xã cũ)"),
    "preparer_name": gettext_lazy("Người lập biểu"),
    "accountant_name": gettext_lazy("Kế toán"),
    "leader_title": gettext_lazy("Chức danh ký"),
    "leader_name": gettext_lazy("Người ký"),
}


class MergeForm(forms.Form):
    into_code = forms.CharField(label=gettext_lazy("Mã xã mới"), max_length=5)
    name = forms.CharField(label=gettext_lazy("Tên xã mới"), max_length=100)
    from_communes = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Các xã cũ"),
        queryset=Commune.objects.order_by("name"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    on = DateField(
        label=gettext_lazy("Ngày sáp nhập (ngày đầu tháng)"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offered: communes not merged yet. Accepted: any (a confirmation sent twice
        # names communes the first one merged; the service says what it refuses).
        self.fields["from_communes"].widget.choices = [
            (c.pk, str(c))
            for c in Commune.objects.filter(merged_into__isnull=True).order_by("name")
        ]
        for name in FIELDS:
            self.fields[name] = forms.CharField(
                label=FIELD_LABELS[name],
                required=False,
                max_length=200,
                widget=forms.Textarea(attrs={"rows": 2}) if name == "leader_title" else None,
            )

    def arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "into_code": data["into_code"].strip(),
            "name": data["name"].strip(),
            "from_codes": [c.code for c in data["from_communes"]],
            "on": data["on"],
        }

    def document_fields(self) -> dict[str, str]:
        return {name: self.cleaned_data[name].strip() for name in FIELDS}


def _superuser(request: HttpRequest) -> None:
    if not request.user.is_superuser:
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def merger_page(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    _superuser(request)
    done = request.GET.get("xong")
    if request.method == "GET":
        merged = Commune.objects.filter(code=done).first() if done else None
        return render(
            request,
            "desk/merger.html",
            {"form": MergeForm(), "merged": merged, "sources": _merged_from(merged)},
        )
    form = MergeForm(request.POST)
    context = {"form": form}
    if form.is_valid():
        arguments = form.arguments()
        if request.POST.get("step") == "confirm":
            if merger_done(**arguments):
                # A second click on "Xác nhận": the merger is already there.
                return redirect(f"{reverse('merger_page')}?xong={arguments['into_code']}")
            try:
                merge_communes(**arguments, actor=request.user, fields=form.document_fields())
            except MergeError as exc:
                form.add_error(None, list(exc.refusals))
            else:
                return redirect(f"{reverse('merger_page')}?xong={arguments['into_code']}")
        context["preview"] = preview_merger(**arguments)
    return render(request, "desk/merger.html", context)


def _merged_from(commune: Commune | None) -> list[Commune]:
    if commune is None:
        return []
    return list(commune.merged_from.order_by("name"))
