"""Recoveries in the admin: read only, with their months, deductions and settlements,
searched by name or CCCD, scoped to the user's communes."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from payments.models import Recovery
from payments.services.recoveries import record_settlement
from tests.factories import BeneficiaryFactory, PersonFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:payments_recovery_changelist")


@pytest.fixture
def staff_officer(client, officer):
    officer.is_staff = True
    officer.save(update_fields=["is_staff"])
    client.force_login(officer)
    return officer


def _theirs(other_commune) -> Recovery:
    enrolment = BeneficiaryFactory(person=PersonFactory(commune=other_commune))
    return Recovery.objects.create(
        beneficiary=enrolment,
        cause=Recovery.Cause.ENDED,
        amount=100_000,
        recover_from=enrolment.person.full_name,
        created_at=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC),
    )


def test_the_changelist_lists_the_communes_recoveries_with_what_is_left(
    client, staff_officer, found, other_commune
):
    theirs = _theirs(other_commune)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    listed = {r.pk for r in response.context["cl"].result_list}
    assert listed == {found.death.pk, found.amount.pk} and theirs.pk not in listed
    body = response.content.decode()
    assert "2.000.000 đ" in body and "Còn phải thu hồi" in body
    assert "Khoản thu hồi" in body or "khoản thu hồi" in body


def test_the_changelist_searches_by_cccd_and_name_and_filters_open(
    client, staff_officer, found, officer
):
    cccd = found.paid.an.person.personal_id
    by_id = client.get(CHANGELIST, {"q": cccd})
    assert [r.pk for r in by_id.context["cl"].result_list] == [found.death.pk]
    by_name = client.get(CHANGELIST, {"q": "le thi binh"})
    assert [r.pk for r in by_name.context["cl"].result_list] == [found.amount.pk]
    record_settlement(
        found.amount,
        kind="waived",
        amount=600_000,
        on=datetime.date(2026, 12, 14),
        document="QĐ",
        actor=officer,
    )
    still_open = client.get(CHANGELIST, {"con_lai": "con"})
    assert [r.pk for r in still_open.context["cl"].result_list] == [found.death.pk]
    done = client.get(CHANGELIST, {"con_lai": "xong"})
    assert [r.pk for r in done.context["cl"].result_list] == [found.amount.pk]
    by_cause = client.get(CHANGELIST, {"cause__exact": "death"})
    assert [r.pk for r in by_cause.context["cl"].result_list] == [found.death.pk]


def test_a_recovery_is_read_only_with_its_lines(client, staff_officer, found, other_commune):
    record_settlement(
        found.death,
        kind="repaid",
        amount=400_000,
        on=datetime.date(2026, 12, 14),
        document="BL-77",
        actor=staff_officer,
    )
    url = reverse("admin:payments_recovery_change", args=[found.death.pk])
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "10/2026" in body and "11/2026" in body and "BL-77" in body
    assert 'name="_save"' not in body
    assert client.post(url, {"decision_number": "X"}).status_code == 403
    assert client.get(reverse("admin:payments_recovery_add")).status_code == 403
    theirs = _theirs(other_commune)
    other = client.get(reverse("admin:payments_recovery_change", args=[theirs.pk]))
    assert other.status_code == 302  # the admin's "does not exist" redirect
    found.death.refresh_from_db()
    assert found.death.decision_number == ""
