"""Form widgets and fields every page shares: dates typed as people write them
(dd/mm/yyyy), months as mm/yyyy.

Never the browser's own date or month picker (``<input type=date>``): it shows
"December 2026" or 12/07/2026 after the browser's settings, whatever the
page's language.
"""

from __future__ import annotations

import datetime

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.rules.months import read_month

MONTH_ERROR = _("Nhập tháng dạng mm/yyyy, ví dụ 12/2026.")
DATE_ERROR = _("Nhập ngày dạng dd/mm/yyyy, ví dụ 15/12/2026.")
#: What a date field reads: 15/12/2026 (and 5/1/2026), 15-12-2026, 15.12.2026
#: (a phone's number pad has a dot), and 2026-12-15 as machines write it.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]


class DateInput(forms.DateInput):
    """A date typed as dd/mm/yyyy in a text box, shown the same way."""

    input_type = "text"

    def __init__(self, attrs=None, format=None):  # noqa: A002 (Django's argument name)
        attrs = {
            "placeholder": "dd/mm/yyyy",
            "inputmode": "decimal",
            "autocomplete": "off",
            **(attrs or {}),
        }
        super().__init__(attrs, format=format or "%d/%m/%Y")


class AdminDateInput(DateInput):
    """The admin's date box: dd/mm/yyyy, with the admin's own calendar and
    «Hôm nay» link (which write the date the same way)."""

    class Media:
        js = ["admin/js/calendar.js", "admin/js/admin/DateTimeShortcuts.js"]

    def __init__(self, attrs=None):
        super().__init__({"class": "vDateField", "size": "10", **(attrs or {})})


class DateField(forms.DateField):
    """A date typed as dd/mm/yyyy (or d/m/yyyy); a clear message for anything else."""

    widget = DateInput
    input_formats = DATE_INPUT_FORMATS
    default_error_messages = {"invalid": DATE_ERROR}


def read_date(value: str | None) -> datetime.date | None:
    """A date typed as :class:`DateField` reads it; ``None`` when it is not one."""
    try:
        return DateField(required=False).clean(value)
    except forms.ValidationError:
        return None


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


def is_date_field(db_field) -> bool:
    """A model's day (a DateField that is not a month)."""
    return (
        isinstance(db_field, models.DateField)
        and not isinstance(db_field, models.DateTimeField)
        and not is_month_field(db_field)
    )


class MonthFieldsAdmin:
    """An admin (or inline) mixin: its month fields typed as mm/yyyy and its dates
    as dd/mm/yyyy, like the pages'."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if is_month_field(db_field):
            return db_field.formfield(form_class=MonthField, widget=MonthInput, **kwargs)
        if is_date_field(db_field):
            return db_field.formfield(form_class=DateField, widget=AdminDateInput, **kwargs)
        return super().formfield_for_dbfield(db_field, request, **kwargs)
