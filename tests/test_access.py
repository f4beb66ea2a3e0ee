"""Who reaches which officer page: every URL for every role, another commune and anonymous.

The fixed trio of the conventions is in every row of the table below: the user
who may act, users of the same commune in other roles, and users of another
commune (who must get 404, as if the object did not exist). Anonymous visitors
are sent to the login page.
"""

from __future__ import annotations

import io
import re
from types import SimpleNamespace

import openpyxl
import pytest
from django.urls import reverse

from beneficiaries.models import Beneficiary, Person, Representative
from core import roles
from registration.models import PaymentMethodRegistration
from tests.factories import (
    BeneficiaryFactory,
    EntitlementFactory,
    PaymentAccountFactory,
    PersonFactory,
    RegistrationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

AMOUNT = 2_055_000
AMOUNT_SHOWN = "2.055.000"
ACCOUNT_NUMBER = "3500205987654"
OTHER_ACCOUNT_NUMBER = "3500205123450"


def _enrolled(commune, *, name: str, personal_id: str, account_number: str):
    """A person enrolled in NCC, with an amount and paid into their own account."""
    person = PersonFactory(commune=commune, full_name=name, personal_id=personal_id)
    beneficiary = BeneficiaryFactory(person=person)
    EntitlementFactory(beneficiary=beneficiary, amount=AMOUNT)
    account = PaymentAccountFactory(holder=person, number=account_number)
    RegistrationFactory(
        beneficiary=beneficiary,
        method=PaymentMethodRegistration.Method.ACCOUNT,
        account=account,
    )
    return person, beneficiary


@pytest.fixture
def registry(commune, other_commune):
    person, beneficiary = _enrolled(
        commune, name="Nguyễn Thị Hằng", personal_id="038150001234", account_number=ACCOUNT_NUMBER
    )
    other_person, other_beneficiary = _enrolled(
        other_commune,
        name="Trần Văn Khác",
        personal_id="038050009876",
        account_number=OTHER_ACCOUNT_NUMBER,
    )
    return SimpleNamespace(
        person=person,
        beneficiary=beneficiary,
        other_person=other_person,
        other_beneficiary=other_beneficiary,
    )


OTHER_COMMUNE_ROLES = {
    "other_officer": roles.LABOUR_OFFICER,
    "other_police": roles.POLICE,
    "other_accountant": roles.ACCOUNTANT,
    "other_leader": roles.LEADER,
    "other_post_office": roles.POST_OFFICE,
    "other_district": roles.DISTRICT,
}
SAME_COMMUNE = ["officer", "police", "accountant", "leader", "post_office", "district"]
USERS = SAME_COMMUNE + list(OTHER_COMMUNE_ROLES) + ["anonymous"]


@pytest.fixture
def login_as(client, request, other_commune):
    """Log the client in as one of USERS; "anonymous" stays logged out."""

    def login(key: str):
        if key == "anonymous":
            return None
        if key in OTHER_COMMUNE_ROLES and key != "other_officer":
            user = UserFactory(
                username=key, role=OTHER_COMMUNE_ROLES[key], communes=[other_commune]
            )
        else:
            user = request.getfixturevalue(key)
        client.force_login(user)
        return user

    return login


def _url(name: str, registry) -> str:
    args = {
        "home": [],
        "person_list": [],
        "person_create": [],
        "person_detail": [registry.person.pk],
        "person_edit": [registry.person.pk],
        "beneficiary_create": [registry.person.pk],
        "beneficiary_edit": [registry.beneficiary.pk],
        "representative_create": [registry.person.pk],
        "account_create": [registry.person.pk],
        "import_upload": [],
        "registry_export": [],
    }[name]
    return reverse(name, args=args)


def _expect(default: int, **overrides: int) -> dict[str, int]:
    table = dict.fromkeys(USERS, default)
    table["anonymous"] = 302
    table.update(overrides)
    return table


# Another commune's registry roles see their own (empty) list, not ours; the
# post office has no registry pages at all. For an object of another commune a
# role without registry pages is refused on its role before the lookup (403),
# except on an enrolment, which is looked up first (404): neither leaks it.
EXPECTED: dict[str, dict[str, int]] = {
    "home": _expect(200),
    "person_list": _expect(200, post_office=403, other_post_office=403),
    "person_create": _expect(403, officer=200, other_officer=200),
    "person_detail": _expect(
        200,
        post_office=403,
        other_post_office=403,
        other_officer=404,
        other_police=404,
        other_accountant=404,
        other_leader=404,
        other_district=404,
    ),
    **{
        name: _expect(
            403,
            officer=200,
            other_officer=404,
            other_police=404,
            other_accountant=404,
            other_leader=404,
            other_district=404,
        )
        for name in ("person_edit", "beneficiary_create", "representative_create", "account_create")
    },
    "import_upload": _expect(403, officer=200, other_officer=200),
    # Each user downloads the list of their own commune; the roles without money cannot.
    "registry_export": _expect(
        200, police=403, post_office=403, other_police=403, other_post_office=403
    ),
    "beneficiary_edit": _expect(
        404,
        officer=200,
        police=403,
        accountant=403,
        leader=403,
        post_office=403,
        district=403,
    ),
}

CASES = [(name, user) for name in EXPECTED for user in USERS]


@pytest.mark.parametrize(("url_name", "user"), CASES, ids=[f"{n}-{u}" for n, u in CASES])
def test_each_page_answers_each_user_with_the_expected_status(
    client, login_as, registry, url_name, user
):
    login_as(user)
    url = _url(url_name, registry)

    response = client.get(url)

    assert response.status_code == EXPECTED[url_name][user]
    if response.status_code == 302:
        assert response["Location"] == f"{reverse('login')}?next={url}"


def test_the_export_never_holds_another_communes_people(client, officer, registry, other_commune):
    client.force_login(officer)

    # Asking for another commune's list by its id: it does not exist for this user.
    assert client.get(reverse("registry_export"), {"xa": other_commune.pk}).status_code == 404
    assert client.get(reverse("registry_export"), {"xa": "abc"}).status_code == 404
    response = client.get(reverse("registry_export"))

    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = {str(c.value) for ws in workbook for row in ws.iter_rows() for c in row if c.value}
    assert "Nguyễn Thị Hằng" in cells
    assert not any("Trần Văn Khác" in value for value in cells)


def test_a_superuser_reaches_every_commune(client, registry):
    client.force_login(UserFactory(username="admin", is_superuser=True, is_staff=True))

    for name in ("person_detail", "person_edit", "beneficiary_edit", "representative_create"):
        assert client.get(_url(name, registry)).status_code == 200
    other = reverse("person_detail", args=[registry.other_person.pk])
    assert client.get(other).status_code == 200


def test_a_district_user_of_two_communes_sees_both(client, registry, commune, other_commune):
    user = UserFactory(username="so_noi_vu", role=roles.DISTRICT, communes=[commune, other_commune])
    client.force_login(user)

    response = client.get(reverse("person_list"))

    assert sorted(b.person.full_name for b in response.context["page"]) == [
        "Nguyễn Thị Hằng",
        "Trần Văn Khác",
    ]
    other = reverse("person_detail", args=[registry.other_person.pk])
    assert client.get(other).status_code == 200
    assert client.get(reverse("person_edit", args=[registry.other_person.pk])).status_code == 403


def test_a_user_without_a_commune_sees_nobody(client, registry):
    client.force_login(UserFactory(username="chua_gan_xa", role=roles.LABOUR_OFFICER))

    response = client.get(reverse("person_list"))

    assert list(response.context["page"]) == []
    assert client.get(_url("person_detail", registry)).status_code == 404
    assert "Chưa được gán xã nào" in client.get(reverse("home")).content.decode()


def test_a_person_that_does_not_exist_answers_404(client, officer, registry):
    client.force_login(officer)

    assert client.get(reverse("person_detail", args=[999_999])).status_code == 404
    assert client.get(reverse("beneficiary_edit", args=[999_999])).status_code == 404


EDIT_REFUSALS = [
    ("police", 403),
    ("accountant", 403),
    ("leader", 403),
    ("post_office", 403),
    ("district", 403),
    ("other_officer", 404),
]


def _person_post(person: Person) -> dict[str, str]:
    return {
        "full_name": "Tên Đã Bị Sửa",
        "birth_date": "15/03/1950",
        "gender": "F",
        "personal_id": person.personal_id,
        "commune": str(person.commune_id),
        "village": str(person.village_id),
    }


@pytest.mark.parametrize(("user", "status"), EDIT_REFUSALS)
def test_a_user_who_may_not_edit_cannot_change_a_person_by_post(
    client, login_as, registry, user, status
):
    login_as(user)

    response = client.post(_url("person_edit", registry), _person_post(registry.person))

    assert response.status_code == status
    registry.person.refresh_from_db()
    assert registry.person.full_name == "Nguyễn Thị Hằng"


@pytest.mark.parametrize(("user", "status"), EDIT_REFUSALS)
def test_a_user_who_may_not_edit_cannot_end_an_enrolment_by_post(
    client, login_as, registry, user, status
):
    login_as(user)
    data = {
        "programme": str(registry.beneficiary.programme_id),
        "category": str(registry.beneficiary.category_id),
        "start_month": "01/07/2023",
        "end_month": "01/01/2024",
        "end_reason": Beneficiary.EndReason.OTHER,
        "status": Beneficiary.Status.ENDED,
    }

    response = client.post(_url("beneficiary_edit", registry), data)

    assert response.status_code == status
    registry.beneficiary.refresh_from_db()
    assert registry.beneficiary.status == Beneficiary.Status.ACTIVE


@pytest.mark.parametrize(("user", "status"), EDIT_REFUSALS)
def test_a_user_who_may_not_edit_cannot_add_an_enrolment_or_a_representative(
    client, login_as, registry, user, status
):
    login_as(user)
    helper = PersonFactory(commune=registry.person.commune, full_name="Lê Văn Giúp")
    enrolments = Beneficiary.objects.count()

    enrol = client.post(
        _url("beneficiary_create", registry),
        {
            "programme": str(registry.beneficiary.programme_id),
            "category": str(registry.beneficiary.category_id),
            "start_month": "01/07/2023",
            "status": Beneficiary.Status.ACTIVE,
        },
    )
    represent = client.post(
        _url("representative_create", registry),
        {"person": str(helper.pk), "kind": "proxy", "valid_from": "01/07/2023"},
    )

    assert (enrol.status_code, represent.status_code) == (status, status)
    assert Beneficiary.objects.count() == enrolments
    assert not Representative.objects.exists()


def test_a_role_without_the_registry_cannot_create_a_person_by_post(client, police, commune):
    client.force_login(police)

    response = client.post(
        reverse("person_create"),
        {
            "full_name": "Người Không Được Thêm",
            "birth_year": "1950",
            "gender": "M",
            "commune": str(commune.pk),
        },
    )

    assert response.status_code == 403
    assert not Person.objects.exists()


def test_an_officer_cannot_create_a_person_in_another_commune(
    client, officer, commune, other_commune
):
    client.force_login(officer)

    response = client.post(
        reverse("person_create"),
        {
            "full_name": "Người Xã Khác",
            "birth_year": "1950",
            "gender": "M",
            "commune": str(other_commune.pk),
        },
    )

    # A one-commune officer's commune is set by the form, whatever is posted.
    assert response.status_code == 302
    assert not Person.objects.filter(commune=other_commune).exists()
    assert Person.objects.get().commune == commune


def _names_listed(response) -> list[str]:
    return [b.person.full_name for b in response.context["page"]]


@pytest.mark.parametrize("user", ["officer", "police", "accountant", "leader", "district"])
def test_the_registry_list_shows_only_the_users_commune(client, login_as, registry, user):
    login_as(user)

    response = client.get(reverse("person_list"))

    assert _names_listed(response) == ["Nguyễn Thị Hằng"]
    assert "Trần Văn Khác" not in response.content.decode()


@pytest.mark.parametrize(
    "q", ["Trần Văn Khác", "tran van khac", "038050009876", "0380500", OTHER_ACCOUNT_NUMBER]
)
def test_searching_the_registry_never_finds_another_communes_person(client, officer, registry, q):
    client.force_login(officer)

    response = client.post(reverse("person_list"), {"q": q}, follow=True)

    assert response.status_code == 200
    assert _names_listed(response) == []
    other_link = reverse("person_detail", args=[registry.other_person.pk])
    assert other_link not in response.content.decode()


def test_another_communes_village_cannot_be_used_as_a_filter(
    client, officer, registry, other_commune
):
    client.force_login(officer)

    response = client.get(reverse("person_list"), {"village": registry.other_person.village_id})

    assert "Trần Văn Khác" not in response.content.decode()
    assert registry.other_person.village.name not in response.content.decode()


def test_a_representative_cannot_be_chosen_from_another_commune(client, officer, registry):
    client.force_login(officer)

    response = client.post(
        _url("representative_create", registry),
        {"person": str(registry.other_person.pk), "kind": "proxy", "valid_from": "01/07/2023"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["person"]
    assert not Representative.objects.exists()
    assert "Trần Văn Khác" not in response.content.decode()


def _pages_of_a_person(client, registry) -> dict[str, str]:
    pages = {}
    for name in ("home", "person_list", "person_detail"):
        response = client.get(_url(name, registry))
        if response.status_code == 200:
            pages[name] = response.content.decode()
    return pages


@pytest.mark.parametrize("user", ["officer", "accountant", "leader", "district"])
def test_roles_that_may_see_money_see_amounts_and_accounts(client, login_as, registry, user):
    login_as(user)

    pages = _pages_of_a_person(client, registry)

    for name in ("person_list", "person_detail"):
        assert AMOUNT_SHOWN in pages[name], name
        assert ACCOUNT_NUMBER in pages[name], name
        assert "Mức hằng tháng" in pages[name], name


@pytest.mark.parametrize("user", ["police", "post_office"])
def test_police_and_post_office_never_see_amounts_or_account_numbers(
    client, login_as, registry, user
):
    login_as(user)

    pages = _pages_of_a_person(client, registry)

    assert "home" in pages
    for name, html in pages.items():
        assert AMOUNT_SHOWN not in html, name
        assert ACCOUNT_NUMBER not in html, name
        assert "Mức hằng tháng" not in html, name
        assert "Tài khoản thanh toán" not in html, name


def test_police_see_the_person_and_the_method_but_no_money_on_the_list(client, police, registry):
    client.force_login(police)

    html = client.get(reverse("person_list")).content.decode()

    assert "Nguyễn Thị Hằng" in html
    assert "Qua tài khoản" in html
    assert AMOUNT_SHOWN not in html
    assert ACCOUNT_NUMBER not in html


def _nav_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="nav"[^>]*>(.*?)</nav>', html, re.S)
    return re.findall(r'<a href="([^"]+)"', nav.group(1)) if nav else []


HOME, LIST, CREATE, ADMIN = "/", "/doi-tuong/", "/nguoi/them/", "/admin/"
EDITOR_ONLY = [CREATE, "/nhap-danh-sach/"]


@pytest.mark.parametrize(
    ("user", "shown", "hidden"),
    [
        ("officer", [HOME, LIST, CREATE], [ADMIN]),
        ("police", [HOME, LIST], EDITOR_ONLY + [ADMIN]),
        ("accountant", [HOME, LIST], EDITOR_ONLY + [ADMIN]),
        ("leader", [HOME, LIST], EDITOR_ONLY + [ADMIN]),
        ("post_office", [HOME], [LIST, *EDITOR_ONLY, ADMIN]),
        ("district", [HOME, LIST], EDITOR_ONLY + [ADMIN]),
        ("other_officer", [HOME, LIST, CREATE], [ADMIN]),
    ],
)
def test_the_navigation_shows_each_role_only_its_links(client, login_as, user, shown, hidden):
    login_as(user)

    links = _nav_links(client.get(reverse("home")).content.decode())

    assert links[: len(shown)] == shown
    assert not set(links) & set(hidden)
    # Whatever else the menu offers, the role may open it.
    for link in links:
        assert client.get(link).status_code == 200, link


def test_staff_also_see_the_admin_link(client, police):
    police.is_staff = True
    police.save()
    client.force_login(police)

    links = _nav_links(client.get(reverse("home")).content.decode())

    assert links == [HOME, LIST, "/chat-luong-du-lieu/", ADMIN]


def test_the_navigation_names_the_users_role_and_commune(client, police):
    client.force_login(police)

    html = client.get(reverse("home")).content.decode()

    assert "Công an xã" in html
    assert "Yến Sơn" in html
    assert "Hà Trung" not in html


def test_anonymous_visitors_see_no_navigation(client):
    html = client.get(reverse("login")).content.decode()

    assert _nav_links(html) == []


def test_home_counts_only_the_users_commune(client, officer, registry):
    client.force_login(officer)

    response = client.get(reverse("home"))

    assert response.context["counts"]["active"] == 1
    assert response.context["people_count"] == 1
