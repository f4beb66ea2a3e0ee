"""The lists page's approval, sending and withdrawals through their confirmation pages."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from beneficiaries.models import Programme, ProgrammeAccess
from core.confirm import VERSION_FIELD
from documents.models import Event, GeneratedFile
from registration import listfiles
from tests.confirming import confirm_post, shown_version
from tests.dashboard.test_downloads import make_file
from tests.factories import UserFactory
from tests.lists.data import PERIOD, TODAY

pytestmark = pytest.mark.django_db

QUERY = "?xa={}&thang=2027-01"
REASON = "Chưa đối chiếu tài khoản mới của bà Bình"


@pytest.fixture
def built(registered, signed_commune, officer) -> list[GeneratedFile]:
    return listfiles.build_registration_lists_now(
        signed_commune, PERIOD, actor=officer, today=TODAY
    )


def _approve_url(commune) -> str:
    return reverse("registration_lists_approve") + QUERY.format(commune.pk)


def _withdraw_url(commune) -> str:
    return reverse("registration_lists_withdraw_approval") + QUERY.format(commune.pk)


def _said(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _page(client, commune) -> str:
    return client.get(reverse("registration_lists") + QUERY.format(commune.pk)).content.decode()


def test_the_leader_sees_the_month_and_the_counts_of_each_list_before_approving(
    client, leader, built, signed_commune
):
    client.force_login(leader)
    assert _approve_url(signed_commune).replace("&", "&amp;") in _page(client, signed_commune)
    page = client.get(_approve_url(signed_commune))
    confirmation = page.context["confirmation"]
    facts = dict(confirmation.facts)
    assert (facts["Tháng"], facts["Số danh sách"], facts["Tổng số dòng"]) == ("01/2027", "3", "5")
    rows = confirmation.tables[0].rows
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("Người có công", "2", "3.055.000 đ"),
        ("Người có công", "1", "1.500.000 đ"),
        ("Bảo trợ xã hội", "2", "1.250.000 đ"),
    ]
    assert not GeneratedFile.objects.filter(approved_at__isnull=False).exists()


def test_the_leader_approves_once_and_the_page_shows_who_and_when(
    client, leader, built, signed_commune
):
    leader.last_name, leader.first_name = "Lê Văn", "Chủ"
    leader.save()
    client.force_login(leader)
    version = shown_version(client, _approve_url(signed_commune))
    data = {VERSION_FIELD: version, "xa": signed_commune.pk, "thang": "2027-01"}
    first = client.post(reverse("registration_lists_approve"), data)
    assert "Đã phê duyệt 3 danh sách tháng 01/2027." in _said(first)
    second = client.post(reverse("registration_lists_approve"), data)
    assert "Trang xác nhận đã cũ" in _said(second)
    assert Event.objects.filter(kind=Event.Kind.LIST_APPROVED).count() == 3
    approved_at = GeneratedFile.objects.get(pk=built[0].pk).approved_at
    stamp = timezone.localtime(approved_at).strftime("%d/%m/%Y %H:%M")
    assert f"Lê Văn Chủ, {stamp}" in _page(client, signed_commune)


@pytest.mark.parametrize(("who", "status"), [("officer", 403), ("other_officer", 404)])
def test_only_the_communes_leader_opens_the_approval(
    client, request, built, signed_commune, who, status
):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_approve_url(signed_commune)).status_code == status
    assert client.post(_approve_url(signed_commune)).status_code == status
    assert not GeneratedFile.objects.filter(approved_at__isnull=False).exists()


def test_the_officer_marks_an_approved_list_sent_and_takes_the_mark_back(
    client, leader, officer, built, signed_commune
):
    listfiles.approve_lists(signed_commune, PERIOD, actor=leader)
    client.force_login(officer)
    mark = reverse("generated_file_mark_sent", args=[built[0].pk])
    assert mark in _page(client, signed_commune)
    page = client.get(mark)
    facts = dict(page.context["confirmation"].facts)
    assert (facts["Số dòng"], facts["Tổng tiền/tháng"]) == ("2", "3.055.000 đ")
    version = page.context["confirmation"].token
    client.post(mark, {VERSION_FIELD: version})
    again = client.post(mark, {VERSION_FIELD: version})
    assert "Trang xác nhận đã cũ" in _said(again)
    assert Event.objects.filter(kind=Event.Kind.LIST_SENT).count() == 1
    withdraw = reverse("generated_file_withdraw_sent", args=[built[0].pk])
    assert withdraw in _page(client, signed_commune)
    done = confirm_post(client, withdraw)
    assert "Đã rút dấu đã gửi" in _said(done)
    assert GeneratedFile.objects.get(pk=built[0].pk).sent_at is None


def test_an_unapproved_list_has_no_sending_button_and_its_page_says_why(
    client, officer, built, signed_commune
):
    client.force_login(officer)
    mark = reverse("generated_file_mark_sent", args=[built[0].pk])
    assert mark not in _page(client, signed_commune)
    page = client.get(mark)
    assert "chưa được lãnh đạo phê duyệt" in " ".join(page.context["confirmation"].warnings)
    response = confirm_post(client, mark)
    assert "chưa được lãnh đạo phê duyệt" in _said(response)
    assert GeneratedFile.objects.get(pk=built[0].pk).sent_at is None


def test_the_leader_withdraws_the_approval_with_a_reason(client, leader, built, signed_commune):
    listfiles.approve_lists(signed_commune, PERIOD, actor=leader)
    client.force_login(leader)
    assert _withdraw_url(signed_commune).replace("&", "&amp;") in _page(client, signed_commune)
    version = shown_version(client, _withdraw_url(signed_commune))
    url = reverse("registration_lists_withdraw_approval")
    data = {VERSION_FIELD: version, "xa": signed_commune.pk, "thang": "2027-01"}
    refused = client.post(url, data)
    assert refused.status_code == 400 and "Hãy ghi lý do." in refused.content.decode()
    assert GeneratedFile.objects.filter(approved_at__isnull=False).count() == 3
    done = client.post(url, {**data, "ly_do": REASON})
    assert "Đã rút phê duyệt 3 danh sách tháng 01/2027." in _said(done)
    assert not GeneratedFile.objects.filter(approved_at__isnull=False).exists()
    assert {e.data["reason"] for e in Event.objects.filter(kind="list_approval_withdrawn")} == {
        REASON
    }


def test_another_officer_sees_no_withdrawal_of_a_colleagues_mark(
    client, leader, officer, built, signed_commune
):
    listfiles.approve_lists(signed_commune, PERIOD, actor=leader)
    listfiles.mark_sent(built[0], actor=officer)
    colleague = UserFactory(username="canbo2", role="labour_officer", communes=[signed_commune])
    client.force_login(colleague)
    withdraw = reverse("generated_file_withdraw_sent", args=[built[0].pk])
    assert withdraw not in _page(client, signed_commune)
    response = confirm_post(client, withdraw)
    assert "Chỉ người đã ghi nhận gửi" in _said(response)
    assert GeneratedFile.objects.get(pk=built[0].pk).sent_by == officer


def test_the_monthly_report_is_sent_and_withdrawn_from_the_downloads_page(
    client, officer, signed_commune, reference_data
):
    report = make_file(signed_commune, kind=GeneratedFile.Kind.MONTHLY_REPORT, programme=None)
    client.force_login(officer)
    mark = reverse("generated_file_mark_sent", args=[report.pk])
    page = client.get(mark + "?from=downloads")
    assert "Phê duyệt" not in dict(page.context["confirmation"].facts)  # no approval step
    sent = client.post(
        mark, {VERSION_FIELD: page.context["confirmation"].token, "from": "downloads"}
    )
    assert sent["Location"] == f"{reverse('downloads')}?xa={signed_commune.pk}"
    assert GeneratedFile.objects.get(pk=report.pk).sent_by == officer
    withdraw = reverse("generated_file_withdraw_sent", args=[report.pk])
    assert withdraw in client.get(reverse("downloads")).content.decode()
    done = confirm_post(client, withdraw + "?from=downloads", {"from": "downloads"})
    assert done["Location"] == f"{reverse('downloads')}?xa={signed_commune.pk}"
    assert GeneratedFile.objects.get(pk=report.pk).sent_at is None


def test_a_leader_limited_to_one_programme_approves_and_withdraws_only_its_lists(
    client, built, signed_commune
):
    limited = UserFactory(username="chutich_btxh", role="leader", communes=[signed_commune])
    ProgrammeAccess.objects.create(user=limited, programme=Programme.objects.get(code="BTXH"))
    client.force_login(limited)
    page = client.get(_approve_url(signed_commune))
    assert [r[0] for r in page.context["confirmation"].tables[0].rows] == ["Bảo trợ xã hội"]
    done = confirm_post(client, _approve_url(signed_commune))
    assert "Đã phê duyệt 1 danh sách tháng 01/2027." in _said(done)
    approved = GeneratedFile.objects.filter(approved_at__isnull=False)
    assert [f.programme.code for f in approved] == ["BTXH"]
    withdrawn = confirm_post(client, _withdraw_url(signed_commune), {"ly_do": REASON})
    assert "Đã rút phê duyệt 1 danh sách tháng 01/2027." in _said(withdrawn)
    assert not GeneratedFile.objects.filter(approved_at__isnull=False).exists()
