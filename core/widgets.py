"""Form widgets and fields every page shares: dates typed as people write them
(dd/mm/yyyy), months as mm/yyyy."""

from __future__ import annotations

import datetime

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.rules.months import read_month

DATE_WIDGET = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"})

MONTH_ERROR = _("Nhập tháng dạng mm/yyyy, ví dụ 12/2026.")


class MonthInput(forms.TextInput):
    """A month typed as mm/yyyy; shows a stored first-of-month date the same way."""

    def __init__(self, attrs=None):
        super().__init__({"placeholder": "mm/yyyy", "inputmode": "numeric", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, datetime.date):
            return value.strftime("%m/%Y")
        return super().format_value(value)


class MonthField(forms.Field):
    """A month (the date of its first day), typed as ``core.rules.months.read_month`` reads it."""

    widget = MonthInput
    default_error_messages = {"invalid": MONTH_ERROR}

    def to_python(self, value) -> datetime.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value.replace(day=1)
        month = read_month(str(value))
        if month is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return month

    def has_changed(self, initial, data) -> bool:
        try:
            data = self.to_python(data)
        except forms.ValidationError:
            return True
        initial = initial.replace(day=1) if isinstance(initial, datetime.date) else initial
        return initial != data


def is_month_field(db_field) -> bool:
    """A model's month (the date of its first day): a DateField named ``month`` or ``…_month``."""
    if not isinstance(db_field, models.DateField) or isinstance(db_field, models.DateTimeField):
        return False
    return db_field.name == "month" or db_field.name.endswith("_month")


class MonthFieldsAdmin:
    """An admin (or inline) mixin: its month fields typed as mm/yyyy, like the pages'."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if is_month_field(db_field):
            return db_field.formfield(form_class=MonthField, widget=MonthInput, **kwargs)
        return super().formfield_for_dbfield(db_field, request, **kwargs)
