"""The registration lists page: each action with the fixed trio (right user, same commune
other role, other commune), and what the page shows."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from documents.models import Event, GeneratedFile
from registration import listfiles
from tests.confirming import approve_lists_of, confirm_post
from tests.lists.data import PERIOD, TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(registered, signed_commune) -> GeneratedFile:
    return listfiles.build_registration_lists_now(signed_commune, PERIOD, today=TODAY)[0]


def _page(client, user, commune):
    client.force_login(user)
    return client.get(reverse("registration_lists"), {"xa": commune.pk, "thang": "2027-01"})


def test_the_officer_sees_the_lists_with_figures_and_actions(client, officer, built):
    waiting = _page(client, officer, built.commune).content.decode()
    assert reverse("generated_file_mark_sent", args=[built.pk]) not in waiting
    assert "chờ phê duyệt" in waiting
    approve_lists_of(built)
    response = _page(client, officer, built.commune)
    assert response.status_code == 200
    html = response.content.decode()
    assert "3.055.000 đ" in html
    # Shown in local time (Asia/Ho_Chi_Minh), whatever the hour in UTC.
    assert timezone.localtime(built.requested_at).strftime("%d/%m/%Y") in html
    assert reverse("generated_file_download", args=[built.pk]) in html
    assert reverse("generated_file_mark_sent", args=[built.pk]) in html
    assert "Lập danh sách tháng 01/2027" in html
    kinds = [f.kind for f in response.context["files"]][:2]
    assert kinds == [
        GeneratedFile.Kind.REGISTRATION_SELF,
        GeneratedFile.Kind.REGISTRATION_REPRESENTATIVE,
    ]


@pytest.mark.parametrize("role", ["accountant", "leader"])
def test_read_only_roles_see_and_download_but_cannot_act(client, request, role, built):
    html = _page(client, request.getfixturevalue(role), built.commune).content.decode()
    assert reverse("generated_file_download", args=[built.pk]) in html
    assert reverse("generated_file_mark_sent", args=[built.pk]) not in html
    assert "Lập danh sách" not in html


@pytest.mark.parametrize("role", ["police", "post_office"])
def test_police_and_post_office_never_reach_the_lists(client, request, role, built):
    user = request.getfixturevalue(role)
    assert _page(client, user, built.commune).status_code == 403
    url = reverse("generated_file_download", args=[built.pk])
    assert client.get(url).status_code == 403


def test_another_communes_officer_gets_404(client, other_officer, built):
    assert _page(client, other_officer, built.commune).status_code == 404
    for name in ("generated_file_download", "generated_file_progress"):
        assert client.get(reverse(name, args=[built.pk])).status_code == 404
    assert client.post(reverse("generated_file_mark_sent", args=[built.pk])).status_code == 404


def test_the_district_sees_only_sent_lists(client, district, officer, built):
    client.force_login(district)
    url = reverse("generated_file_download", args=[built.pk])
    assert client.get(url).status_code == 404
    listfiles.mark_sent(approve_lists_of(built), actor=officer)
    assert client.get(url).status_code == 200


def test_the_build_button_queues_the_lists_once(
    client, officer, registered, signed_commune, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    url = reverse("registration_lists_build")
    with django_capture_on_commit_callbacks() as queued:
        first = client.post(url, {"xa": signed_commune.pk, "thang": "2027-01"})
        client.post(url, {"xa": signed_commune.pk, "thang": "2027-01"})  # a double click
    assert first.status_code == 302
    assert first["Location"].endswith(f"?xa={signed_commune.pk}&thang=2027-01")
    assert len(queued) == 3  # the lists somebody is on
    assert GeneratedFile.objects.filter(status=GeneratedFile.Status.QUEUED).count() == 3
    html = _page(client, officer, signed_commune).content.decode()
    assert 'class="progress"' in html
    assert "file-progress.js" in html


def test_building_trio(client, officer, accountant, other_officer, signed_commune, reference_data):
    url = reverse("registration_lists_build")
    data = {"xa": signed_commune.pk, "thang": "2027-01"}
    client.force_login(accountant)
    assert client.post(url, data).status_code == 403
    client.force_login(other_officer)
    assert client.post(url, data).status_code == 404
    client.force_login(officer)
    assert client.post(url, data).status_code == 302


def test_a_bad_month_builds_nothing(client, officer, signed_commune, reference_data):
    client.force_login(officer)
    response = client.post(
        reverse("registration_lists_build"),
        {"xa": signed_commune.pk, "thang": "13/2027"},
        follow=True,
    )
    assert "Nhập tháng dạng mm/yyyy, ví dụ 12/2026." in response.content.decode()
    assert not GeneratedFile.objects.exists()


@pytest.mark.parametrize("typed", ["01/2027", "1/2027", "15/01/2027", "2027-01"])
def test_the_lists_month_is_typed_as_mm_yyyy(client, officer, built, typed):
    client.force_login(officer)
    response = client.get(reverse("registration_lists"), {"xa": built.commune.pk, "thang": typed})
    assert response.context["period"] == PERIOD
    assert 'value="01/2027"' in response.content.decode()


def test_a_malformed_lists_month_is_said_and_this_month_shown(client, officer, built):
    client.force_login(officer)
    response = client.get(
        reverse("registration_lists"), {"xa": built.commune.pk, "thang": "13/2027"}
    )
    assert "Nhập tháng dạng mm/yyyy, ví dụ 12/2026." in response.content.decode()
    assert response.context["period"] == timezone.localdate().replace(day=1)


def test_mark_sent_trio(client, officer, accountant, other_officer, built):
    approve_lists_of(built)
    url = reverse("generated_file_mark_sent", args=[built.pk])
    client.force_login(accountant)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    client.force_login(other_officer)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    client.force_login(officer)
    assert confirm_post(client, url).status_code == 302
    built.refresh_from_db()
    assert built.sent_by == officer


def test_a_download_serves_the_stored_bytes_and_is_logged(client, accountant, built):
    client.force_login(accountant)
    response = client.get(reverse("generated_file_download", args=[built.pk]))
    assert response.status_code == 200
    assert "ds-ncc-tu-nhan-15307-2027-01.xlsx" in response["Content-Disposition"]
    import hashlib

    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == built.checksum
    event = Event.objects.get()
    assert (event.kind, event.actor, event.generated_file_id) == (
        Event.Kind.FILE_DOWNLOADED,
        accountant,
        built.pk,
    )


def test_progress_is_reported_as_json(client, officer, built):
    client.force_login(officer)
    data = client.get(reverse("generated_file_progress", args=[built.pk])).json()
    assert data == {"status": "done", "label": "Đã lập xong", "progress": 100}


def test_retry_trio(client, officer, accountant, other_officer, built):
    GeneratedFile.objects.filter(pk=built.pk).update(
        status=GeneratedFile.Status.FAILED, file="", rows=None, total_amount=None, checksum=""
    )
    url = reverse("generated_file_retry", args=[built.pk])
    client.force_login(accountant)
    assert client.post(url).status_code == 403
    client.force_login(other_officer)
    assert client.post(url).status_code == 404
    client.force_login(officer)
    assert client.post(url).status_code == 302
    built.refresh_from_db()
    assert built.status == GeneratedFile.Status.QUEUED


def test_the_page_runs_a_fixed_number_of_queries(
    client, officer, built, django_assert_max_num_queries
):
    client.force_login(officer)
    with django_assert_max_num_queries(12):
        client.get(reverse("registration_lists"), {"xa": built.commune.pk, "thang": "2027-01"})


def test_the_navigation_links_the_page_for_the_roles_that_see_it(client, officer, police):
    client.force_login(officer)
    assert reverse("registration_lists") in client.get(reverse("home")).content.decode()
    client.force_login(police)
    assert reverse("registration_lists") not in client.get(reverse("home")).content.decode()
