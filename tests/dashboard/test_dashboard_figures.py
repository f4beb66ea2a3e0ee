"""The dashboard's figures against the known data set of conftest.py."""

from __future__ import annotations

import datetime

import pytest

from core.rules.months import next_month
from payments.models import PaymentCycle
from registration.models import AccountOpeningRequest
from registration.services import abandon_account_opening
from reports import dashboard
from tests.dashboard.conftest import SEP
from tests.factories import AccountOpeningRequestFactory, OutreachActivityFactory

pytestmark = pytest.mark.django_db


def test_the_cashless_share_now_counts_registrations_in_force_over_active_enrolments(
    dataset, commune
):
    share = dashboard.cashless_now([commune.pk], SEP)

    assert (share.cashless, share.total, share.percent) == (3, 5, 60.0)


def test_the_share_by_programme_and_by_village(dataset, commune):
    by_programme = dashboard.cashless_by([commune.pk], SEP, "programme__short_name", "—")
    by_village = dashboard.cashless_by([commune.pk], SEP, "person__village__name", "—")

    assert [(s.label, s.cashless, s.total, s.percent) for s in by_programme] == [
        ("Bảo trợ xã hội", 1, 2, 50.0),
        ("Người có công", 2, 3, 66.7),
    ]
    assert [(s.label, s.cashless, s.total, s.percent) for s in by_village] == [
        ("Thôn A", 3, 3, 100.0),
        ("Thôn B", 0, 2, 0.0),
    ]


def test_month_by_month_comes_from_the_cycles_payments(dataset, commune):
    months = dashboard.monthly(commune)

    assert [(f"{m.period:%m/%Y}", m.all.cashless, m.all.total, m.all.percent) for m in months] == [
        ("08/2023", 0, 5, 0.0),
        ("09/2023", 3, 5, 60.0),
    ]
    september = months[1]
    assert september.amount_account == 6_165_000
    assert september.amount_cash == 2_000_000
    assert {k: (s.cashless, s.total) for k, s in september.by_programme.items()} == {
        "Người có công": (2, 3),
        "Bảo trợ xã hội": (1, 2),
    }
    assert {k: (s.cashless, s.total) for k, s in september.by_village.items()} == {
        "Thôn A": (3, 3),
        "Thôn B": (0, 2),
    }


def test_only_the_last_twelve_cycles_are_shown(dataset, commune):
    day = SEP
    for _n in range(12):
        day = next_month(day)
        PaymentCycle.objects.create(commune=commune, period=day, due_on=day.replace(day=5))

    months = dashboard.monthly(commune)

    assert len(months) == 12
    assert months[0].period > SEP


def test_account_requests_by_state(dataset, commune, officer):
    people = [e.person for e in dataset.enrolments.values()]
    for person in people[:3]:
        AccountOpeningRequestFactory(person=person)
    abandoned = AccountOpeningRequest.objects.first()
    abandon_account_opening(
        abandoned, reason="Không muốn mở", abandoned_on=abandoned.requested_on, actor=officer
    )

    counts = dashboard.account_requests(commune)

    assert counts["total"] == 3
    assert counts["requested"] == 2
    assert counts["abandoned"] == 1
    assert counts["opened"] == 0


def test_recent_outreach_newest_first(dataset, commune):
    for day in (1, 20, 10):
        OutreachActivityFactory(commune=commune, date=datetime.date(2023, 8, day))

    assert [a.date.day for a in dashboard.recent_outreach(commune, limit=2)] == [20, 10]


def test_a_commune_without_people_has_a_zero_share(commune):
    share = dashboard.cashless_now([commune.pk], SEP)

    assert (share.cashless, share.total, share.percent) == (0, 0, 0.0)
