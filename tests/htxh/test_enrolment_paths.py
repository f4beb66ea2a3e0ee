"""Hưu trí xã hội through the person page and the admin: the declared conditions
with their documents, the amount from 07/2025, and the same refusals."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from amounts.models import Entitlement
from beneficiaries.models import Beneficiary, EnrolmentCondition
from tests.factories import BeneficiaryFactory
from tests.htxh.conftest import JUL, declare, elder

pytestmark = pytest.mark.django_db
D = datetime.date


def form_data(category, **changes) -> dict[str, str]:
    data = {
        "programme": str(category.programme_id),
        "category": str(category.pk),
        "decision_number": "45/QĐ-UBND",
        "decision_date": "20/07/2025",
        "start_month": "01/07/2025",
        "end_month": "",
        "end_reason": "",
        "status": Beneficiary.Status.ACTIVE,
        "note": "",
        "no_pension_document": "Tờ khai không hưởng lương hưu",
        "no_pension_date": "02/07/2025",
    }
    data.update(changes)
    return data


def post(client, user, person, data):
    client.force_login(user)
    return client.post(reverse("beneficiary_create", args=[person.pk]), data)


def test_the_officer_enrols_a_person_with_the_document_and_the_amount_follows(
    client, officer, commune, htxh
):
    person = elder(commune, born=D(1948, 2, 1))

    response = post(client, officer, person, form_data(htxh))

    assert response.status_code == 302
    enrolment = Beneficiary.objects.get()
    assert (enrolment.category, enrolment.start_month) == (htxh, JUL)
    assert list(enrolment.entitlements.values_list("from_month", "basis", "amount")) == [
        (JUL, Entitlement.Basis.COEFFICIENT, 500_000)
    ]
    condition = person.conditions.get()
    assert (condition.kind, condition.document, condition.document_date) == (
        EnrolmentCondition.Kind.NO_PENSION,
        "Tờ khai không hưởng lương hưu",
        D(2025, 7, 2),
    )
    assert condition.valid_from == JUL  # the start month: the document was signed in it
    assert condition.recorded_by == officer
    page = client.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "Tờ khai không hưởng lương hưu" in page and "02/07/2025" in page


def test_the_70_to_75_category_takes_the_poor_household_certificate(
    client, officer, commune, htxh_poor
):
    person = elder(commune, born=D(1953, 1, 1))
    data = form_data(
        htxh_poor,
        poor_household_document="GCN hộ nghèo số 12",
        poor_household_date="05/01/2025",
        poor_household_until="31/12/2025",
    )

    assert post(client, officer, person, data).status_code == 302
    assert sorted(person.conditions.values_list("kind", "valid_until")) == [
        ("no_pension", None),
        ("poor_household", D(2025, 12, 31)),
    ]


def test_without_the_document_the_page_says_what_is_missing_and_saves_nothing(
    client, officer, commune, htxh
):
    person = elder(commune, born=D(1948, 2, 1))

    response = post(
        client, officer, person, form_data(htxh, no_pension_document="", no_pension_date="")
    )

    assert response.status_code == 200
    assert "cần giấy tờ xác nhận “Không hưởng lương hưu" in response.content.decode()
    assert not Beneficiary.objects.exists()


def test_a_document_without_its_date_is_refused(client, officer, commune, htxh):
    person = elder(commune, born=D(1948, 2, 1))

    response = post(client, officer, person, form_data(htxh, no_pension_date=""))

    assert response.context["form"].errors["no_pension_date"] == ["Ghi ngày của giấy tờ."]
    assert not EnrolmentCondition.objects.exists()


def test_too_young_on_the_person_page(client, officer, commune, htxh):
    person = elder(commune, born=D(1951, 3, 1))

    response = post(client, officer, person, form_data(htxh))

    assert "mới 74 tuổi" in response.content.decode()
    assert not Beneficiary.objects.exists() and not EnrolmentCondition.objects.exists()


def test_k5c_in_the_same_months_is_refused_on_the_person_page(client, officer, commune, htxh, k5c):
    person = elder(commune, born=D(1940, 3, 1))
    BeneficiaryFactory(person=person, category=k5c, start_month=D(2024, 7, 1))

    response = post(client, officer, person, form_data(htxh))

    assert "đang hưởng diện “Người cao tuổi từ 80 không lương hưu”" in response.content.decode()
    assert Beneficiary.objects.count() == 1


def staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def test_k5c_in_the_same_months_is_refused_in_the_admin(client, officer, commune, htxh, k5c):
    staff(officer)
    person = elder(commune, born=D(1940, 3, 1))
    declare(person, valid_from=D(2024, 1, 1))
    BeneficiaryFactory(person=person, category=htxh, start_month=JUL)
    client.force_login(officer)

    response = client.post(
        reverse("admin:beneficiaries_beneficiary_add"),
        {
            "person": str(person.pk),
            "commune": str(commune.pk),
            "programme": str(k5c.programme_id),
            "category": str(k5c.pk),
            "decision_number": "9/QĐ",
            "start_month": "2025-09-01",
            "status": "active",
            "end_reason": "",
        },
    )

    assert response.status_code == 200
    assert "không được cùng hưởng diện “Người cao tuổi từ 80 không lương hưu”" in (
        response.content.decode()
    )
    assert Beneficiary.objects.count() == 1


def test_hưu_trí_xã_hội_before_july_2025_is_refused_in_the_admin(client, officer, commune, htxh):
    staff(officer)
    person = elder(commune, born=D(1940, 3, 1))
    declare(person, valid_from=D(2024, 1, 1))
    client.force_login(officer)

    response = client.post(
        reverse("admin:beneficiaries_beneficiary_add"),
        {
            "person": str(person.pk),
            "commune": str(commune.pk),
            "programme": str(htxh.programme_id),
            "category": str(htxh.pk),
            "start_month": "2025-06-01",
            "status": "active",
            "end_reason": "",
        },
    )

    assert "chỉ có từ tháng 07/2025" in response.content.decode()
    assert not Beneficiary.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("officer", 200), ("leader", 403)])
def test_recording_a_condition_is_the_officer_s(client, request, commune, role, status):
    person = elder(commune)
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse("condition_create", args=[person.pk])).status_code == status


def test_the_officer_records_a_condition_from_the_person_page(client, officer, commune):
    person = elder(commune)
    client.force_login(officer)

    response = client.post(
        reverse("condition_create", args=[person.pk]),
        {
            "kind": "no_pension",
            "document": "Tờ khai ngày 03/07/2025",
            "document_date": "03/07/2025",
            "valid_from": "01/07/2025",
            "valid_until": "",
        },
    )

    assert response.status_code == 302
    assert person.conditions.get().history.first().history_user == officer


def test_another_commune_s_person_is_not_found(client, other_officer, commune):
    person = elder(commune)
    client.force_login(other_officer)

    assert client.get(reverse("condition_create", args=[person.pk])).status_code == 404
