"""The monthly report on demand: the page where the accountant chooses a commune and a
month, builds the report with the nightly job's task, follows it and downloads it."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from beneficiaries.models import Commune, Programme, ProgrammeAccess
from core.widgets import MONTH_ERROR
from documents.models import Event, GeneratedFile
from reports.reportfiles import request_monthly_report
from tests.factories import UserFactory
from tests.lists.data import PERIOD

pytestmark = pytest.mark.django_db
MONTHLY = GeneratedFile.Kind.MONTHLY_REPORT
PAGE = reverse("monthly_report")
BUILD = reverse("monthly_report_build")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a request or a service, then what it queued for after its commit (eager Celery:
    the build itself), as the test's transaction never commits."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def named_accountant(accountant):
    accountant.last_name, accountant.first_name = "Trần Văn", "Toán"
    accountant.save()
    return accountant


def _post(client, commune, month="01/2027"):
    return client.post(BUILD, {"xa": commune.pk, "thang": month})


def _build(client, commune, month="01/2027"):
    """The build button, then the page it leads back to."""
    answer = _post(client, commune, month)
    return client.get(answer["Location"]) if answer.status_code == 302 else answer


def test_the_accountant_builds_the_report_and_downloads_it(
    client, report_data, signed_commune, named_accountant, committed
):
    client.force_login(named_accountant)
    answer = committed(_post, client, signed_commune)
    page = client.get(answer["Location"])
    assert page.status_code == 200
    (report,) = GeneratedFile.objects.filter(kind=MONTHLY, commune=signed_commune, period=PERIOD)
    assert (report.status, report.requested_by, report.rows) == ("done", named_accountant, 8)
    assert report.total_amount == 11_970_000
    html = page.content.decode()
    assert "Đã yêu cầu lập báo cáo tháng 01/2027 của xã Yến Sơn" in html
    assert "Trần Văn Toán" in html  # who built it, family name first
    assert "11.970.000 đ" in html
    assert reverse("generated_file_download", args=[report.pk]) in html
    assert "Lập lại báo cáo tháng 01/2027" in html

    download = client.get(reverse("generated_file_download", args=[report.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].endswith('bao-cao-thang-15307-2027-01.xlsx"')
    assert b"".join(download.streaming_content)[:2] == b"PK"
    assert Event.objects.filter(
        kind=Event.Kind.FILE_DOWNLOADED, generated_file=report, actor=named_accountant
    ).exists()
    # It is on "Tệp đã lập" too.
    downloads = client.get(reverse("downloads"), {"xa": signed_commune.pk})
    assert reverse("generated_file_download", args=[report.pk]) in downloads.content.decode()


def test_the_page_shows_what_exists_for_the_month(
    client, report_data, signed_commune, named_accountant, officer, committed
):
    officer.last_name, officer.first_name = "Nguyễn Thị", "Lập"
    officer.save()
    nightly = committed(request_monthly_report, signed_commune, PERIOD, actor=None)
    asked = committed(request_monthly_report, signed_commune, PERIOD, actor=officer)
    assert GeneratedFile.objects.get(pk=nightly.pk).status == "done"
    GeneratedFile.objects.filter(pk=asked.pk).update(
        finished_at=datetime.datetime(2027, 1, 3, 2, 15, tzinfo=datetime.UTC)
    )
    request_monthly_report(signed_commune, datetime.date(2026, 12, 1), actor=officer)
    client.force_login(named_accountant)
    page = client.get(PAGE, {"xa": signed_commune.pk, "thang": "1/2027"})
    html = page.content.decode()
    assert page.context["period"] == PERIOD
    assert [r.pk for r in page.context["reports"]] == [asked.pk, nightly.pk]  # not December's
    assert "Lịch tự động" in html and "Nguyễn Thị Lập" in html
    assert "03/01/2027 09:15" in html  # finished, local time
    assert 'value="01/2027"' in html


def test_a_double_click_builds_the_report_once(client, report_data, signed_commune, accountant):
    client.force_login(accountant)
    with mock.patch("documents.services.tasks.queue_build") as queued:
        first = _build(client, signed_commune)
        second = _build(client, signed_commune)
    assert queued.call_count == 1
    (report,) = GeneratedFile.objects.filter(kind=MONTHLY, period=PERIOD)
    assert report.status == "queued"
    assert "Đã yêu cầu lập" in first.content.decode()
    assert "đang được lập" in second.content.decode()
    assert "không lập thêm lần nữa" in second.content.decode()
    # While it is queued the page shows its progress and the button waits.
    html = client.get(PAGE, {"xa": signed_commune.pk, "thang": "01/2027"}).content.decode()
    assert reverse("generated_file_progress", args=[report.pk]) in html
    assert "js/file-progress.js" in html and "<script>" not in html


def test_a_wrong_month_is_said_and_nothing_is_built(client, signed_commune, accountant):
    client.force_login(accountant)
    page = client.post(BUILD, {"xa": signed_commune.pk, "thang": "13/2026"})
    assert page.status_code == 200
    assert str(MONTH_ERROR) in page.content.decode()
    assert not GeneratedFile.objects.exists()
    shown = client.get(PAGE, {"thang": "2026-13"})
    assert str(MONTH_ERROR) in shown.content.decode()
    assert shown.context["period"] == datetime.date(2026, 12, 1)  # this month instead


def test_another_commune_cannot_be_chosen(client, signed_commune, other_commune, accountant):
    client.force_login(accountant)
    page = client.post(BUILD, {"xa": other_commune.pk, "thang": "01/2027"})
    assert "Chọn một xã trong danh sách của bạn." in page.content.decode()
    assert not GeneratedFile.objects.exists()
    assert client.get(PAGE, {"xa": other_commune.pk}).status_code == 404


def test_a_user_of_several_communes_chooses_and_of_one_does_not(
    client, signed_commune, other_commune, accountant
):
    client.force_login(accountant)
    html = client.get(PAGE).content.decode()
    assert '<select name="xa"' not in html and 'type="hidden" name="xa"' in html
    other_commune.members.add(accountant)
    html = client.get(PAGE).content.decode()
    assert '<select name="xa"' in html and "Hà Trung" in html


def test_a_merged_commune_s_month_after_the_merger_is_refused(
    client, signed_commune, other_commune, accountant
):
    Commune.objects.filter(pk=signed_commune.pk).update(
        merged_into=other_commune, merged_on=datetime.date(2025, 7, 1)
    )
    client.force_login(accountant)
    page = _build(client, signed_commune)
    assert not GeneratedFile.objects.exists()
    assert "sáp nhập" in page.content.decode()


@pytest.mark.parametrize("role_user", ["officer", "leader", "accountant"])
def test_the_money_roles_of_the_commune_may_build(client, request, signed_commune, role_user):
    user = request.getfixturevalue(role_user)
    client.force_login(user)
    with mock.patch("documents.services.tasks.queue_build"):
        _build(client, signed_commune)
    assert GeneratedFile.objects.get(kind=MONTHLY).requested_by == user


@pytest.mark.parametrize("role_user", ["police", "post_office"])
def test_roles_that_see_no_report_are_refused(client, request, signed_commune, role_user):
    client.force_login(request.getfixturevalue(role_user))
    assert client.get(PAGE).status_code == 403
    assert client.post(BUILD, {"xa": signed_commune.pk, "thang": "01/2027"}).status_code == 403
    assert not GeneratedFile.objects.exists()


def test_the_paying_office_sees_only_the_sent_report_and_builds_none(
    client, report_data, signed_commune, officer, district, committed
):
    sent = committed(request_monthly_report, signed_commune, PERIOD, actor=officer)
    GeneratedFile.objects.filter(pk=sent.pk).update(sent_at=timezone.now(), sent_by=officer)
    committed(request_monthly_report, signed_commune, PERIOD, actor=officer)  # again, not sent
    client.force_login(district)
    page = client.get(PAGE, {"xa": signed_commune.pk, "thang": "01/2027"})
    assert [r.pk for r in page.context["reports"]] == [sent.pk]
    assert BUILD not in page.content.decode()
    assert client.post(BUILD, {"xa": signed_commune.pk, "thang": "01/2027"}).status_code == 403
    assert GeneratedFile.objects.count() == 2


def test_a_user_limited_to_one_programme_sees_and_builds_the_whole_report(
    client, report_data, signed_commune, committed
):
    limited = UserFactory(username="ketoan_btxh", role="accountant", communes=[signed_commune])
    ProgrammeAccess.objects.create(user=limited, programme=Programme.objects.get(code="BTXH"))
    client.force_login(limited)
    committed(_post, client, signed_commune)
    report = GeneratedFile.objects.get(kind=MONTHLY)
    assert (report.status, report.requested_by, report.rows) == ("done", limited, 8)
    page = client.get(PAGE, {"xa": signed_commune.pk, "thang": "01/2027"})
    assert [r.pk for r in page.context["reports"]] == [report.pk]


def test_the_officer_marks_the_report_sent_from_the_page(
    client, report_data, signed_commune, officer, committed
):
    report = committed(request_monthly_report, signed_commune, PERIOD, actor=officer)
    client.force_login(officer)
    page = client.post(reverse("generated_file_mark_sent", args=[report.pk]), {"from": "report"})
    assert page.status_code == 302
    assert page["Location"] == f"{PAGE}?xa={signed_commune.pk}&thang=01/2027"
    report.refresh_from_db()
    assert report.sent_by == officer


def test_the_links_to_the_page(client, signed_commune, accountant, police):
    client.force_login(accountant)
    home = client.get(reverse("downloads")).content.decode()
    assert f'href="{PAGE}"' in home  # the navigation and the downloads page
    assert 'data-testid="report-page-link"' in home
    client.force_login(police)
    assert PAGE not in client.get(reverse("person_list")).content.decode()
