"""Dates typed dd/mm/yyyy, counts written 1.800, users named in Vietnamese order:
the shared field, filter and name, and where the admin uses them."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User
from django.template import Context, Template

from beneficiaries.models import IdentityCheck
from core.widgets import DateField, DateInput, read_date
from tests.factories import PersonFactory

JAN_5 = datetime.date(2026, 1, 5)


@pytest.mark.parametrize(
    "typed", ["05/01/2026", "5/1/2026", "05-01-2026", "05.01.2026", "2026-01-05"]
)
def test_a_date_is_read_as_people_type_it(typed):
    assert DateField().clean(typed) == JAN_5
    assert read_date(typed) == JAN_5


@pytest.mark.parametrize("typed", ["31/02/2026", "01/13/2026", "5 tháng 1", "2026"])
def test_a_date_that_is_not_one_is_refused_in_vietnamese(typed):
    with pytest.raises(Exception, match="Nhập ngày dạng dd/mm/yyyy, ví dụ 15/12/2026."):
        DateField().clean(typed)
    assert read_date(typed) is None


def test_a_date_is_shown_in_a_text_box_as_dd_mm_yyyy():
    html = DateInput().render("ngay", JAN_5)
    assert 'type="text"' in html
    assert 'value="05/01/2026"' in html
    assert 'placeholder="dd/mm/yyyy"' in html
    assert 'inputmode="decimal"' in html


def test_a_count_is_written_with_dots_between_thousands():
    template = Template("{% load vn %}{{ a|count }} {{ b|count }} {{ c|count }} {{ d|count }}")
    assert (
        template.render(Context({"a": 1800, "b": 5422, "c": 999, "d": None})) == "1.800 5.422 999 0"
    )


def test_a_user_is_named_family_name_first_wherever_printed():
    assert str(User(username="congan", first_name="Dũng", last_name="Phạm Văn")) == "Phạm Văn Dũng"
    assert str(User(username="tinh")) == "tinh"


@pytest.mark.django_db
def test_the_admin_types_dates_as_dd_mm_yyyy(client, commune):
    admin_user = User.objects.create_superuser("quantri", password="x")  # noqa: S106
    client.force_login(admin_user)

    html = client.get("/admin/accounts/paymentaccount/add/").content.decode()

    assert 'type="date"' not in html
    assert 'name="opened_on"' in html
    assert 'placeholder="dd/mm/yyyy"' in html
    assert "admin/js/admin/DateTimeShortcuts.js" in html  # the admin's calendar link


@pytest.mark.django_db
def test_the_admin_names_the_police_officer_who_checked(client, police, commune):
    police.first_name, police.last_name, police.is_staff = "Dũng", "Phạm Văn", True
    police.save()
    person = PersonFactory(commune=commune)
    IdentityCheck.objects.create(
        person=person, result=IdentityCheck.Result.MATCH, checked_by=police, fingerprint="x"
    )
    client.force_login(police)

    html = client.get("/admin/beneficiaries/identitycheck/").content.decode()

    assert "Phạm Văn Dũng" in html
    assert ">congan<" not in html
