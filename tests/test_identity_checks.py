"""Police checks: recorded, derived into a state, stale after any edit of a checked field."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from beneficiaries.models import IdentityCheck, Person, Verification
from beneficiaries.models.checks import verification_filter, verification_of, with_verification
from beneficiaries.services import RegistryError, record_check, record_matches
from tests.factories import PersonFactory, VillageFactory

pytestmark = pytest.mark.django_db


def _state(person: Person) -> str:
    person.refresh_from_db()
    return verification_of(person, person.identity_checks.first())


def test_a_person_never_checked_is_so(commune):
    assert _state(PersonFactory(commune=commune)) == Verification.NEVER


@pytest.mark.parametrize(
    ("result", "state"),
    [
        (IdentityCheck.Result.MATCH, Verification.VERIFIED),
        (IdentityCheck.Result.NOT_FOUND, Verification.NOT_FOUND),
        (IdentityCheck.Result.DEAD, Verification.DEAD),
    ],
)
def test_the_latest_check_gives_the_state(commune, police, result, state):
    person = PersonFactory(commune=commune)
    record_check(
        person, result=IdentityCheck.Result.MISMATCH, actor=police, differing_fields=["gender"]
    )
    record_check(person, result=result, actor=police)
    assert _state(person) == state


def test_a_mismatch_must_say_what_differs(commune, police):
    person = PersonFactory(commune=commune)
    with pytest.raises(RegistryError, match="trường nào khác"):
        record_check(person, result=IdentityCheck.Result.MISMATCH, actor=police)
    check = record_check(
        person,
        result=IdentityCheck.Result.MISMATCH,
        actor=police,
        differing_fields=["birth_date"],
        population_values={"birth": "12/03/1951"},
    )
    assert check.checked_by == police
    assert _state(person) == Verification.MISMATCH


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("full_name", "Nguyễn Văn Thử Khác"),
        ("birth_date", datetime.date(1951, 3, 15)),
        ("gender", Person.Gender.FEMALE),
        ("personal_id", "038150999999"),
    ],
)
def test_an_edit_to_a_checked_field_makes_the_check_stale(commune, police, field, value):
    person = PersonFactory(commune=commune)
    record_check(person, result=IdentityCheck.Result.MATCH, actor=police)
    setattr(person, field, value)
    person.save()
    assert _state(person) == Verification.STALE


def test_moving_to_another_village_makes_the_check_stale(commune, police):
    person = PersonFactory(commune=commune)
    record_check(person, result=IdentityCheck.Result.MATCH, actor=police)
    person.village = VillageFactory(commune=commune, name="Thôn Mới")
    person.save()
    assert _state(person) == Verification.STALE


def test_an_edit_to_another_field_keeps_the_check(commune, police):
    person = PersonFactory(commune=commune)
    record_check(person, result=IdentityCheck.Result.MATCH, actor=police)
    person.phone = "0912345678"
    person.address = "Xóm 3"
    person.save()
    assert _state(person) == Verification.VERIFIED


def test_an_import_that_edits_a_checked_field_makes_the_check_stale(
    reference_data, commune, police, tmp_path
):
    from desk.importer.service import create_batch, run_import
    from tests.importer.workbooks import TODAY, data_row, write_workbook

    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_workbook(first, [data_row()])
    write_workbook(second, [data_row(birth_date="12/03/1949")])
    for path in (first,):
        with path.open("rb") as handle:
            run_import(
                create_batch(handle, name=path.name, commune=commune, actor=None),
                actor=None,
                commit=True,
                today=TODAY,
            )
    person = Person.objects.get()
    record_check(person, result=IdentityCheck.Result.MATCH, actor=police)
    assert _state(person) == Verification.VERIFIED
    with second.open("rb") as handle:
        batch = run_import(
            create_batch(handle, name=second.name, commune=commune, actor=None),
            actor=None,
            commit=True,
            today=TODAY,
        )
    assert batch.updated_count == 1, batch.issues
    assert _state(person) == Verification.STALE


def test_the_desk_filters_people_by_state(commune, police):
    never = PersonFactory(commune=commune)
    verified = PersonFactory(commune=commune)
    stale = PersonFactory(commune=commune)
    not_found = PersonFactory(commune=commune)
    record_matches(Person.objects.filter(pk__in=[verified.pk, stale.pk]), actor=police)
    record_check(not_found, result=IdentityCheck.Result.NOT_FOUND, actor=police)
    stale.full_name = "Trần Văn Sửa"
    stale.save()
    people = with_verification(Person.objects.all())

    def of(state):
        return set(people.filter(verification_filter(state)).values_list("pk", flat=True))

    assert of(Verification.NEVER) == {never.pk}
    assert of(Verification.VERIFIED) == {verified.pk}
    assert of(Verification.STALE) == {stale.pk}
    assert of(Verification.NOT_FOUND) == {not_found.pk}
    assert of(Verification.MISMATCH) == set()


def test_the_desk_column_shows_the_same_state_as_the_filter(client, commune, police):
    never = PersonFactory(commune=commune, full_name="Chưa Kiểm")
    verified = PersonFactory(commune=commune, full_name="Đã Khớp")
    stale = PersonFactory(commune=commune, full_name="Đã Sửa")
    dead = PersonFactory(commune=commune, full_name="Đã Mất")
    record_matches(Person.objects.filter(pk__in=[verified.pk, stale.pk]), actor=police)
    record_check(dead, result=IdentityCheck.Result.DEAD, actor=police)
    stale.full_name = "Đã Sửa Lại"
    stale.save()
    police.is_staff = True
    police.save()
    client.force_login(police)

    response = client.get(reverse("admin:beneficiaries_person_changelist"))

    shown = {
        person.pk: response.context["cl"].model_admin.verification(person)
        for person in response.context["cl"].result_list
    }
    assert shown == {
        never.pk: "Chưa kiểm tra",
        verified.pk: "Đã xác thực",
        stale.pk: "Đã sửa sau lần kiểm tra",
        dead.pk: "Đã chết theo CSDL dân cư",
    }
    people = with_verification(Person.objects.all())
    for state in Verification:
        for person in people.filter(verification_filter(state)):
            assert shown[person.pk] == state.label


def test_a_row_written_before_the_digest_existed_is_refreshed_when_checked(commune, police):
    person = PersonFactory(commune=commune)
    Person.objects.filter(pk=person.pk).update(identity_fingerprint="")
    person.refresh_from_db()
    record_check(person, result=IdentityCheck.Result.MATCH, actor=police)
    assert _state(person) == Verification.VERIFIED


def test_police_record_checks_in_the_admin_and_see_no_money(client, police, commune):
    police.is_staff = True
    police.save()
    person = PersonFactory(commune=commune)
    client.force_login(police)
    response = client.post(
        "/admin/beneficiaries/identitycheck/add/",
        {
            "person": str(person.pk),
            "result": "mismatch",
            "differing": ["birth_date"],
            "db_birth": "15/03/1951",
            "note": "Theo CSDL dân cư",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("admin:beneficiaries_identitycheck_changelist")
    check = IdentityCheck.objects.get()
    assert (check.result, check.differing_fields, check.checked_by) == (
        "mismatch",
        ["birth_date"],
        police,
    )
    assert check.population_values == {"birth": "15/03/1951"}
    # A mismatch without the differing fields is refused on the form, not with a crash.
    refused = client.post(
        "/admin/beneficiaries/identitycheck/add/", {"person": str(person.pk), "result": "mismatch"}
    )
    assert refused.status_code == 200
    assert "trường nào khác" in refused.content.decode()
    # The desk: the list with its state, the bulk action, no money anywhere.
    desk = client.get("/admin/beneficiaries/person/?xac_thuc=mismatch")
    assert person.full_name in desk.content.decode()
    action = {"action": "checked_matches", "_selected_action": [str(person.pk)], "index": "0"}
    asked = client.post("/admin/beneficiaries/person/", action)
    assert asked.status_code == 200
    assert _state(person) == Verification.MISMATCH  # asked first, nothing written
    client.post("/admin/beneficiaries/person/", {**action, "post": "yes"})
    assert _state(person) == Verification.VERIFIED
    assert client.get("/admin/accounts/paymentaccount/").status_code == 403
    # Checks are append-only: readable, never changed.
    page = f"/admin/beneficiaries/identitycheck/{check.pk}/change/"
    assert client.get(page).status_code == 200
    assert client.post(page, {"person": str(person.pk), "result": "match"}).status_code == 403
    check.refresh_from_db()
    assert check.result == "mismatch"


def test_another_communes_people_cannot_be_checked(client, police, other_commune):
    police.is_staff = True
    police.save()
    stranger = PersonFactory(commune=other_commune)
    client.force_login(police)
    response = client.post(
        "/admin/beneficiaries/identitycheck/add/", {"person": str(stranger.pk), "result": "match"}
    )
    assert response.status_code == 200
    assert not IdentityCheck.objects.exists()
