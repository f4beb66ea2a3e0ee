"""The cycle page's "Tệp chi trả": the button, the jobs, progress and downloads."""

from __future__ import annotations

import pytest
from django.urls import reverse

from documents.models import GeneratedFile
from payments.models import PaymentCycle

pytestmark = pytest.mark.django_db


def test_the_officer_builds_the_files_from_the_cycle_page(
    client, officer, paying, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    page = client.get(reverse("cycle_detail", args=[paying.cycle.pk])).content.decode()
    assert reverse("cycle_files_request", args=[paying.cycle.pk]) in page
    assert "Chưa lập tệp nào." in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("cycle_files_request", args=[paying.cycle.pk]))
    html = client.get(reverse("cycle_detail", args=[paying.cycle.pk])).content.decode()
    files = GeneratedFile.objects.filter(kind__in=GeneratedFile.CYCLE_KINDS)
    # Eager Celery in tests: both jobs ran once the request committed.
    assert sorted(files.values_list("kind", "status")) == [
        ("bank_files", "done"),
        ("post_office_lists", "done"),
    ]
    for generated in files:
        assert reverse("generated_file_download", args=[generated.pk]) in html
    assert sum(f.total_amount for f in files) == paying.cycle.total_amount
    progress = client.get(reverse("generated_file_progress", args=[files.first().pk])).json()
    assert progress["status"] == "done" and progress["progress"] == 100


def test_a_draft_has_no_files_button_and_refuses_the_request(client, officer, leader, paying):
    PaymentCycle.objects.filter(pk=paying.cycle.pk).update(status="draft", approved_by=None)
    client.force_login(officer)
    page = client.get(reverse("cycle_detail", args=[paying.cycle.pk])).content.decode()
    assert reverse("cycle_files_request", args=[paying.cycle.pk]) not in page
    response = client.post(reverse("cycle_files_request", args=[paying.cycle.pk]), follow=True)
    assert "chỉ lập tệp chi trả khi kỳ đã được phê duyệt" in response.content.decode()
    assert not GeneratedFile.objects.exists()


def test_the_leader_sees_the_files_but_may_not_build_them(client, leader, paying):
    client.force_login(leader)
    page = client.get(reverse("cycle_detail", args=[paying.cycle.pk])).content.decode()
    assert reverse("cycle_files_request", args=[paying.cycle.pk]) not in page
    assert client.post(reverse("cycle_files_request", args=[paying.cycle.pk])).status_code == 403


def test_another_communes_officer_cannot_build_them(client, other_officer, paying):
    client.force_login(other_officer)
    assert client.post(reverse("cycle_files_request", args=[paying.cycle.pk])).status_code == 404
