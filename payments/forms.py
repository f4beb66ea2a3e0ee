"""Forms of the payment cycle pages."""

from __future__ import annotations

from django import forms
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
