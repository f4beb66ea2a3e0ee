"""The first page after log-in: each role's blocks, the figures shown, a fixed query count."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_officer_sees_the_commune_s_figures(client, officer, dataset, frozen):
    client.force_login(officer)

    response = client.get(reverse("home"))

    html = response.content.decode()
    assert response.templates[0].name == "reports/dashboard.html"
    assert response.context["share"].percent == 60.0
    assert 'data-testid="share-percent">60,0%' in html
    # Every chart's numbers are also a table.
    assert 'id="chart-months"' in html and 'data-testid="share-by-month"' in html
    assert "6.165.000 đ" in html  # September's payments into an account
    assert "vendor/chart.js/chart.umd.min.js" in html
    assert "Đã chi trả" not in response.context["cycle"].get_status_display()  # a draft
    assert response.context["cycle"] == dataset.cycles["sep"]
    # NCC and BTXH: hưu trí xã hội exists only from 07/2025.
    assert [s.deadline.days_left for s in response.context["deadlines"]] == [2, 2]


def test_the_police_see_the_share_and_verification_but_no_money(client, police, dataset, frozen):
    client.force_login(police)

    response = client.get(reverse("home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="share-by-programme"' in html
    assert 'data-testid="verification"' in html
    assert 'data-testid="share-by-month"' not in html
    assert " đ<" not in html  # no amount anywhere
    assert 'data-testid="current-cycle"' not in html


def test_the_post_office_sees_no_money_and_no_verification(client, post_office, dataset, frozen):
    client.force_login(post_office)

    html = client.get(reverse("home")).content.decode()

    assert 'data-testid="share-by-month"' not in html
    assert 'data-testid="verification"' not in html
    assert 'data-testid="account-requests"' not in html


def test_another_commune_is_404_on_the_dashboard(client, other_officer, dataset, commune, frozen):
    client.force_login(other_officer)

    assert client.get(reverse("home"), {"xa": commune.pk}).status_code == 404
    own = client.get(reverse("home"))
    assert own.context["share"].total == 0


def test_the_dashboard_costs_the_same_for_5_and_60_people(
    client, officer, dataset, commune, frozen, django_assert_max_num_queries
):
    client.force_login(officer)
    client.get(reverse("home"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for n in range(55):
        PersonFactory(commune=commune, full_name=f"Thêm {n}")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("home"))
    assert len(few) == len(many)
    # Two for the deadlines: who is on which list, and which lists were sent; one
    # for the open cases of payments not received; one for the open recoveries.
    with django_assert_max_num_queries(26):
        client.get(reverse("home"))


def test_a_user_without_a_commune_is_told_so(client, db):
    user = UserFactory(username="lac", role="labour_officer", communes=[])
    client.force_login(user)

    assert "Chưa được gán xã nào" in client.get(reverse("home")).content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    assert client.get(reverse("home")).status_code == 302


# --- the paying office's view ---------------------------------------------------------


def test_the_district_sees_its_communes_side_by_side(
    client, district, dataset, commune, other_commune, officer, leader, frozen
):
    from django.utils import timezone

    from payments.models import PaymentCycle

    district.communes.add(other_commune)
    sep = dataset.cycles["sep"]
    PaymentCycle.objects.filter(pk=sep.pk).update(
        status=PaymentCycle.Status.SUBMITTED,
        approved_by=leader,
        submitted_by=officer,
        submitted_at=timezone.now(),
        submitted_late=True,
    )
    client.force_login(district)

    response = client.get(reverse("home"))

    assert response.templates[0].name == "reports/district.html"
    rows = {row.commune.name: row for row in response.context["rows"]}
    assert rows["Yến Sơn"].share.percent == 60.0
    assert rows["Yến Sơn"].cycle == sep
    assert rows["Hà Trung"].cycle is None
    html = response.content.decode()
    assert 'data-testid="cycle-late">muộn<' in html
    assert "8.165.000 đ" in html
    assert f"{reverse('downloads')}?xa={commune.pk}&amp;thang=2023-09&amp;da_gui=1" in html


def test_a_commune_merged_by_this_month_is_not_a_row_of_its_own(
    client, district, dataset, commune, other_commune, frozen
):
    import datetime

    district.communes.add(other_commune)
    client.force_login(district)
    # Merged next month: still its own row this month.
    commune.merged_into, commune.merged_on = other_commune, datetime.date(2023, 10, 1)
    commune.save()
    names = [row.commune.name for row in client.get(reverse("home")).context["rows"]]
    assert names == ["Hà Trung", "Yến Sơn"]
    # Merged this month: its successor's row holds its people.
    commune.merged_on = datetime.date(2023, 9, 1)
    commune.save()
    names = [row.commune.name for row in client.get(reverse("home")).context["rows"]]
    assert names == ["Hà Trung"]


def test_the_district_does_not_see_a_draft_cycle(client, district, dataset, frozen):
    client.force_login(district)

    rows = client.get(reverse("home")).context["rows"]

    assert rows[0].cycle is None
    assert "chưa gửi" in client.get(reverse("home")).content.decode()


def test_the_district_view_runs_a_fixed_number_of_queries(
    client, district, dataset, other_commune, frozen, django_assert_max_num_queries
):
    district.communes.add(other_commune)
    client.force_login(district)
    with django_assert_max_num_queries(10):
        client.get(reverse("home"))


def test_the_leader_sees_what_waits_for_approval(client, leader, officer, dataset, frozen):
    from registration import listfiles
    from tests.dashboard.conftest import TODAY

    month = TODAY.replace(day=1)
    built = listfiles.build_registration_lists_now(
        dataset.cycles["sep"].commune, month, actor=officer, today=TODAY
    )
    client.force_login(leader)

    html = client.get(reverse("home")).content.decode()

    assert 'data-testid="to-approve"' in html
    assert f"{len(built)} danh sách đăng ký tháng {month:%m/%Y}" in html
    assert f"Kỳ chi trả tháng {month:%m/%Y}" in html  # the month's draft cycle
    listfiles.approve_lists(dataset.cycles["sep"].commune, month, actor=leader)
    assert "danh sách đăng ký tháng" not in client.get(reverse("home")).content.decode()


def test_the_officer_is_not_asked_to_approve(client, officer, dataset, frozen):
    client.force_login(officer)

    assert 'data-testid="to-approve"' not in client.get(reverse("home")).content.decode()
