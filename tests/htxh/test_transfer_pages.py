"""The officer's and the leader's pages for moving enrolments between programmes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from beneficiaries.models import Beneficiary
from registration.models import ProgrammeTransfer
from tests.htxh.conftest import declare
from tests.htxh.test_programme_transfer import k5c_enrolment, propose

pytestmark = pytest.mark.django_db


@pytest.fixture
def moving(commune, k5c, htxh):
    enrolment = k5c_enrolment(commune, k5c, full_name="Lê Thị Lan")
    declare(enrolment.person)
    return enrolment


def test_the_officer_proposes_and_sees_who_moves_and_who_is_left_out(
    client, officer, commune, k5c, moving
):
    k5c_enrolment(commune, k5c, full_name="Trần Văn Bảo")
    client.force_login(officer)

    response = client.post(
        reverse("transfer_list"),
        {
            "commune": str(commune.pk),
            "from_category": "BTXH_K5C",
            "to_category": "HTXH_75",
            "month": "07/2025",
        },
    )

    transfer = ProgrammeTransfer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("transfer_detail", args=[transfer.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Lê Thị Lan" in page and "500.000 đ" in page
    assert "Trần Văn Bảo" in page and "cần giấy tờ xác nhận" in page
    assert 'data-testid="transfer-approve"' not in page  # the officer does not approve


def test_a_refused_proposal_says_why_on_the_page(client, officer, commune, moving):
    client.force_login(officer)

    response = client.post(
        reverse("transfer_list"),
        {
            "commune": str(commune.pk),
            "from_category": "BTXH_K5C",
            "to_category": "HTXH_75",
            "month": "06/2025",
        },
    )

    assert response.status_code == 200
    assert "chỉ có từ tháng 07/2025" in response.content.decode()
    assert not ProgrammeTransfer.objects.exists()


def test_the_leader_approves_with_the_confirmation(client, officer, leader, commune, moving):
    transfer = propose(commune, officer)
    client.force_login(leader)
    url = reverse("transfer_detail", args=[transfer.pk])
    assert 'data-testid="transfer-approve"' in client.get(url).content.decode()

    client.post(url, {"action": "approve"})  # without the box ticked
    transfer.refresh_from_db()
    assert transfer.status == ProgrammeTransfer.Status.PENDING

    client.post(url, {"action": "approve", "confirm": "1"})
    transfer.refresh_from_db()
    assert transfer.status == ProgrammeTransfer.Status.APPROVED
    # A second submission (the back button) is refused with a message, nothing twice.
    response = client.post(url, {"action": "approve", "confirm": "1"}, follow=True)
    assert "đã được duyệt lúc" in response.content.decode()
    assert Beneficiary.objects.filter(category__code="HTXH_75").count() == 1


def test_the_officer_cannot_approve_by_posting(client, officer, commune, moving):
    transfer = propose(commune, officer)
    client.force_login(officer)

    response = client.post(
        reverse("transfer_detail", args=[transfer.pk]), {"action": "approve", "confirm": "1"}
    )

    assert response.status_code == 403
    transfer.refresh_from_db()
    assert transfer.status == ProgrammeTransfer.Status.PENDING


@pytest.mark.parametrize(
    ("role", "status"),
    [("officer", 200), ("leader", 200), ("police", 403), ("other_officer", 404)],
)
def test_who_sees_a_proposal(client, request, officer, commune, moving, role, status):
    transfer = propose(commune, officer)
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse("transfer_detail", args=[transfer.pk])).status_code == status


def test_the_leader_cannot_propose(client, leader, commune, moving):
    client.force_login(leader)

    response = client.post(
        reverse("transfer_list"),
        {
            "commune": str(commune.pk),
            "from_category": "BTXH_K5C",
            "to_category": "HTXH_75",
            "month": "07/2025",
        },
    )

    assert response.status_code == 403
    assert not ProgrammeTransfer.objects.exists()


def test_the_admin_shows_a_proposal_read_only_with_its_lines(client, db, reference_data, commune):
    import datetime

    from beneficiaries.models import Category
    from tests.factories import UserFactory

    htxh = Category.objects.get(code="HTXH_75")
    k5c = Category.objects.get(code="BTXH_K5C")
    transfer = ProgrammeTransfer.objects.create(
        commune=commune, from_category=k5c, to_category=htxh, month=datetime.date(2025, 7, 1)
    )
    officer = UserFactory(username="canbo-admin", role="labour_officer", communes=[commune])
    officer.is_staff = True
    officer.save()
    client.force_login(officer)

    page = client.get(reverse("admin:registration_programmetransfer_change", args=[transfer.pk]))

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert client.get(reverse("admin:registration_programmetransfer_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:registration_programmetransfer_delete", args=[transfer.pk]),
            {"post": "yes"},
        ).status_code
        == 403
    )
    assert ProgrammeTransfer.objects.filter(pk=transfer.pk).exists()
