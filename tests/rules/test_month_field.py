"""The month field every form shares (``core.widgets.MonthField``): typed as mm/yyyy."""

from __future__ import annotations

import datetime

import pytest
from django import forms

from core.widgets import MonthField


class _Form(forms.Form):
    month = MonthField(label="Tháng")
    until = MonthField(label="Đến tháng", required=False)


@pytest.mark.parametrize("typed", ["12/2026", "12/2026 ", "15/12/2026", "01/12/2026", "2026-12"])
def test_the_field_reads_a_month(typed):
    form = _Form({"month": typed})

    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"month": datetime.date(2026, 12, 1), "until": None}


@pytest.mark.parametrize("typed", ["13/2026", "12/26", "abc", "31/11/2026"])
def test_the_field_refuses_in_vietnamese(typed):
    form = _Form({"month": typed})

    assert not form.is_valid()
    assert form.errors["month"] == ["Nhập tháng dạng mm/yyyy, ví dụ 12/2026."]


def test_the_field_is_required_unless_told():
    form = _Form({"month": ""})

    assert form.errors["month"] == ["Trường này là bắt buộc."]
    assert "until" not in form.errors


def test_the_field_shows_a_stored_month_as_mm_yyyy():
    form = _Form(initial={"month": datetime.date(2026, 3, 1)})
    html = str(form["month"])

    assert 'value="03/2026"' in html
    assert 'placeholder="mm/yyyy"' in html


def test_a_full_date_of_the_same_month_is_no_change():
    field = MonthField()

    assert not field.has_changed(datetime.date(2026, 3, 1), "03/2026")
    assert field.has_changed(datetime.date(2026, 3, 1), "04/2026")
