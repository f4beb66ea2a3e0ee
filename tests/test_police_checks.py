"""The police's desk in the admin: a check typed on the person's page, never «khớp»
without a CCCD (one by one, in bulk, from a batch file), and the bulk «khớp» that
asks before it writes."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from beneficiaries.models import IdentityCheck, Person, Verification
from beneficiaries.models.checks import verification_of
from beneficiaries.services import MatchesRecorded, RegistryError, record_check, record_matches
from desk.verification import FileExchange
from tests.factories import PersonFactory
from tests.test_registry_views import provinces  # noqa: F401 (fixture: the province codes)
from tests.test_verification_batch import _export, _fill

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("provinces")]

CHANGELIST = "/admin/beneficiaries/person/"


def _state(person: Person) -> str:
    person.refresh_from_db()
    return verification_of(person, person.identity_checks.first())


@pytest.fixture
def desk(client, police):
    police.is_staff = True
    police.save()
    client.force_login(police)
    return client


@pytest.fixture
def hang(commune):
    return PersonFactory(
        commune=commune,
        full_name="Nguyễn Thị Hằng",
        personal_id="038150001234",
        gender=Person.Gender.FEMALE,
    )


@pytest.fixture
def nobody_s_id(commune):
    """An old man whose record has no CCCD yet."""
    return PersonFactory(commune=commune, full_name="Lê Văn Chưa Số", personal_id=None)


def _check_url(person: Person) -> str:
    return reverse("admin:beneficiaries_person_check", args=[person.pk])


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- The service ------------------------------------------------------------------------------


def test_a_person_without_a_cccd_is_never_recorded_as_a_match(police, nobody_s_id):
    with pytest.raises(RegistryError, match="chưa có số CCCD trong hồ sơ không thể ghi «khớp»"):
        record_check(nobody_s_id, result=IdentityCheck.Result.MATCH, actor=police)

    assert not IdentityCheck.objects.exists()
    # Other results stay possible: the police did look them up.
    record_check(nobody_s_id, result=IdentityCheck.Result.NOT_FOUND, actor=police)
    assert _state(nobody_s_id) == Verification.NOT_FOUND


def test_a_card_number_unlike_the_record_s_cannot_be_a_match(police, hang):
    with pytest.raises(RegistryError, match="khác số trong hồ sơ") as refused:
        record_check(hang, result="match", actor=police, card_id="038150009999")

    assert refused.value.field == "card_id"
    check = record_check(hang, result="mismatch", actor=police, card_id="038150009999")
    assert check.differing_fields == ["personal_id"]
    assert check.population_values == {"personal_id": "038150009999"}


def test_the_bulk_match_skips_people_without_a_cccd_and_says_so(police, hang, nobody_s_id):
    done = record_matches(Person.objects.all(), actor=police)

    assert done.recorded == 1
    assert done.without_id == [nobody_s_id]
    assert "Bỏ qua 1 người chưa có số CCCD" in done.message()
    assert "Lê Văn Chưa Số" in done.message()
    assert _state(hang) == Verification.VERIFIED
    assert _state(nobody_s_id) == Verification.NEVER


def test_the_bulk_match_sent_twice_records_once(police, hang):
    record_matches(Person.objects.all(), actor=police)
    again = record_matches(Person.objects.all(), actor=police)

    assert (again.recorded, again.already_verified) == (0, [hang])
    assert IdentityCheck.objects.count() == 1


def test_the_bulk_match_records_again_after_an_edit(police, hang):
    record_matches(Person.objects.all(), actor=police)
    hang.full_name = "Nguyễn Thị Hằng Nga"
    hang.save()

    assert record_matches(Person.objects.all(), actor=police).recorded == 1
    assert _state(hang) == Verification.VERIFIED


def test_a_batch_file_cannot_match_a_person_without_a_cccd(tmp_path, commune, police, nobody_s_id):
    path = _export(tmp_path, commune)
    _fill(path, {"Lê Văn Chưa Số": ["Khớp"]})

    result = FileExchange().import_results(path, commune=commune, actor=police)

    [error] = result.errors
    assert (error.column, error.value) == ("Kết quả", "Khớp")
    assert "chưa có số CCCD" in error.message
    assert not IdentityCheck.objects.exists()


# --- The check form on the person's admin page ------------------------------------------------


def test_the_police_see_the_check_form_on_the_person_s_page(desk, hang):
    response = desk.get(reverse("admin:beneficiaries_person_change", args=[hang.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="police-check"' in html
    assert f'action="{_check_url(hang)}"' in html
    assert 'name="kt-card_id"' in html
    # The person is the page's: no id to type, no pop-up to pick one.
    assert 'name="kt-person"' not in html and "related-lookup" not in html


def test_the_officer_sees_no_check_form(client, officer, hang):
    officer.is_staff = True
    officer.save()
    client.force_login(officer)

    response = client.get(reverse("admin:beneficiaries_person_change", args=[hang.pk]))

    assert 'data-testid="police-check"' not in response.content.decode()
    assert client.post(_check_url(hang), {"kt-result": "match"}).status_code == 403
    assert not IdentityCheck.objects.exists()


def test_the_police_type_the_card_s_number_and_record_a_match(desk, police, hang):
    response = desk.post(
        _check_url(hang),
        {"kt-card_id": "038 150 001 234", "kt-result": "match", "kt-note": "Đối chiếu thẻ"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:beneficiaries_person_change", args=[hang.pk])
    check = IdentityCheck.objects.get()
    assert (check.person, check.result, check.checked_by, check.note, check.source) == (
        hang,
        "match",
        police,
        "Đối chiếu thẻ",
        "manual",
    )
    assert check.population_values == {"personal_id": "038150001234"}
    assert _state(hang) == Verification.VERIFIED
    assert "Đã ghi kết quả kiểm tra «Khớp» cho Nguyễn Thị Hằng." in _messages(response)


def test_the_same_form_sent_twice_records_once(desk, hang):
    form = {"kt-card_id": "038150001234", "kt-result": "match", "kt-seen_last_check": "0"}

    assert desk.post(_check_url(hang), form).status_code == 302
    again = desk.post(_check_url(hang), form)

    assert IdentityCheck.objects.count() == 1
    html = again.content.decode()
    assert "sau khi trang này mở: không ghi thêm" in html
    # Shown again, the form has seen that check: sent once more, on purpose, it records.
    latest = IdentityCheck.objects.get()
    assert f'name="kt-seen_last_check" value="{latest.pk}"' in html
    assert desk.post(_check_url(hang), {**form, "kt-seen_last_check": latest.pk}).status_code == 302
    assert IdentityCheck.objects.count() == 2


def test_a_match_without_the_card_s_number_is_refused(desk, hang):
    response = desk.post(_check_url(hang), {"kt-result": "match"})

    assert response.status_code == 200
    assert response.context["check_form"].errors["card_id"] == [
        "Gõ số CCCD trên thẻ để ghi «khớp»."
    ]
    assert not IdentityCheck.objects.exists()


def test_a_card_number_unlike_the_record_s_is_refused_and_kept_on_the_form(desk, hang):
    response = desk.post(
        _check_url(hang), {"kt-card_id": "038150009999", "kt-result": "match", "kt-note": "xem"}
    )

    assert response.status_code == 200
    [error] = response.context["check_form"].errors["card_id"]
    assert "Số CCCD trên thẻ (038150009999) khác số trong hồ sơ (038150001234)" in error
    html = unescape(response.content.decode())
    assert 'value="038150009999"' in html
    assert not IdentityCheck.objects.exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("03815000123", "Số CCCD phải gồm đúng 12 chữ số (ô này có 11 chữ số)."),
        ("123456789", "Đây là số CMND 9 chữ số"),
        ("097150001234", "Mã tỉnh 097"),
    ],
)
def test_a_malformed_card_number_is_refused_in_vietnamese(desk, hang, typed, message):
    response = desk.post(_check_url(hang), {"kt-card_id": typed, "kt-result": "match"})

    assert response.status_code == 200
    [error] = response.context["check_form"].errors["card_id"]
    assert message in error
    assert not IdentityCheck.objects.exists()


def test_a_different_card_number_is_recorded_as_a_mismatch_on_the_id(desk, hang):
    desk.post(_check_url(hang), {"kt-card_id": "038150009999", "kt-result": "mismatch"})

    check = IdentityCheck.objects.get()
    assert (check.result, check.differing_fields) == ("mismatch", ["personal_id"])
    assert _state(hang) == Verification.MISMATCH


def test_a_person_without_a_cccd_cannot_be_matched_on_their_page(desk, nobody_s_id):
    page = desk.get(reverse("admin:beneficiaries_person_change", args=[nobody_s_id.pk]))
    assert "chưa có số CCCD trong hồ sơ: không thể ghi «khớp»" in page.content.decode()

    response = desk.post(
        _check_url(nobody_s_id), {"kt-card_id": "038150001234", "kt-result": "match"}
    )

    assert response.status_code == 200
    errors = response.context["check_form"].errors
    assert "khác số trong hồ sơ (chưa có)" in str(errors)
    no_card = desk.post(_check_url(nobody_s_id), {"kt-result": "match"})
    assert "chưa có số CCCD trong hồ sơ không thể ghi «khớp»" in str(
        no_card.context["check_form"].errors
    )
    assert not IdentityCheck.objects.exists()


def test_another_commune_s_person_cannot_be_checked(desk, other_commune):
    stranger = PersonFactory(commune=other_commune)

    assert desk.get(_check_url(stranger)).status_code == 404
    assert desk.post(_check_url(stranger), {"kt-result": "not_found"}).status_code == 404
    assert not IdentityCheck.objects.exists()


def test_the_old_check_page_refuses_a_match_without_a_cccd(desk, nobody_s_id):
    response = desk.post(
        "/admin/beneficiaries/identitycheck/add/",
        {"person": str(nobody_s_id.pk), "result": "match"},
    )

    assert response.status_code == 200
    assert "chưa có số CCCD trong hồ sơ" in response.content.decode()
    assert not IdentityCheck.objects.exists()


# --- The bulk «khớp» with its confirmation ---------------------------------------------------


def _action(*people: Person, **extra) -> dict:
    return {
        "action": "checked_matches",
        "_selected_action": [str(p.pk) for p in people],
        "index": "0",
        **extra,
    }


def test_the_bulk_match_first_shows_the_people_and_asks(desk, hang, nobody_s_id):
    response = desk.post(CHANGELIST, _action(hang, nobody_s_id))

    assert response.status_code == 200
    assert not IdentityCheck.objects.exists()
    html = unescape(response.content.decode())
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Đã chọn 2 người." in text
    assert "Sẽ ghi «khớp với CSDL dân cư» cho 1 người." in text
    assert "Bỏ qua 1 người chưa có số CCCD" in text
    assert "Nguyễn Thị Hằng" in text and "Lê Văn Chưa Số" in text
    assert 'name="post" value="yes"' in html
    assert html.count('name="_selected_action"') == 2


def test_confirming_records_the_matches_and_reports_the_skipped(desk, hang, nobody_s_id):
    response = desk.post(CHANGELIST, _action(hang, nobody_s_id, post="yes"))

    assert response.status_code == 302
    assert _state(hang) == Verification.VERIFIED
    assert _state(nobody_s_id) == Verification.NEVER
    [message] = _messages(response)
    assert message.startswith("Đã ghi 1 lần kiểm tra «khớp». Bỏ qua 1 người chưa có số CCCD")


def test_selecting_every_page_is_confirmed_too(desk, commune, hang):
    PersonFactory(commune=commune)
    asked = desk.post(CHANGELIST, _action(hang, select_across="1"))

    assert "Đã chọn 2 người." in re.sub(r"\s+", " ", unescape(asked.content.decode()))
    desk.post(CHANGELIST, _action(hang, select_across="1", post="yes"))
    assert IdentityCheck.objects.count() == 2


def test_counts_are_written_with_a_thousands_separator(commune):
    people = PersonFactory.create_batch(12, commune=commune, personal_id=None)
    done = MatchesRecorded(recorded=1800, without_id=people)

    assert done.message().startswith(
        "Đã ghi 1.800 lần kiểm tra «khớp». Bỏ qua 12 người chưa có số CCCD"
    )
    assert done.message().endswith(" và 2 người khác.")


def test_the_add_check_page_finds_the_person_by_a_typed_name_or_cccd(desk, hang, other_commune):
    stranger = PersonFactory(commune=other_commune, full_name="Nguyễn Thị Hằng Khác")
    add = desk.get(reverse("admin:beneficiaries_identitycheck_add")).content.decode()
    assert "admin-autocomplete" in add and "related-lookup" not in add

    def found(term: str) -> set[int]:
        answer = desk.get(
            reverse("admin:autocomplete"),
            {
                "term": term,
                "app_label": "beneficiaries",
                "model_name": "identitycheck",
                "field_name": "person",
            },
        ).json()
        return {int(r["id"]) for r in answer["results"]}

    assert found("Hằng") == {hang.pk}  # not the other commune's namesake
    assert found(hang.personal_id) == {hang.pk}
    assert stranger.pk not in found("Khác")
