"""The downloads page: scoped by commune and role, figures, the download log, retry."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from beneficiaries.models import Programme
from documents.models import Event, GeneratedFile

pytestmark = pytest.mark.django_db

SEP = datetime.date(2023, 9, 1)
CONTENT = b"PK fake workbook bytes"


def make_file(
    commune,
    *,
    status="done",
    sent_at=None,
    user=None,
    programme="NCC",
    kind=GeneratedFile.Kind.REGISTRATION_SELF,
    **extra,
):
    generated = GeneratedFile(
        kind=kind,
        commune=commune,
        programme=Programme.objects.get(code=programme) if programme else None,
        period=SEP,
        status=status,
        requested_by=user,
        requested_at=datetime.datetime(2023, 9, 2, 1, 30, tzinfo=datetime.UTC),
        **extra,
    )
    if status == "done":
        generated.file.save("ds.xlsx", ContentFile(CONTENT), save=False)
        generated.rows = 3
        generated.total_amount = 1_080_000
        generated.checksum = "a" * 64
        generated.finished_at = timezone.now()
        generated.progress = 100
        generated.sent_at = sent_at
    generated.save()
    return generated


@pytest.fixture
def files(reference_data, commune, other_commune, officer):
    return {
        "done": make_file(commune, user=officer),
        "sent_late": make_file(
            commune,
            programme="BTXH",
            sent_at=datetime.datetime(2023, 9, 5, 18, 0, tzinfo=datetime.UTC),  # 01:00 on the 6th
        ),
        "running": make_file(commune, status="running", programme="HTXH", progress=40),
        "failed": make_file(
            commune,
            status="failed",
            kind=GeneratedFile.Kind.REGISTRATION_REPRESENTATIVE,
            error="Không đọc được mẫu",
        ),
        "elsewhere": make_file(other_commune),
    }


def _page(client, user, **params):
    client.force_login(user)
    return client.get(reverse("downloads"), params)


def test_the_officer_sees_every_file_of_the_commune_with_its_figures(client, officer, files):
    response = _page(client, officer)

    assert response.status_code == 200
    shown = set(response.context["page"].object_list)
    assert shown == {files["done"], files["sent_late"], files["running"], files["failed"]}
    html = response.content.decode()
    assert "1.080.000 đ" in html
    assert "02/09/2023 08:30" in html  # local time (UTC+7)
    assert "Không đọc được mẫu" in html
    assert reverse("generated_file_retry", args=[files["failed"].pk]) in html
    assert reverse("generated_file_progress", args=[files["running"].pk]) in html
    assert "js/file-progress.js" in html
    assert html.count('data-testid="sent-late"') == 1
    # Under the heading «Đã gửi» the badge says only «muộn», never «gửi» twice.
    assert 'data-testid="sent-late">muộn</span>' in html


def test_a_list_sent_after_the_deadline_is_marked_late(client, officer, files):
    files_on_page = {f.pk: f for f in _page(client, officer).context["page"]}

    assert files_on_page[files["sent_late"].pk].late is True
    assert files_on_page[files["sent_late"].pk].deadline == datetime.date(2023, 9, 5)
    assert files_on_page[files["done"].pk].late is False


def test_the_accountant_sees_and_downloads_but_cannot_retry(client, accountant, files):
    html = _page(client, accountant).content.decode()

    assert reverse("generated_file_download", args=[files["done"].pk]) in html
    assert reverse("generated_file_retry", args=[files["failed"].pk]) not in html
    response = client.post(
        reverse("generated_file_retry", args=[files["failed"].pk]), {"from": "downloads"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["police", "post_office"])
def test_police_and_post_office_never_reach_the_files(client, request, role, files):
    assert _page(client, request.getfixturevalue(role)).status_code == 403


def test_another_communes_officer_sees_only_its_own_files(client, other_officer, files, commune):
    response = _page(client, other_officer)

    assert list(response.context["page"].object_list) == [files["elsewhere"]]
    assert _page(client, other_officer, xa=commune.pk).status_code == 404


def test_the_district_sees_only_sent_files(client, district, files):
    response = _page(client, district)

    assert list(response.context["page"].object_list) == [files["sent_late"]]


def test_a_download_from_the_page_is_logged(client, accountant, files):
    client.force_login(accountant)

    response = client.get(reverse("generated_file_download", args=[files["done"].pk]))

    assert b"".join(response.streaming_content) == CONTENT
    event = Event.objects.get(kind=Event.Kind.FILE_DOWNLOADED)
    assert (event.actor, event.generated_file, event.commune_id) == (
        accountant,
        files["done"],
        files["done"].commune_id,
    )


def test_retry_from_the_page_queues_the_job_and_comes_back(client, officer, files, monkeypatch):
    queued = []
    monkeypatch.setattr("documents.tasks.queue_build", queued.append)
    client.force_login(officer)

    response = client.post(
        reverse("generated_file_retry", args=[files["failed"].pk]), {"from": "downloads"}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("downloads"))
    files["failed"].refresh_from_db()
    assert files["failed"].status == GeneratedFile.Status.QUEUED
    assert queued == [files["failed"].pk]


def test_retry_trio(client, officer, accountant, other_officer, files, monkeypatch):
    monkeypatch.setattr("documents.tasks.queue_build", lambda pk: None)
    url = reverse("generated_file_retry", args=[files["failed"].pk])
    for user, status in [(other_officer, 404), (accountant, 403), (officer, 302)]:
        client.force_login(user)
        assert client.post(url, {"from": "downloads"}).status_code == status


def test_the_page_runs_a_fixed_number_of_queries(
    client, officer, files, commune, django_assert_max_num_queries
):
    for _n in range(30):
        make_file(commune, user=officer)
    client.force_login(officer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("downloads"))
    assert len(response.context["page"].object_list) == 34


def test_the_navigation_links_the_page_for_the_roles_that_see_it(client, accountant, police):
    client.force_login(accountant)
    assert reverse("downloads") in client.get(reverse("home")).content.decode()
    client.force_login(police)
    assert reverse("downloads") not in client.get(reverse("home")).content.decode()


def test_every_kind_is_served_by_its_own_link_and_rules(
    client, officer, district, commune, leader, reference_data
):
    from payments.models import PaymentCycle

    cycle = PaymentCycle.objects.create(
        commune=commune, period=SEP, due_on=SEP.replace(day=5), status="approved",
        approved_by=leader,
    )  # fmt: skip
    bank = make_file(
        commune, kind=GeneratedFile.Kind.BANK_FILES, parameters={"cycle": cycle.pk}, programme=None
    )
    report = make_file(commune, kind=GeneratedFile.Kind.MONTHLY_REPORT, programme=None)
    client.force_login(officer)
    html = client.get(reverse("downloads")).content.decode()
    assert reverse("generated_file_download", args=[bank.pk]) in html
    assert reverse("generated_file_download", args=[report.pk]) in html
    assert reverse("generated_file_mark_sent", args=[report.pk]) in html
    assert client.get(reverse("generated_file_download", args=[report.pk])).status_code == 200
    # The paying office: a cycle's files once the cycle is submitted, a report once sent.
    client.force_login(district)
    html = client.get(reverse("downloads")).content.decode()
    assert reverse("generated_file_download", args=[bank.pk]) not in html
    assert reverse("generated_file_download", args=[report.pk]) not in html
    PaymentCycle.objects.filter(pk=cycle.pk).update(status="submitted")
    GeneratedFile.objects.filter(pk=report.pk).update(sent_at=timezone.now())
    html = client.get(reverse("downloads")).content.decode()
    assert reverse("generated_file_download", args=[bank.pk]) in html
    assert reverse("generated_file_download", args=[report.pk]) in html
