"""The person page as the officer's desk: a new guardian typed inline with the
representative, a representative's and an account's corrections."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from accounts.models import PaymentAccount
from beneficiaries.models import Person, Representative
from beneficiaries.services import RegistryError, add_representative
from tests.factories import (
    BankFactory,
    PaymentAccountFactory,
    PersonFactory,
    RepresentativeFactory,
    VillageFactory,
)
from tests.test_registry_views import provinces  # noqa: F401 (fixture: the province codes)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("provinces")]

GUARDIAN_ID = "038180005678"


@pytest.fixture
def east(commune):
    return VillageFactory(commune=commune, name="Thôn Đông")


@pytest.fixture
def child(commune, east):
    return PersonFactory(
        commune=commune,
        village=east,
        full_name="Lê Văn Bé",
        birth_date=datetime.date(2015, 4, 2),
        birth_year=2015,
        personal_id=None,
    )


@pytest.fixture
def logged_in(client, officer):
    client.force_login(officer)
    return client


def _link(**changes) -> dict[str, str]:
    data = {
        "person": "",
        "kind": Representative.Kind.GUARDIAN,
        "relationship": "Mẹ",
        "document": "Quyết định giám hộ 05/QĐ-UBND",
        "valid_from": "01/12/2026",
        "valid_until": "",
        "moi-full_name": "",
        "moi-personal_id": "",
        "moi-birth_date": "",
        "moi-gender": "",
        "moi-phone": "",
        "moi-village": "",
    }
    data.update(changes)
    return data


def _new_guardian(**changes) -> dict[str, str]:
    data = {
        "moi-full_name": "Trần  Thị   Mẹ",
        "moi-personal_id": "038 180 005 678",
        "moi-birth_date": "12/05/1980",
        "moi-gender": Person.Gender.FEMALE,
        "moi-phone": "0912 345 678",
    }
    data.update(changes)
    return _link(**data)


# --- The service ------------------------------------------------------------------------------


def test_a_new_guardian_is_created_with_the_link(officer, child):
    guardian = Person(
        full_name="Trần Thị Mẹ",
        personal_id=GUARDIAN_ID,
        birth_date=datetime.date(1980, 5, 12),
        gender=Person.Gender.FEMALE,
    )
    link = Representative(
        represented=child,
        kind=Representative.Kind.GUARDIAN,
        valid_from=datetime.date(2026, 12, 1),
    )

    saved = add_representative(link, new_person=guardian, actor=officer)

    assert saved.person.pk is not None
    assert saved.person.commune == child.commune
    assert saved.person.history.get().history_user == officer
    assert saved.history.get().history_user == officer


def test_a_refused_link_leaves_no_new_person_behind(officer, child):
    guardian = Person(
        full_name="Trần Thị Mẹ",
        personal_id=GUARDIAN_ID,
        birth_date=datetime.date(1980, 5, 12),
        gender=Person.Gender.FEMALE,
    )
    link = Representative(
        represented=child,
        kind=Representative.Kind.GUARDIAN,
        valid_from=datetime.date(2026, 12, 1),
        valid_until=datetime.date(2026, 11, 1),
    )

    with pytest.raises(RegistryError, match="Ngày hết hiệu lực phải sau ngày bắt đầu"):
        add_representative(link, new_person=guardian, actor=officer)

    assert not Person.objects.filter(personal_id=GUARDIAN_ID).exists()
    assert not Representative.objects.exists()


def test_a_new_representative_needs_a_cccd(officer, child):
    guardian = Person(full_name="Trần Thị Mẹ", birth_date=datetime.date(1980, 5, 12), gender="F")
    link = Representative(represented=child, kind="guardian", valid_from=datetime.date(2026, 12, 1))

    with pytest.raises(RegistryError, match="cần có số CCCD") as refused:
        add_representative(link, new_person=guardian, actor=officer)

    assert refused.value.field == "personal_id"
    assert Person.objects.count() == 1


def test_the_same_link_twice_is_refused_in_vietnamese(officer, child, commune):
    existing = RepresentativeFactory(represented=child, valid_from=datetime.date(2026, 12, 1))
    again = Representative(
        represented=child,
        person=existing.person,
        kind="proxy",
        valid_from=datetime.date(2026, 12, 1),
    )

    with pytest.raises(
        RegistryError, match="đã là người nhận thay của người này từ ngày 01/12/2026"
    ):
        add_representative(again, actor=officer)

    assert Representative.objects.count() == 1


# --- The representative form ------------------------------------------------------------------


def test_the_officer_adds_a_guardian_not_yet_in_the_registry(logged_in, officer, child, east):
    response = logged_in.post(
        reverse("representative_create", args=[child.pk]), _new_guardian(**{"moi-village": east.pk})
    )

    assert response.status_code == 302, response.context["form"].errors
    guardian = Person.objects.get(personal_id=GUARDIAN_ID)
    assert (guardian.full_name, guardian.phone, guardian.birth_date, guardian.village) == (
        "Trần Thị Mẹ",
        "0912345678",
        datetime.date(1980, 5, 12),
        east,
    )
    assert guardian.commune == child.commune
    link = Representative.objects.get()
    assert (link.represented, link.person, link.kind, link.relationship) == (
        child,
        guardian,
        Representative.Kind.GUARDIAN,
        "Mẹ",
    )
    page = logged_in.get(reverse("person_detail", args=[child.pk])).content.decode()
    assert "Trần Thị Mẹ" in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("03818000567", "Số CCCD phải gồm đúng 12 chữ số (ô này có 11 chữ số)."),
        ("097180005678", "Mã tỉnh 097 ở 3 chữ số đầu số CCCD không có trong danh mục tỉnh"),
        ("", "Nhập số CCCD của người nhận thay: họ nhận tiền theo số này."),
    ],
)
def test_a_bad_cccd_of_a_new_guardian_is_refused_and_the_form_keeps_what_was_typed(
    logged_in, child, typed, message
):
    response = logged_in.post(
        reverse("representative_create", args=[child.pk]),
        _new_guardian(**{"moi-personal_id": typed}),
    )

    assert response.status_code == 200
    errors = response.context["new_person_form"].errors["personal_id"]
    assert any(message in str(error) for error in errors), errors
    html = response.content.decode()
    assert 'value="Trần  Thị   Mẹ"' in html or 'value="Trần Thị Mẹ"' in html
    assert 'value="Quyết định giám hộ 05/QĐ-UBND"' in html
    assert Person.objects.count() == 1
    assert not Representative.objects.exists()


def test_a_new_guardian_with_a_cccd_already_in_the_registry_is_refused_without_naming_them(
    logged_in, child, other_commune
):
    PersonFactory(commune=other_commune, full_name="Đỗ Thị Khác", personal_id=GUARDIAN_ID)

    response = logged_in.post(reverse("representative_create", args=[child.pk]), _new_guardian())

    assert response.status_code == 200
    errors = [str(e) for e in response.context["new_person_form"].errors["personal_id"]]
    assert any("đã được dùng cho một người khác" in e for e in errors), errors
    assert "Đỗ Thị Khác" not in response.content.decode()
    assert Person.objects.count() == 2
    assert not Representative.objects.exists()


def test_either_someone_in_the_registry_or_someone_new(logged_in, child, commune):
    known = PersonFactory(commune=commune, full_name="Lê Thị Cô")
    url = reverse("representative_create", args=[child.pk])

    both = logged_in.post(url, _new_guardian(person=known.personal_id))
    neither = logged_in.post(url, _link())

    assert "Chọn một" in str(both.context["form"].errors["person"])
    assert "hoặc điền phần «Người nhận thay chưa có trong sổ»" in str(
        neither.context["form"].errors["person"]
    )
    assert not Representative.objects.exists()
    assert Person.objects.count() == 2


def test_a_guardian_already_in_the_registry_is_still_typed_as_a_cccd(logged_in, child, commune):
    aunt = PersonFactory(commune=commune, full_name="Lê Thị Cô")

    response = logged_in.post(
        reverse("representative_create", args=[child.pk]), _link(person=aunt.personal_id)
    )

    assert response.status_code == 302
    assert Representative.objects.get().person == aunt
    assert Person.objects.count() == 2


def test_a_cccd_typed_as_someone_in_the_registry_who_is_not_points_to_the_inline_part(
    logged_in, child
):
    response = logged_in.post(
        reverse("representative_create", args=[child.pk]), _link(person=GUARDIAN_ID)
    )

    assert "Người nhận thay chưa có trong sổ" in str(response.context["form"].errors["person"])


# --- A representative's correction ------------------------------------------------------------


def test_the_officer_corrects_an_authorisation_s_dates(logged_in, officer, child):
    link = RepresentativeFactory(
        represented=child, kind="proxy", valid_from=datetime.date(2026, 1, 1)
    )

    response = logged_in.post(
        reverse("representative_edit", args=[link.pk]),
        {
            "kind": "guardian",
            "relationship": "Bà ngoại",
            "document": "Giấy ủy quyền 7/2026",
            "valid_from": "15/01/2026",
            "valid_until": "31/12/2027",
        },
    )

    assert response.status_code == 302
    link.refresh_from_db()
    assert (link.kind, link.relationship, link.valid_from, link.valid_until) == (
        "guardian",
        "Bà ngoại",
        datetime.date(2026, 1, 15),
        datetime.date(2027, 12, 31),
    )
    assert link.history.latest().history_user == officer
    page = logged_in.get(reverse("representative_edit", args=[link.pk])).content.decode()
    assert "hiệu lực đến:" in page.lower() and "31/12/2027" in page


def test_an_authorisation_that_ends_before_it_starts_is_refused(logged_in, child):
    link = RepresentativeFactory(represented=child, valid_from=datetime.date(2026, 1, 1))

    response = logged_in.post(
        reverse("representative_edit", args=[link.pk]),
        {"kind": "proxy", "valid_from": "01/01/2026", "valid_until": "01/12/2025"},
    )

    assert response.context["form"].errors["valid_until"] == [
        "Ngày hết hiệu lực phải sau ngày bắt đầu."
    ]
    link.refresh_from_db()
    assert link.valid_until is None


def test_another_commune_s_representative_cannot_be_opened_and_the_police_may_not_edit(
    client, officer, police, other_commune, child
):
    theirs = RepresentativeFactory(represented=PersonFactory(commune=other_commune))
    ours = RepresentativeFactory(represented=child)
    client.force_login(officer)
    assert client.get(reverse("representative_edit", args=[theirs.pk])).status_code == 404
    client.force_login(police)
    assert client.get(reverse("representative_edit", args=[ours.pk])).status_code == 403


# --- An account's correction ------------------------------------------------------------------


def _account_data(account: PaymentAccount, **changes) -> dict[str, str]:
    data = {
        "bank": str(account.bank_id),
        "number": account.number,
        "holder_name": account.holder_name,
        "opened_on": "10/07/2023",
        "active": "on",
    }
    data.update(changes)
    return data


def test_the_officer_corrects_the_holder_name_as_the_bank_prints_it(logged_in, officer, child):
    holder = PersonFactory(commune=child.commune, full_name="Nguyễn Thị Hằng")
    account = PaymentAccountFactory(holder=holder, holder_name="NGUYEN THI HANF")

    response = logged_in.post(
        reverse("account_edit", args=[account.pk]),
        _account_data(account, holder_name="Nguyễn Thị Hằng"),
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("person_detail", args=[holder.pk])
    account.refresh_from_db()
    assert account.holder_name == "NGUYEN THI HANG"
    assert account.history.latest().history_user == officer
    page = logged_in.get(reverse("account_edit", args=[account.pk])).content.decode()
    assert "NGUYEN THI HANF → NGUYEN THI HANG" in page


def test_a_holder_name_unlike_the_person_s_is_saved_with_a_warning(logged_in, child):
    account = PaymentAccountFactory(holder=child)

    response = logged_in.post(
        reverse("account_edit", args=[account.pk]),
        _account_data(account, holder_name="LE VAN BEE"),
        follow=True,
    )

    account.refresh_from_db()
    assert account.holder_name == "LE VAN BEE"
    assert "khác họ tên của người này" in response.content.decode()


def test_an_account_number_another_holder_has_is_refused_and_the_form_keeps_it(
    logged_in, child, commune
):
    bank = BankFactory()
    PaymentAccountFactory(holder=PersonFactory(commune=commune), bank=bank, number="3500205999999")
    account = PaymentAccountFactory(holder=child, bank=bank, number="3500205111111")

    response = logged_in.post(
        reverse("account_edit", args=[account.pk]),
        _account_data(account, number="3500 205 999 999"),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["number"]
    assert "Tài khoản 3500205999999 tại Agribank đã được đăng ký cho một người khác." in errors
    assert 'value="3500 205 999 999"' in response.content.decode() or (
        'value="3500205999999"' in response.content.decode()
    )
    account.refresh_from_db()
    assert account.number == "3500205111111"


def test_an_account_is_deactivated_and_kept(logged_in, child):
    account = PaymentAccountFactory(holder=child)
    data = _account_data(account)
    del data["active"]

    logged_in.post(reverse("account_edit", args=[account.pk]), data)

    account.refresh_from_db()
    assert account.active is False
    page = logged_in.get(reverse("account_edit", args=[account.pk])).content.decode()
    assert "đang dùng: Có → Không" in page


def test_another_commune_s_account_cannot_be_opened_and_read_only_roles_may_not_edit(
    client, officer, accountant, other_commune, child
):
    theirs = PaymentAccountFactory(holder=PersonFactory(commune=other_commune))
    ours = PaymentAccountFactory(holder=child)
    client.force_login(officer)
    assert client.get(reverse("account_edit", args=[theirs.pk])).status_code == 404
    client.force_login(accountant)
    assert client.get(reverse("account_edit", args=[ours.pk])).status_code == 403
    assert (
        client.post(reverse("account_edit", args=[ours.pk]), _account_data(ours)).status_code == 403
    )


def test_the_person_page_links_each_account_and_representative_to_its_correction(logged_in, child):
    account = PaymentAccountFactory(holder=child)
    link = RepresentativeFactory(represented=child)

    html = logged_in.get(reverse("person_detail", args=[child.pk])).content.decode()

    assert reverse("account_edit", args=[account.pk]) in html
    assert reverse("representative_edit", args=[link.pk]) in html
