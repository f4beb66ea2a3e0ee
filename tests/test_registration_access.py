"""Who reaches the registration, account-opening and outreach pages.

The fixed trio for every URL: the officer who may act, same-commune users of
the other roles (403, or no link), and users of another commune (404 for our
objects). Anonymous visitors are sent to the login page.
"""

from __future__ import annotations

import datetime
import io
from types import SimpleNamespace

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core import roles
from registration.models import AccountOpeningRequest, OutreachActivity
from registration.services import refer_to_bank, request_account_opening
from tests.factories import (
    BankFactory,
    BeneficiaryFactory,
    OutreachActivityFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

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


@pytest.fixture
def objects(commune):
    person = PersonFactory(commune=commune, full_name="Nguyễn Thị Hằng")
    beneficiary = BeneficiaryFactory(person=person)
    bank = BankFactory()
    asked = datetime.date(2023, 7, 5)
    requested = request_account_opening(person, requested_on=asked, actor=None)
    second = PersonFactory(commune=commune, full_name="Lê Văn Chờ")
    referred = refer_to_bank(
        request_account_opening(second, requested_on=asked, actor=None),
        bank=bank,
        referred_on=datetime.date(2023, 7, 10),
        actor=None,
    )
    activity = OutreachActivityFactory(commune=commune)
    return SimpleNamespace(
        person=person,
        beneficiary=beneficiary,
        bank=bank,
        requested=requested,
        referred=referred,
        activity=activity,
    )


def _url(name: str, o) -> str:
    args = {
        "register_method": [o.beneficiary.pk],
        "account_request_create": [o.person.pk],
        "account_pipeline": [],
        "account_request_refer": [o.requested.pk],
        "account_request_opened": [o.referred.pk],
        "account_request_abandon": [o.requested.pk],
        "account_referral_letter": [o.bank.pk],
        "outreach_list": [],
        "outreach_create": [],
        "outreach_edit": [o.activity.pk],
    }[name]
    return reverse(name, args=args)


def _expect(default: int, **overrides: int) -> dict[str, int]:
    table = dict.fromkeys(USERS, default)
    table["anonymous"] = 302
    table.update(overrides)
    return table


# Actions on one object refuse a role first (403), then look the object up in
# the officer's communes (404): neither tells another commune it exists.
_OFFICER_ON_OBJECT = _expect(403, officer=200, other_officer=404)
# Read pages of money: each commune's own rows; the police and the post office never.
_MONEY_READ = _expect(200, police=403, post_office=403, other_police=403, other_post_office=403)

EXPECTED: dict[str, dict[str, int]] = {
    "register_method": _OFFICER_ON_OBJECT,
    # Looked up as a person first (the registry roles of another commune: 404).
    "account_request_create": _expect(
        403,
        officer=200,
        other_officer=404,
        other_police=404,
        other_accountant=404,
        other_leader=404,
        other_district=404,
    ),
    "account_pipeline": _MONEY_READ,
    "account_request_refer": _OFFICER_ON_OBJECT,
    "account_request_opened": _OFFICER_ON_OBJECT,
    "account_request_abandon": _OFFICER_ON_OBJECT,
    "account_referral_letter": _MONEY_READ,
    "outreach_list": _MONEY_READ,
    "outreach_create": _expect(403, officer=200, other_officer=200),
    "outreach_edit": _OFFICER_ON_OBJECT,
}

CASES = [(name, user) for name in EXPECTED for user in USERS]


@pytest.mark.parametrize(("url_name", "user"), CASES, ids=[f"{n}-{u}" for n, u in CASES])
def test_each_registration_page_answers_each_user_with_the_expected_status(
    client, login_as, objects, url_name, user
):
    login_as(user)
    url = _url(url_name, objects)

    response = client.get(url)

    assert response.status_code == EXPECTED[url_name][user]
    if response.status_code == 302:
        assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("user", ["other_accountant", "other_leader", "other_district"])
def test_another_communes_pipeline_and_print_list_hold_none_of_our_people(
    client, login_as, objects, user
):
    login_as(user)

    pipeline = client.get(reverse("account_pipeline"), {"state": ""}).content.decode()
    letter = client.get(_url("account_referral_letter", objects))
    ws = load_workbook(io.BytesIO(letter.getvalue()))["Công văn"]
    printed = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)

    assert "Nguyễn Thị Hằng" not in pipeline and "Lê Văn Chờ" not in printed


REFUSALS = [
    ("police", 403),
    ("accountant", 403),
    ("leader", 403),
    ("post_office", 403),
    ("district", 403),
    ("other_officer", 404),
]


@pytest.mark.parametrize(("user", "status"), REFUSALS)
def test_a_user_who_may_not_act_cannot_move_a_request_by_post(
    client, login_as, objects, user, status
):
    login_as(user)

    refer = client.post(
        _url("account_request_refer", objects),
        {"bank": objects.bank.pk, "referred_on": "12/07/2023"},
    )
    abandon = client.post(
        _url("account_request_abandon", objects), {"reason": "x", "abandoned_on": "12/07/2023"}
    )
    opened = client.post(
        _url("account_request_opened", objects),
        {"number": "3500205111222", "opened_on": "20/07/2023", "from_month": "08/2023"},
    )

    assert (refer.status_code, abandon.status_code, opened.status_code) == (status,) * 3
    objects.requested.refresh_from_db()
    objects.referred.refresh_from_db()
    assert objects.requested.state == AccountOpeningRequest.State.REQUESTED
    assert objects.referred.state == AccountOpeningRequest.State.REFERRED


@pytest.mark.parametrize(("user", "status"), REFUSALS)
def test_a_user_who_may_not_act_cannot_register_a_method_or_log_outreach_by_post(
    client, login_as, objects, user, status
):
    login_as(user)

    registered = client.post(
        _url("register_method", objects),
        {"method": "cash", "from_month": "09/2023", "requested_on": "20/08/2023"},
    )
    edited = client.post(
        _url("outreach_edit", objects),
        {"date": "03/07/2023", "channel": "website", "audience": "x", "people_reached": "1"},
    )

    assert (registered.status_code, edited.status_code) == (status, status)
    assert not objects.beneficiary.registrations.exists()
    assert OutreachActivity.objects.get().people_reached == 500


@pytest.mark.parametrize(
    ("user", "links"),
    [
        ("officer", {"Mở tài khoản", "Truyền thông"}),
        ("accountant", {"Mở tài khoản", "Truyền thông"}),
        ("leader", {"Mở tài khoản", "Truyền thông"}),
        ("district", {"Mở tài khoản", "Truyền thông"}),
        ("police", set()),
        ("post_office", set()),
    ],
)
def test_the_navigation_shows_the_new_pages_only_to_the_roles_that_may_see_them(
    client, login_as, user, links
):
    login_as(user)

    labels = {label for label, _url in client.get(reverse("home")).context["nav_items"]}

    assert labels & {"Mở tài khoản", "Truyền thông"} == links


def test_the_person_page_offers_the_registration_actions_only_to_the_officer(
    client, login_as, objects
):
    login_as("officer")
    officer_page = client.get(reverse("person_detail", args=[objects.person.pk])).content.decode()
    login_as("accountant")
    accountant_page = client.get(
        reverse("person_detail", args=[objects.person.pk])
    ).content.decode()

    for name in ("register_method", "account_request_create"):
        assert _url(name, objects) in officer_page
        assert _url(name, objects) not in accountant_page
