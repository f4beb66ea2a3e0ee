"""Forms of the reports pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.widgets import MonthField


class MonthlyReportForm(forms.Form):
    """Which commune's report, of which month (mm/yyyy)."""

    xa = forms.ModelChoiceField(label=_("Xã"), queryset=None, empty_label=None)
    thang = MonthField(label=_("Tháng"), help_text=_("Dạng mm/yyyy, ví dụ 12/2026."))

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["xa"].queryset = communes.order_by("name")
        self.fields["xa"].error_messages["invalid_choice"] = _(
            "Chọn một xã trong danh sách của bạn."
        )
        if len(self.fields["xa"].queryset) == 1:
            # One commune: nothing to choose.
            self.fields["xa"].widget = forms.HiddenInput()
