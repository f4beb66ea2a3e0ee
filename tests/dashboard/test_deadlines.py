"""Deadlines: the day per commune and programme, the badge, and the reminders with a frozen clock."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from beneficiaries import deadlines as registry_deadlines
from beneficiaries.models import Programme, ProgrammeSetting
from documents.models import GeneratedFile
from registration.models import PaymentMethodRegistration
from reports import deadlines
from reports.models import DeadlineReminder, Notice
from reports.tasks import send_deadline_reminders_task
from tests.dashboard.test_downloads import make_file
from tests.factories import (
    BeneficiaryFactory,
    PaymentAccountFactory,
    PersonFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def _row(programme_id, commune_id, valid_from, day, valid_until=None):
    return SimpleNamespace(
        programme_id=programme_id,
        commune_id=commune_id,
        valid_from=valid_from,
        valid_until=valid_until,
        deadline_day=day,
    )


def test_a_commune_s_own_setting_wins_over_the_province_default():
    rows = [_row(1, None, D(2021, 1, 1), 5), _row(1, 7, D(2023, 1, 1), 10)]

    assert registry_deadlines.deadline_day_of(rows, 1, 7, D(2023, 9, 1)) == 10
    assert registry_deadlines.deadline_day_of(rows, 1, 8, D(2023, 9, 1)) == 5
    assert registry_deadlines.deadline_day_of(rows, 1, 7, D(2022, 9, 1)) == 5


def test_the_latest_setting_in_force_applies_and_without_any_the_5th():
    rows = [
        _row(1, None, D(2021, 1, 1), 5, valid_until=D(2025, 6, 30)),
        _row(1, None, D(2025, 7, 1), 8),
    ]

    assert registry_deadlines.deadline_day_of(rows, 1, 7, D(2025, 6, 1)) == 5
    assert registry_deadlines.deadline_day_of(rows, 1, 7, D(2025, 7, 1)) == 8
    assert registry_deadlines.deadline_day_of(rows, 2, 7, D(2025, 7, 1)) == 5


def test_day_31_falls_on_the_28th_as_for_the_cycles():
    assert registry_deadlines.deadline_on(D(2023, 2, 1), 31) == D(2023, 2, 28)


def test_the_book_agrees_with_programme_setting_on(reference_data, commune):
    ncc = Programme.objects.get(code="NCC")
    ProgrammeSetting.objects.create(
        programme=ncc,
        commune=commune,
        valid_from=D(2023, 1, 1),
        receiving_office="Phòng LĐTBXH",
        deciding_authority="UBND huyện",
        payment_agency="Bưu điện",
        deadline_day=10,
    )

    found = {d.programme_name: d for d in registry_deadlines.deadlines_for(commune, D(2023, 9, 3))}

    assert found["Người có công"].day == D(2023, 9, 10)
    assert found["Người có công"].days_left == 7
    assert ncc.setting_on(D(2023, 9, 1), commune).deadline_day == 10
    assert found["Bảo trợ xã hội"].day == D(2023, 9, 5)
    assert found["Bảo trợ xã hội"].days_left == 2


def test_days_overdue_after_the_deadline(reference_data, commune):
    late = registry_deadlines.deadlines_for(commune, D(2023, 9, 8))[0]

    assert (late.overdue, late.days_left, late.days_overdue) == (True, -3, 3)


# --- reminders ------------------------------------------------------------------------


@pytest.fixture
def people(reference_data, officer, leader, police, accountant, other_officer):
    for user, email in [
        (officer, "canbo@yenson.example"),
        (leader, "chutich@yenson.example"),
        (police, "congan@yenson.example"),
        (accountant, "ketoan@yenson.example"),
        (other_officer, "canbo@hatrung.example"),
    ]:
        user.email = email
        user.save()
    # Somebody on one list of each programme existing in 2023 (NCC, BTXH) in both
    # communes: a programme nobody is enrolled in has no list and no reminder.
    for place in (officer.communes.get(), other_officer.communes.get()):
        for code in ("NCC", "BTXH"):
            enrol_on_a_list(place, code, D(2023, 1, 1))
    return SimpleNamespace(officer=officer, leader=leader, police=police)


def enrol_on_a_list(place, code: str, start: datetime.date):
    """One live enrolment of the programme, paid into the person's own account."""
    programme = Programme.objects.get(code=code)
    person = PersonFactory(commune=place, birth_year=1940)
    enrolment = BeneficiaryFactory(
        person=person,
        commune=place,
        programme=programme,
        category=programme.categories.order_by("code").first(),
        start_month=start,
    )
    RegistrationFactory(
        beneficiary=enrolment,
        from_month=start,
        method=PaymentMethodRegistration.Method.ACCOUNT,
        account=PaymentAccountFactory(holder=person),
    )
    return enrolment


def test_no_reminder_four_days_before(people, frozen):
    frozen(D(2023, 9, 1))

    assert deadlines.send_deadline_reminders() == 0
    assert mail.outbox == []
    assert not Notice.objects.exists()


def test_three_days_before_the_officer_and_the_leader_get_a_notice_and_an_email_once(
    people, frozen, commune, other_commune
):
    frozen(D(2023, 9, 2))

    assert send_deadline_reminders_task.delay().get() == 4  # 2 programmes × 2 communes
    # Running again that day, and the next day, reminds nobody twice.
    assert deadlines.send_deadline_reminders() == 0
    frozen(D(2023, 9, 3))
    assert deadlines.send_deadline_reminders() == 0

    ours = [m for m in mail.outbox if "canbo@yenson.example" in m.to]
    assert len(ours) == 2
    assert sorted(ours[0].to) == ["canbo@yenson.example", "chutich@yenson.example"]
    assert ours[0].from_email == settings.DEFAULT_FROM_EMAIL
    assert "còn 3 ngày" in ours[0].subject
    assert "05/09/2023" in ours[0].body
    assert len(mail.outbox) == 4
    assert DeadlineReminder.objects.filter(commune=commune).count() == 2
    notices = Notice.objects.filter(commune=commune)
    assert {n.recipient.username for n in notices} == {"canbo", "chutich"}
    assert notices.count() == 4


def test_on_the_deadline_day_it_still_reminds_after_it_no_longer(people, frozen):
    frozen(D(2023, 9, 6))
    assert deadlines.send_deadline_reminders() == 0
    frozen(D(2023, 9, 5))
    assert deadlines.send_deadline_reminders() == 4


def test_a_programme_whose_lists_were_sent_is_not_reminded(people, frozen, commune, other_commune):
    frozen(D(2023, 9, 3))
    for kind in GeneratedFile.REGISTRATION_KINDS:
        make_file(commune, kind=kind, sent_at=datetime.datetime(2023, 9, 2, tzinfo=datetime.UTC))

    deadlines.send_deadline_reminders()

    reminded = set(
        DeadlineReminder.objects.filter(commune=commune).values_list("programme__code", flat=True)
    )
    assert reminded == {"BTXH"}


def test_a_programme_nobody_is_enrolled_in_is_not_reminded(
    reference_data, frozen, officer, commune
):
    frozen(D(2025, 9, 3))
    enrol_on_a_list(commune, "NCC", D(2025, 1, 1))

    assert deadlines.send_deadline_reminders() == 1
    assert list(DeadlineReminder.objects.values_list("programme__code", flat=True)) == ["NCC"]


def test_a_programme_with_people_enrolled_but_none_on_a_list_is_not_reminded(
    reference_data, frozen, officer, commune
):
    frozen(D(2025, 9, 3))
    enrolment = enrol_on_a_list(commune, "BTXH", D(2025, 1, 1))
    enrolment.registrations.update(method=PaymentMethodRegistration.Method.CASH, account=None)

    assert deadlines.send_deadline_reminders() == 0


def test_hưu_trí_xã_hội_is_reminded_only_from_its_first_month(
    reference_data, frozen, officer, commune
):
    htxh = Programme.objects.get(code="HTXH")
    # A person enrolled as from 06/2025 by a raw write (the registry refuses it):
    # before 07/2025 the programme has no deadline, list nor reminder.
    enrol_on_a_list(commune, "HTXH", D(2025, 6, 1))
    frozen(D(2025, 6, 3))
    assert deadlines.send_deadline_reminders() == 0
    assert htxh.pk not in {d.programme_id for d in registry_deadlines.deadlines_for(commune)}

    frozen(D(2025, 7, 3))
    assert deadlines.send_deadline_reminders() == 1
    assert htxh.pk in {d.programme_id for d in registry_deadlines.deadlines_for(commune)}


def test_an_email_that_cannot_be_sent_leaves_nothing_and_is_tried_again(
    people, frozen, monkeypatch
):
    frozen(D(2023, 9, 3))

    def refuse(**kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(deadlines, "send_mail", refuse)
    with pytest.raises(ConnectionRefusedError):
        deadlines.send_deadline_reminders()
    assert not DeadlineReminder.objects.exists()
    assert not Notice.objects.exists()

    monkeypatch.undo()
    frozen(D(2023, 9, 4))
    assert deadlines.send_deadline_reminders() == 4
    assert len(mail.outbox) == 4


def test_the_daily_job_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["deadline-reminders-daily"]

    assert entry["task"] == "reports.send_deadline_reminders"


# --- notices and the badge ------------------------------------------------------------


def test_the_notice_shows_on_the_dashboard_until_read(client, people, frozen):
    deadlines.send_deadline_reminders()
    client.force_login(people.officer)

    html = client.get(reverse("home")).content.decode()
    assert html.count('data-testid="notice"') == 2
    notice = Notice.objects.filter(recipient=people.officer).first()

    assert client.post(reverse("notice_read", args=[notice.pk])).status_code == 302
    html = client.get(reverse("home")).content.decode()
    assert html.count('data-testid="notice"') == 1


def test_another_users_notice_cannot_be_marked_read(client, people, frozen):
    deadlines.send_deadline_reminders()
    notice = Notice.objects.filter(recipient=people.officer).first()
    client.force_login(people.leader)

    assert client.post(reverse("notice_read", args=[notice.pk])).status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_the_badge_says_how_many_days_are_left(client, people, frozen):
    client.force_login(people.officer)

    data = client.get(reverse("deadline_badge")).json()

    assert data["text"] == "Hạn gửi: còn 2 ngày"
    assert data["soon"] is True
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="deadline-badge"' in html
    assert "js/deadline-badge.js" in html


@pytest.mark.parametrize(("role", "status"), [("leader", 200), ("police", 403), ("district", 403)])
def test_the_badge_trio(client, request, reference_data, frozen, role, status):
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse("deadline_badge")).status_code == status


def test_after_the_deadline_the_badge_is_empty(client, people, frozen):
    frozen(D(2023, 9, 20))
    client.force_login(people.officer)

    assert client.get(reverse("deadline_badge")).json()["text"] == ""


def test_the_dashboard_says_what_was_done_about_each_deadline(
    client, people, frozen, commune, officer
):
    """NCC's one list sent late (the 7th), BTXH's not sent: late; HTXH does not exist in 2023."""
    frozen(D(2023, 9, 8))
    make_file(commune, sent_at=datetime.datetime(2023, 9, 7, 3, tzinfo=datetime.UTC))

    states = {s.deadline.programme_name: s for s in deadlines.month_states(commune)}

    assert set(states) == {"Người có công", "Bảo trợ xã hội"}
    ncc, btxh = states["Người có công"], states["Bảo trợ xã hội"]
    assert (ncc.sent, ncc.sent_on, ncc.days_late, ncc.overdue) == (True, D(2023, 9, 7), 2, False)
    assert (btxh.sent, btxh.overdue, btxh.deadline.days_overdue) == (False, True, 3)
    client.force_login(officer)
    html = client.get(reverse("home")).content.decode()
    assert "đã gửi 07/09/2023, muộn 2 ngày" in html
    assert "quá hạn 3 ngày" in html


def test_a_programme_with_nobody_on_a_list_has_nothing_to_send_and_is_never_late(
    client, reference_data, frozen, officer, commune
):
    frozen(D(2025, 9, 8))
    enrol_on_a_list(commune, "NCC", D(2025, 1, 1))
    make_file(commune, sent_at=datetime.datetime(2025, 9, 3, 3, tzinfo=datetime.UTC))
    GeneratedFile.objects.update(period=D(2025, 9, 1))

    states = {s.deadline.programme_name: s for s in deadlines.month_states(commune)}

    assert states["Người có công"].sent and not states["Người có công"].days_late
    for name in ("Bảo trợ xã hội", "Hưu trí xã hội"):
        assert states[name].nothing_to_send and not states[name].overdue
    client.force_login(officer)
    html = client.get(reverse("home")).content.decode()
    assert "quá hạn" not in html
    assert "đã gửi 03/09/2025" in html
    assert html.count("không có ai trong danh sách") == 2


def test_a_merged_commune_has_no_deadline_after_its_merger(
    client, people, frozen, commune, other_commune, officer
):
    commune.merged_into, commune.merged_on = other_commune, D(2023, 9, 1)
    commune.save()
    frozen(D(2023, 9, 3))

    assert deadlines.month_states(commune) == []
    assert registry_deadlines.nearest_deadline([commune.pk]) is None
    assert registry_deadlines.nearest_deadline([commune.pk, other_commune.pk]) is not None
    client.force_login(officer)
    html = client.get(reverse("home"), {"xa": commune.pk}).content.decode()
    assert 'data-testid="deadlines-merged"' in html
    assert "đã sáp nhập vào" in html
