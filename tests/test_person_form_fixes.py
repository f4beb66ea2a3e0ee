"""Adding a person as a one-commune officer, the birth year a full date fills
(the desk's form and the admin's), and the admin's messages in Vietnamese."""

from __future__ import annotations

import datetime
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse

from beneficiaries.models import Commune, Person, birth_year_of
from core import roles
from core.widgets import MonthField
from desk.forms import PersonForm
from tests.factories import UserFactory, VillageFactory

pytestmark = pytest.mark.django_db


def _fields_of_page(html: str) -> dict[str, str]:
    """What a browser would post: each input's name and value, as the page has them."""
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and name.group(1) != "csrfmiddlewaretoken":
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


def _typed(page: dict[str, str], village) -> dict[str, str]:
    return {
        **page,
        "full_name": "Nguyễn Thị Hằng",
        "birth_date": "15/03/1950",
        "gender": "F",
        "village": str(village.pk),
        "address": "Xóm 2",
    }


def test_an_officer_of_one_commune_adds_a_person_with_the_page_as_served(client, officer, commune):
    village = VillageFactory(commune=commune, name="Thôn Đông")
    client.force_login(officer)
    page = _fields_of_page(client.get(reverse("person_create")).content.decode())

    assert page["commune"] == str(commune.pk)
    response = client.post(reverse("person_create"), _typed(page, village))

    person = Person.objects.get()
    assert response.status_code == 302
    assert (person.commune, person.village, person.birth_year) == (commune, village, 1950)


def test_an_officer_of_one_commune_cannot_post_another_commune(
    client, officer, commune, other_commune
):
    village = VillageFactory(commune=commune, name="Thôn Đông")
    client.force_login(officer)
    page = _fields_of_page(client.get(reverse("person_create")).content.decode())

    client.post(reverse("person_create"), {**_typed(page, village), "commune": other_commune.pk})

    assert Person.objects.get().commune == commune


def test_a_user_of_several_communes_chooses_and_is_told_when_they_did_not(
    client, commune, other_commune
):
    user = UserFactory(
        username="huyen", role=roles.LABOUR_OFFICER, communes=[commune, other_commune]
    )
    village = VillageFactory(commune=other_commune, name="Thôn Tây")
    client.force_login(user)
    html = client.get(reverse("person_create")).content.decode()
    assert '<select name="commune"' in html

    data = {**_typed({}, village), "commune": ""}
    response = client.post(reverse("person_create"), data)

    assert response.status_code == 200
    assert "Trường này là bắt buộc." in response.content.decode()
    assert not Person.objects.exists()

    client.post(reverse("person_create"), {**data, "commune": other_commune.pk})
    assert Person.objects.get().commune == other_commune


def test_an_error_of_a_hidden_field_is_shown_on_the_page():
    """The desk's forms show every error, a hidden field's too."""
    form = PersonForm({}, instance=Person(), communes=Commune.objects.none())
    form.fields["commune"].widget = form.fields["commune"].hidden_widget()
    assert not form.is_valid()

    html = render_to_string("_form.html", {"form": form})
    assert "Trường này là bắt buộc." in html.split('name="commune"')[1].split("<div")[0]


# --- the birth year: one rule ------------------------------------------------------------


def test_a_full_birth_date_gives_the_year():
    assert birth_year_of(datetime.date(1950, 3, 15), None) == 1950
    assert birth_year_of(datetime.date(1950, 3, 15), 1950) == 1950
    assert birth_year_of(None, 1938) == 1938


@pytest.mark.parametrize(
    ("birth_date", "birth_year", "field", "message"),
    [
        (datetime.date(1950, 3, 15), 1951, "birth_year", "Năm sinh không khớp với ngày sinh."),
        (None, None, "birth_date", "Nhập ngày sinh hoặc ít nhất năm sinh."),
        (None, 1850, "birth_year", "Năm sinh không hợp lệ."),
        (datetime.date(2999, 1, 1), None, "birth_date", "Ngày sinh không thể ở tương lai."),
    ],
)
def test_the_birth_year_refusals(birth_date, birth_year, field, message):
    with pytest.raises(ValidationError) as caught:
        birth_year_of(birth_date, birth_year)

    assert caught.value.message_dict == {field: [message]}


def _admin_person(commune, village, **changes) -> dict[str, str]:
    data = {
        "full_name": "Trần Văn Bình",
        "birth_date": "02/09/1945",
        "birth_year": "",
        "gender": "M",
        "personal_id": "",
        "phone": "",
        "commune": str(commune.pk),
        "village": str(village.pk),
        "address": "",
        "date_of_death": "",
    }
    for prefix in ("beneficiaries", "identity_checks"):
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    data.update(changes)
    return data


def _inline_prefixes(response) -> list[str]:
    return [formset.formset.prefix for formset in response.context["inline_admin_formsets"]]


def test_the_admin_adds_a_person_with_a_full_birth_date_and_no_year(admin_client, commune):
    village = VillageFactory(commune=commune, name="Thôn Đông")
    url = reverse("admin:beneficiaries_person_add")
    prefixes = _inline_prefixes(admin_client.get(url))
    data = _admin_person(commune, village)
    for prefix in prefixes:
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    assert Person.objects.get().birth_year == 1945


def test_the_admin_refuses_in_vietnamese(admin_client, commune):
    village = VillageFactory(commune=commune, name="Thôn Đông")
    url = reverse("admin:beneficiaries_person_add")
    prefixes = _inline_prefixes(admin_client.get(url))
    data = _admin_person(commune, village, birth_date="", birth_year="")
    for prefix in prefixes:
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}

    html = admin_client.post(url, data).content.decode()

    assert "Please correct" not in html
    assert "Vui lòng sửa các lỗi dưới đây." in html
    assert "Nhập ngày sinh hoặc ít nhất năm sinh." in html
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("model", "months"),
    [
        ("beneficiaries.Beneficiary", {"start_month", "end_month"}),
        ("registration.PaymentMethodRegistration", {"from_month"}),
        ("registration.ProgrammeTransfer", {"month"}),
        ("amounts.Entitlement", {"from_month"}),
    ],
)
def test_the_admin_types_months_as_mm_yyyy(rf, admin_user, model, months):
    model_admin = admin.site._registry[apps.get_model(model)]
    request = rf.get("/")
    request.user = admin_user

    fields = model_admin.get_form(request).base_fields

    assert {name for name, field in fields.items() if isinstance(field, MonthField)} == months
    for name in months:
        assert fields[name].clean("12/2026") == datetime.date(2026, 12, 1)
