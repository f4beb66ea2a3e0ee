"""Forms of the payment cycle pages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from beneficiaries.models import Programme
from payments.models import Payment


class PaymentFilterForm(forms.Form):
    """The filters of a cycle's payments list."""

    q = forms.CharField(label=_("Họ tên hoặc CCCD"), required=False, max_length=100)
    method = forms.ChoiceField(
        label=_("Hình thức"),
        required=False,
        choices=[("", _("Tất cả"))] + list(Payment.Method.choices),
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả"))] + list(Payment.Status.choices),
    )
    programme = forms.ModelChoiceField(
        label=_("Chương trình"),
        required=False,
        queryset=Programme.objects.order_by("order", "code"),
        empty_label=_("Tất cả"),
    )


class ResultsUploadForm(forms.Form):
    """A bank's results file: the bank's copy of the bank file with its four result columns."""

    file = forms.FileField(label=_("Tệp kết quả của ngân hàng (.xlsx hoặc .csv)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_UPLOAD_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                _(
                    "Tệp lớn hơn giới hạn %(limit)s MB: không nhận. Tệp kết quả của một kỳ "
                    "chi trả nhỏ hơn nhiều; hãy kiểm tra lại tệp ngân hàng gửi."
                )
                % {"limit": limit}
            )
        if not upload.name.lower().endswith((".xlsx", ".xlsm", ".csv")):
            raise forms.ValidationError(
                _(
                    "Chỉ nhận tệp Excel .xlsx (hoặc .csv ngân hàng xuất). Tệp .xls cũ: mở bằng "
                    "Excel và «Lưu thành» Excel Workbook (.xlsx)."
                )
            )
        return upload
