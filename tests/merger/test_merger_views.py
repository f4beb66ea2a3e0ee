"""The superuser's merger page: form, preview, confirmation (twice is safe)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from beneficiaries.models import Commune, Person
from tests.factories import UserFactory
from tests.merger.conftest import JUNE, ON, cycle_in, enrol

pytestmark = pytest.mark.django_db
URL = "/sap-nhap-xa/"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="quantri", is_superuser=True, is_staff=True))
    return client


def form(commune, **extra):
    return {
        "into_code": "15271",
        "name": "Hà Trung",
        "from_communes": [commune.pk],
        "on": "01/07/2025",
        "leader_name": "Nguyễn Văn Chủ",
        **extra,
    }


def test_the_page_is_the_superusers_only(client, officer):
    assert reverse("merger_page") == URL
    assert client.get(URL).status_code == 302
    client.force_login(officer)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {}).status_code == 403


def test_the_superusers_menu_links_the_page(admin_client):
    labels = dict(admin_client.get(reverse("home")).context["nav_items"])
    assert labels["Sáp nhập xã"] == URL


def test_preview_shows_what_moves_and_writes_nothing(admin_client, commune):
    enrol(commune, full_name="Lê Văn Yên")
    response = admin_client.post(URL, {**form(commune), "step": "preview"})
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.ok and preview.old[0].enrolments == 1
    html = response.content.decode()
    assert "Yến Sơn (15307)" in html and "Xác nhận sáp nhập" in html
    assert not Commune.objects.filter(code="15271").exists()


def test_confirm_merges_and_a_second_click_shows_the_result(admin_client, commune):
    enrol(commune)
    response = admin_client.post(URL, {**form(commune), "step": "confirm"})
    assert response.status_code == 302 and response["Location"] == f"{URL}?xong=15271"
    new = Commune.objects.get(code="15271")
    assert new.leader_name == "Nguyễn Văn Chủ"
    assert Person.objects.get().commune == new
    again = admin_client.post(URL, {**form(commune), "step": "confirm"})
    assert again.status_code == 302 and again["Location"] == f"{URL}?xong=15271"
    page = admin_client.get(again["Location"]).content.decode()
    assert "Đã sáp nhập vào xã Hà Trung (15271)" in page
    assert "Yến Sơn (15307) — từ 01/07/2025" in page


def test_refusals_are_shown_without_a_confirm_button(admin_client, commune):
    cycle_in(commune, JUNE, status="submitted")
    response = admin_client.post(URL, {**form(commune), "step": "preview"})
    html = response.content.decode()
    assert "Xã Yến Sơn còn kỳ chi trả tháng 06/2025" in html
    assert "Xác nhận sáp nhập" not in html
    # A confirmation forced anyway is refused with the same reason, nothing written.
    response = admin_client.post(URL, {**form(commune), "step": "confirm"})
    assert response.status_code == 200
    assert "Xã Yến Sơn còn kỳ chi trả tháng 06/2025" in response.content.decode()
    assert not Commune.objects.filter(code="15271").exists()


def test_a_bad_form_says_which_field(admin_client, commune):
    response = admin_client.post(URL, {**form(commune, on="31/02/2025"), "step": "preview"})
    assert response.status_code == 200
    assert response.context["form"].errors["on"]
    assert "preview" not in response.context


def test_a_member_of_the_new_commune_starts_on_it_and_creates_people_only_there(
    client, commune, other_commune, other_officer
):
    from beneficiaries.access import chosen_commune, communes_for
    from desk.merger import merge_communes

    merge_communes(into_code="15271", name="Hà Trung", from_codes=["15307"], on=ON)
    client.force_login(other_officer)
    # The old commune is the officer's too (its months before the merger), but
    # pages start on the commune that exists now ...
    assert set(communes_for(other_officer)) == {commune, other_commune}
    assert chosen_commune(other_officer, None) == other_commune
    choices = client.get(reverse("person_create")).context["form"].fields["commune"].queryset
    # ... but new people go to the commune that exists now.
    assert list(choices) == [other_commune]
