"""The outreach log: add, edit, list newest first with totals by channel, scoped by commune."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from registration.models import OutreachActivity
from tests.factories import OutreachActivityFactory, VillageFactory

pytestmark = pytest.mark.django_db

Channel = OutreachActivity.Channel


def _form(**fields) -> dict[str, str]:
    data = {
        "date": "03/07/2023",
        "channel": Channel.MEETING,
        "audience": "Người cao tuổi thôn Đông Sơn",
        "people_reached": "45",
        "village": "",
        "notes": "Hướng dẫn mở tài khoản Agribank",
    }
    data.update(fields)
    return data


def test_the_channels_have_their_vietnamese_labels():
    assert [str(label) for _value, label in Channel.choices] == [
        "Loa truyền thanh",
        "Trang thông tin điện tử",
        "Họp thôn/hội nghị",
        "Đến tận nhà",
    ]


def test_an_officer_adds_an_activity_in_their_commune(client, officer, commune):
    village = VillageFactory(commune=commune, name="Thôn Đông Sơn")
    client.force_login(officer)

    response = client.post(reverse("outreach_create"), _form(village=str(village.pk)))

    assert response.status_code == 302
    activity = OutreachActivity.objects.get()
    assert activity.commune == commune and activity.village == village
    assert activity.date == datetime.date(2023, 7, 3)
    assert activity.people_reached == 45 and activity.recorded_by == officer
    assert activity.history.get().history_user == officer


@pytest.mark.parametrize("reached", ["0", "-3"])
def test_people_reached_must_be_positive(client, officer, commune, reached):
    client.force_login(officer)

    response = client.post(reverse("outreach_create"), _form(people_reached=reached))

    assert response.status_code == 200
    assert response.context["form"].errors["people_reached"]
    assert 'value="Người cao tuổi thôn Đông Sơn"' in response.content.decode()
    assert not OutreachActivity.objects.exists()


def test_a_date_in_the_future_is_refused(client, officer, commune):
    client.force_login(officer)

    response = client.post(reverse("outreach_create"), _form(date="01/01/2999"))

    assert "tương lai" in response.context["form"].errors["date"][0]


def test_a_village_of_another_commune_cannot_be_chosen(client, officer, commune, other_commune):
    elsewhere = VillageFactory(commune=other_commune, name="Thôn Khác")
    client.force_login(officer)

    response = client.post(reverse("outreach_create"), _form(village=str(elsewhere.pk)))

    assert response.status_code == 200
    assert response.context["form"].errors["village"]
    assert not OutreachActivity.objects.exists()


def test_an_officer_edits_an_activity_and_the_history_keeps_the_old_figure(
    client, officer, commune
):
    activity = OutreachActivityFactory(commune=commune, people_reached=500)
    client.force_login(officer)

    response = client.post(
        reverse("outreach_edit", args=[activity.pk]),
        _form(channel=Channel.LOUDSPEAKER, people_reached="650"),
    )

    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.people_reached == 650 and activity.commune == commune
    assert [h.people_reached for h in activity.history.order_by("history_date")] == [500, 650]


def test_the_commune_of_an_activity_cannot_be_changed_by_post(
    client, officer, commune, other_commune
):
    activity = OutreachActivityFactory(commune=commune)
    client.force_login(officer)

    client.post(reverse("outreach_edit", args=[activity.pk]), _form(commune=str(other_commune.pk)))

    activity.refresh_from_db()
    assert activity.commune == commune


def test_the_list_is_newest_first_with_totals_by_channel(client, officer, commune, other_commune):
    OutreachActivityFactory(commune=commune, date=datetime.date(2023, 7, 1), people_reached=500)
    OutreachActivityFactory(
        commune=commune,
        date=datetime.date(2023, 7, 20),
        channel=Channel.HOME_VISIT,
        people_reached=3,
    )
    OutreachActivityFactory(commune=commune, date=datetime.date(2023, 8, 1), people_reached=700)
    OutreachActivityFactory(commune=other_commune, people_reached=9999)
    client.force_login(officer)

    response = client.get(reverse("outreach_list"))

    assert [a.date.day for a in response.context["page"]] == [1, 20, 1]
    assert [a.date.month for a in response.context["page"]] == [8, 7, 7]
    totals = {t["label"]: (t["count"], t["reached"]) for t in response.context["totals"]}
    assert totals["Loa truyền thanh"] == (2, 1200)
    assert totals["Đến tận nhà"] == (1, 3)
    assert totals["Họp thôn/hội nghị"] == (0, 0)
    assert response.context["total_reached"] == 1203
    assert "9999" not in response.content.decode()


def test_the_list_runs_a_fixed_number_of_queries(
    client, officer, commune, django_assert_max_num_queries
):
    for day in range(1, 21):
        OutreachActivityFactory(commune=commune, date=datetime.date(2023, 7, day))
    client.force_login(officer)

    with django_assert_max_num_queries(10):
        client.get(reverse("outreach_list"))
