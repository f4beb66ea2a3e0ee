"""Who reaches what in the admin: changelists per role, rows scoped to the user's communes.

Model permissions (``core.roles``) decide which changelists a role
opens; ``CommuneScopedAdmin`` decides which rows it sees. Users are staff here:
the admin is where the police record their checks.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse

from accounts.models import PaymentAccount
from beneficiaries.models import Beneficiary, Person
from registration.models import PaymentMethodRegistration
from tests.factories import (
    AccountOpeningRequestFactory,
    BeneficiaryFactory,
    CategoryFactory,
    EntitlementFactory,
    OutreachActivityFactory,
    PaymentAccountFactory,
    PersonFactory,
    RegistrationFactory,
    RepresentativeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ACCOUNT_NUMBER = "3500205987654"

PEOPLE = ["beneficiaries.person", "beneficiaries.village", "beneficiaries.representative"]
ENROLMENTS = ["beneficiaries.beneficiary"]
IMPORTS = ["beneficiaries.importbatch"]
CHECKS = ["beneficiaries.identitycheck"]
# Declared conditions (no pension, poor household) with their documents.
CONDITIONS = ["beneficiaries.enrolmentcondition"]
REFERENCE = [
    "beneficiaries.commune",
    "beneficiaries.programme",
    "beneficiaries.programmesetting",
    "beneficiaries.category",
    "beneficiaries.province",
    "accounts.bank",
    "amounts.allowancerate",
]
MONEY = ["accounts.paymentaccount", "amounts.entitlement"]
REGISTRATIONS = ["registration.paymentmethodregistration", "registration.accountopeningrequest"]
# Read only for everyone (the pages make and approve proposals): no police, no post office.
TRANSFERS = ["registration.programmetransfer"]
OUTREACH = ["registration.outreachactivity"]
# Read only for the money roles (the recovery pages record).
RECOVERIES = ["payments.recovery"]
ADMINISTRATION = ["auth.user", "auth.group", "axes.accessattempt"]
ALL_MODELS = (
    PEOPLE
    + ENROLMENTS
    + IMPORTS
    + CHECKS
    + CONDITIONS
    + REFERENCE
    + MONEY
    + REGISTRATIONS
    + TRANSFERS
    + OUTREACH
    + RECOVERIES
    + ADMINISTRATION
)

_READ_ALL = set(
    PEOPLE
    + ENROLMENTS
    + IMPORTS
    + CHECKS
    + CONDITIONS
    + REFERENCE
    + MONEY
    + REGISTRATIONS
    + TRANSFERS
    + OUTREACH
)
REACHABLE = {
    "officer": _READ_ALL | set(RECOVERIES),
    # People and their identity checks: the police desk.
    "police": set(PEOPLE + CHECKS),
    "accountant": _READ_ALL | set(RECOVERIES),
    "leader": _READ_ALL | set(RECOVERIES),
    # Registrations name the account: not for the post office.
    "post_office": set(PEOPLE + ENROLMENTS),
    "district": _READ_ALL,
}


def _admin_url(label: str, view: str = "changelist", *args) -> str:
    app_label, model = label.split(".")
    return reverse(f"admin:{app_label}_{model}_{view}", args=args)


def _staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def as_staff(client, request):
    """Log the client in as a role fixture of conftest, made staff."""

    def login(key: str):
        user = _staff(request.getfixturevalue(key))
        client.force_login(user)
        return user

    return login


def _world(commune, *, name: str, personal_id: str, account_number: str):
    person = PersonFactory(
        commune=commune, full_name=name, personal_id=personal_id, gender=Person.Gender.FEMALE
    )
    beneficiary = BeneficiaryFactory(person=person)
    entitlement = EntitlementFactory(beneficiary=beneficiary)
    account = PaymentAccountFactory(holder=person, number=account_number)
    registration = RegistrationFactory(
        beneficiary=beneficiary, method=PaymentMethodRegistration.Method.ACCOUNT, account=account
    )
    representative = RepresentativeFactory(represented=person)
    account_request = AccountOpeningRequestFactory(person=person)
    outreach = OutreachActivityFactory(commune=commune)
    return SimpleNamespace(
        account_request=account_request,
        outreach=outreach,
        person=person,
        village=person.village,
        beneficiary=beneficiary,
        entitlement=entitlement,
        account=account,
        registration=registration,
        representative=representative,
    )


@pytest.fixture
def ours(commune):
    return _world(
        commune, name="Nguyễn Thị Hằng", personal_id="038150001234", account_number=ACCOUNT_NUMBER
    )


@pytest.fixture
def theirs(other_commune):
    # Same name on purpose: a search must not cross communes either.
    return _world(
        other_commune,
        name="Nguyễn Thị Hằng",
        personal_id="038150009876",
        account_number="3500205123450",
    )


CASES = [(role, label) for role in REACHABLE for label in ALL_MODELS]


@pytest.mark.parametrize(("role", "label"), CASES, ids=[f"{r}-{m}" for r, m in CASES])
def test_each_role_opens_only_its_changelists(client, as_staff, role, label):
    as_staff(role)

    response = client.get(_admin_url(label))

    assert response.status_code == (200 if label in REACHABLE[role] else 403)


@pytest.mark.parametrize("role", list(REACHABLE))
def test_the_admin_index_lists_only_the_models_a_role_may_see(client, as_staff, role):
    as_staff(role)

    response = client.get(reverse("admin:index"))

    listed = {
        f"{app['app_label']}.{model['object_name'].lower()}"
        for app in response.context["app_list"]
        for model in app["models"]
    }
    assert listed == REACHABLE[role]


def test_anonymous_visitors_are_sent_to_the_admin_login(client, ours):
    for url in (
        reverse("admin:index"),
        _admin_url("beneficiaries.person", "change", ours.person.pk),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_a_user_who_is_not_staff_is_sent_to_the_admin_login(client, police):
    client.force_login(police)

    response = client.get(_admin_url("beneficiaries.person"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


SCOPED = {
    "beneficiaries.person": "person",
    "beneficiaries.village": "village",
    "beneficiaries.beneficiary": "beneficiary",
    "beneficiaries.representative": "representative",
    "accounts.paymentaccount": "account",
    "amounts.entitlement": "entitlement",
    "registration.paymentmethodregistration": "registration",
    "registration.accountopeningrequest": "account_request",
    "registration.outreachactivity": "outreach",
}


@pytest.mark.parametrize("role", list(REACHABLE))
def test_changelists_show_only_the_users_commune(client, as_staff, ours, theirs, role):
    as_staff(role)

    for label, attr in SCOPED.items():
        if label not in REACHABLE[role]:
            continue
        response = client.get(_admin_url(label))
        shown = {obj.pk for obj in response.context["cl"].result_list}
        assert getattr(ours, attr).pk in shown, label
        assert getattr(theirs, attr).pk not in shown, label


def test_the_commune_changelist_shows_only_the_users_commune(
    client, as_staff, commune, other_commune
):
    as_staff("officer")

    response = client.get(_admin_url("beneficiaries.commune"))

    assert [c.pk for c in response.context["cl"].result_list] == [commune.pk]


@pytest.mark.parametrize("role", list(REACHABLE))
def test_another_communes_rows_cannot_be_opened_by_url(client, as_staff, ours, theirs, role):
    as_staff(role)

    for label, attr in SCOPED.items():
        if label not in REACHABLE[role]:
            continue
        response = client.get(_admin_url(label, "change", getattr(theirs, attr).pk))
        # The admin answers a missing object with a redirect to its index.
        assert response.status_code == 302, label
        assert response["Location"] == reverse("admin:index"), label


def test_another_commune_cannot_be_opened_by_url(client, as_staff, commune, other_commune):
    as_staff("officer")

    response = client.get(_admin_url("beneficiaries.commune", "change", other_commune.pk))

    # The admin answers a missing object with a redirect to its index, not to the commune.
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_a_superuser_sees_every_commune(client, ours, theirs):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))

    response = client.get(_admin_url("beneficiaries.person"))

    shown = {p.pk for p in response.context["cl"].result_list}
    assert {ours.person.pk, theirs.person.pk} <= shown
    other = client.get(_admin_url("beneficiaries.person", "change", theirs.person.pk))
    assert other.status_code == 200


@pytest.mark.parametrize("label", MONEY + REGISTRATIONS + ENROLMENTS)
def test_police_cannot_open_money_accounts_registrations_or_enrolments(
    client, as_staff, ours, label
):
    as_staff("police")
    attr = {
        "accounts.paymentaccount": "account",
        "amounts.entitlement": "entitlement",
        "registration.paymentmethodregistration": "registration",
        "registration.accountopeningrequest": "account_request",
        "beneficiaries.beneficiary": "beneficiary",
    }[label]

    assert client.get(_admin_url(label)).status_code == 403
    assert client.get(_admin_url(label, "change", getattr(ours, attr).pk)).status_code == 403


def _person_admin_post(person: Person, **changes) -> dict[str, str]:
    data = {
        "full_name": person.full_name,
        "birth_date": person.birth_date.strftime("%d/%m/%Y"),
        "birth_year": str(person.birth_year),
        "gender": person.gender,
        "personal_id": person.personal_id,
        "legacy_id_number": "",
        "phone": "",
        "commune": str(person.commune_id),
        "village": str(person.village_id),
        "address": "",
        "date_of_death": "",
        "enrolments-TOTAL_FORMS": "0",
        "enrolments-INITIAL_FORMS": "0",
        "enrolments-MIN_NUM_FORMS": "0",
        "enrolments-MAX_NUM_FORMS": "1000",
        "identity_checks-TOTAL_FORMS": "0",
        "identity_checks-INITIAL_FORMS": "0",
        "identity_checks-MIN_NUM_FORMS": "0",
        "identity_checks-MAX_NUM_FORMS": "1000",
        "_save": "Lưu",
    }
    data.update(changes)
    return data


def test_police_see_a_person_read_only_without_enrolments(client, as_staff, ours):
    as_staff("police")

    response = client.get(_admin_url("beneficiaries.person", "change", ours.person.pk))

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    # Only the history of identity checks, never the enrolments (money).
    inlines = [f.opts.model._meta.model_name for f in response.context["inline_admin_formsets"]]
    assert inlines == ["identitycheck"]
    html = response.content.decode()
    assert "Nguyễn Thị Hằng" in html
    assert ACCOUNT_NUMBER not in html
    assert 'name="_save"' not in html


@pytest.mark.parametrize("role", ["police", "accountant", "leader", "district", "post_office"])
def test_read_only_roles_cannot_change_or_add_people(client, as_staff, ours, role):
    as_staff(role)
    url = _admin_url("beneficiaries.person", "change", ours.person.pk)

    response = client.post(url, _person_admin_post(ours.person, full_name="Tên Bị Sửa"))

    assert response.status_code == 403
    ours.person.refresh_from_db()
    assert ours.person.full_name == "Nguyễn Thị Hằng"
    assert client.get(_admin_url("beneficiaries.person", "add")).status_code == 403
    assert (
        client.get(_admin_url("beneficiaries.person", "delete", ours.person.pk)).status_code == 403
    )


def test_the_officer_changes_a_person_in_the_admin_and_history_names_them(client, as_staff, ours):
    officer = as_staff("officer")
    url = _admin_url("beneficiaries.person", "change", ours.person.pk)

    response = client.post(url, _person_admin_post(ours.person, address="Xóm 3"))

    assert response.status_code == 302, response.context and response.context["errors"]
    assert response["Location"] == _admin_url("beneficiaries.person")
    ours.person.refresh_from_db()
    assert ours.person.address == "Xóm 3"
    assert ours.person.history.latest().history_user == officer


def test_the_officer_cannot_move_a_person_to_another_commune_in_the_admin(
    client, as_staff, ours, other_commune
):
    as_staff("officer")
    url = _admin_url("beneficiaries.person", "change", ours.person.pk)

    response = client.post(url, _person_admin_post(ours.person, commune=str(other_commune.pk)))

    assert response.status_code == 200
    assert "commune" in response.context["adminform"].form.errors
    ours.person.refresh_from_db()
    assert ours.person.commune_id != other_commune.pk


def test_the_accountant_views_accounts_but_changes_nothing(client, as_staff, ours):
    as_staff("accountant")
    url = _admin_url("accounts.paymentaccount", "change", ours.account.pk)

    page = client.get(url)
    post = client.post(
        url,
        {
            "holder": str(ours.person.pk),
            "bank": str(ours.account.bank_id),
            "number": "9999999999",
            "holder_name": "NGUYEN THI HANG",
        },
    )

    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert ACCOUNT_NUMBER in page.content.decode()
    assert post.status_code == 403
    ours.account.refresh_from_db()
    assert ours.account.number == ACCOUNT_NUMBER
    assert client.get(_admin_url("accounts.paymentaccount", "add")).status_code == 403
    entitlement = _admin_url("amounts.entitlement", "change", ours.entitlement.pk)
    assert client.post(entitlement, {"amount": "1"}).status_code == 403


@pytest.mark.parametrize("term", ["nguyen thi hang", "Nguyễn Thị Hằng", "NGUYEN THI HANG", "hang"])
def test_admin_search_finds_a_name_typed_without_accents(client, as_staff, ours, theirs, term):
    as_staff("officer")

    response = client.get(_admin_url("beneficiaries.person"), {"q": term})

    assert [p.pk for p in response.context["cl"].result_list] == [ours.person.pk]


def test_admin_search_of_enrolments_and_accounts_folds_names_too(client, as_staff, ours, theirs):
    as_staff("officer")

    enrolments = client.get(_admin_url("beneficiaries.beneficiary"), {"q": "nguyen thi hang"})
    accounts = client.get(_admin_url("accounts.paymentaccount"), {"q": "nguyen thi hang"})

    assert [b.pk for b in enrolments.context["cl"].result_list] == [ours.beneficiary.pk]
    assert [a.pk for a in accounts.context["cl"].result_list] == [ours.account.pk]


def test_admin_search_by_personal_id_stays_in_the_commune(client, as_staff, ours, theirs):
    as_staff("police")

    mine = client.get(_admin_url("beneficiaries.person"), {"q": "038150001234"})
    other = client.get(_admin_url("beneficiaries.person"), {"q": "038150009876"})

    assert [p.pk for p in mine.context["cl"].result_list] == [ours.person.pk]
    assert list(other.context["cl"].result_list) == []


# --- Leaks found while writing these tests, fixed in e9a8e34 -------------------------------


def test_another_communes_history_cannot_be_read_in_the_admin(client, as_staff, ours, theirs):
    as_staff("officer")

    response = client.get(_admin_url("beneficiaries.person", "history", theirs.person.pk))

    assert response.status_code == 404


def test_another_communes_person_cannot_be_rewritten_through_a_history_version(
    client, as_staff, ours, theirs, commune
):
    as_staff("officer")
    version = theirs.person.history.earliest()
    url = _admin_url("beneficiaries.person", "history", theirs.person.pk)
    url = f"{url}{version.history_id}/"

    page = client.get(url)
    posted = client.post(
        url, _person_admin_post(theirs.person, commune=str(commune.pk), village="")
    )

    theirs.person.refresh_from_db()
    assert theirs.person.commune_id != commune.pk
    assert (page.status_code, posted.status_code) == (404, 404)


def test_the_admin_refuses_to_enrol_another_communes_person(
    client, as_staff, ours, theirs, commune
):
    as_staff("officer")
    category = CategoryFactory(code="NCC_BB", short_name="Bệnh binh")

    client.post(
        _admin_url("beneficiaries.beneficiary", "add"),
        {
            "person": str(theirs.person.pk),
            "commune": str(commune.pk),
            "programme": str(category.programme_id),
            "category": str(category.pk),
            "decision_number": "1/QĐ",
            "start_month": "01/07/2023",
            "status": Beneficiary.Status.ACTIVE,
            "_save": "Lưu",
        },
    )

    assert not Beneficiary.objects.filter(person=theirs.person, commune=commune).exists()


def test_an_officer_of_two_communes_is_told_why_an_enrolment_is_refused(
    client, ours, commune, other_commune
):
    """A person of one commune enrolled under the other: the form says why, nothing is saved."""
    officer = _staff(
        UserFactory(
            username="canbo_hai_xa", role="labour_officer", communes=[commune, other_commune]
        )
    )
    client.force_login(officer)
    category = CategoryFactory(code="NCC_BB", short_name="Bệnh binh")

    response = client.post(
        _admin_url("beneficiaries.beneficiary", "add"),
        {
            "person": str(ours.person.pk),
            "commune": str(other_commune.pk),
            "programme": str(category.programme_id),
            "category": str(category.pk),
            "decision_number": "1/QĐ",
            "start_month": "01/07/2023",
            "status": Beneficiary.Status.ACTIVE,
            "_save": "Lưu",
        },
    )

    assert response.status_code == 200
    assert "Đối tượng phải thuộc xã của người hưởng." in response.content.decode()
    assert not Beneficiary.objects.filter(person=ours.person, commune=other_commune).exists()


def test_the_admin_refuses_an_account_for_another_communes_person(client, as_staff, theirs):
    as_staff("officer")

    client.post(
        _admin_url("accounts.paymentaccount", "add"),
        {
            "holder": str(theirs.person.pk),
            "bank": str(theirs.account.bank_id),
            "number": "1234567890123",
            "holder_name": "NGUYEN THI HANG",
            "opened_on": "01/08/2023",
            "active": "on",
            "_save": "Lưu",
        },
    )

    assert not PaymentAccount.objects.filter(number="1234567890123").exists()


def test_the_post_office_never_sees_account_numbers_in_the_admin(client, as_staff, ours):
    as_staff("post_office")

    pages = [
        client.get(_admin_url("registration.paymentmethodregistration")),
        client.get(
            _admin_url("registration.paymentmethodregistration", "change", ours.registration.pk)
        ),
    ]

    for page in pages:
        assert ACCOUNT_NUMBER not in page.content.decode()


def test_the_person_filters_do_not_name_another_communes_villages(client, as_staff, ours, theirs):
    as_staff("officer")

    html = client.get(_admin_url("beneficiaries.person")).content.decode()

    assert theirs.village.name not in html
    assert "Hà Trung" not in html


def test_a_history_address_that_is_not_a_number_answers_404(client, as_staff, ours):
    as_staff("officer")

    response = client.get(_admin_url("beneficiaries.person", "history", "abc"))

    assert response.status_code == 404


def test_the_raw_id_field_does_not_name_another_communes_person(client, as_staff, ours, theirs):
    as_staff("officer")

    response = client.get(
        _admin_url("accounts.paymentaccount", "add"), {"holder": theirs.person.pk}
    )

    assert response.status_code == 200
    other = _admin_url("beneficiaries.person", "change", theirs.person.pk)
    assert other not in response.content.decode()
