"""Every service checks its actor's role the same way: a role that may not act is refused
(PermissionDenied) before anything is written, whatever page or command calls it;
``None`` is the system (an import job, the demo)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from beneficiaries.models import IdentityCheck, Person
from beneficiaries.services import (
    record_check,
    record_matches,
    save_beneficiary,
    save_person,
    save_representative,
)
from registration.models import OutreachActivity, PaymentMethodRegistration
from registration.services import register_payment_method, request_account_opening, save_outreach
from tests.factories import BeneficiaryFactory, PersonFactory, RepresentativeFactory

pytestmark = pytest.mark.django_db

NOT_EDITORS = ["police", "accountant", "leader", "post_office", "district"]
TODAY = datetime.date(2026, 12, 15)


@pytest.fixture
def enrolment(commune):
    return BeneficiaryFactory(person=PersonFactory(commune=commune))


@pytest.mark.parametrize("role", NOT_EDITORS)
def test_only_the_labour_officer_writes_the_registry(request, enrolment, role):
    user = request.getfixturevalue(role)
    person = enrolment.person
    person.address = "Xóm mới"
    with pytest.raises(PermissionDenied):
        save_person(person, actor=user)
    with pytest.raises(PermissionDenied):
        save_beneficiary(enrolment, actor=user)
    with pytest.raises(PermissionDenied):
        save_representative(RepresentativeFactory.build(represented=enrolment.person), actor=user)
    person.refresh_from_db()
    assert person.address != "Xóm mới"


@pytest.mark.parametrize("role", NOT_EDITORS)
def test_only_the_labour_officer_registers_and_requests_accounts(request, enrolment, role):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        register_payment_method(
            enrolment,
            method=PaymentMethodRegistration.Method.CASH,
            from_month=datetime.date(2027, 1, 1),
            requested_on=TODAY,
            actor=user,
        )
    with pytest.raises(PermissionDenied):
        request_account_opening(enrolment.person, requested_on=TODAY, actor=user)
    with pytest.raises(PermissionDenied):
        save_outreach(
            OutreachActivity(
                commune=enrolment.commune,
                date=TODAY,
                channel=OutreachActivity.Channel.MEETING,
                audience="Người cao tuổi",
                people_reached=10,
            ),
            actor=user,
            today=TODAY,
        )
    assert not PaymentMethodRegistration.objects.exists()


@pytest.mark.parametrize("role", ["officer", "accountant", "leader", "post_office", "district"])
def test_only_the_police_record_identity_checks(request, enrolment, role):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        record_check(enrolment.person, result=IdentityCheck.Result.MATCH, actor=user)
    with pytest.raises(PermissionDenied):
        record_matches(Person.objects.all(), actor=user)
    assert not IdentityCheck.objects.exists()


def test_the_system_and_the_right_roles_act(enrolment, officer, police):
    save_person(enrolment.person, actor=None)
    save_beneficiary(enrolment, actor=officer)
    assert record_check(enrolment.person, result=IdentityCheck.Result.MATCH, actor=police).pk


@pytest.mark.parametrize("role", NOT_EDITORS)
def test_only_the_labour_officer_saves_an_account_or_starts_an_import(request, enrolment, role):
    import io

    from accounts.models import PaymentAccount
    from accounts.services import save_account
    from beneficiaries.models import ImportBatch
    from desk.importer.service import create_batch
    from tests.factories import BankFactory

    user = request.getfixturevalue(role)
    account = PaymentAccount(
        holder=enrolment.person, bank=BankFactory(), number="3500205000123", holder_name="X"
    )
    with pytest.raises(PermissionDenied):
        save_account(account, actor=user)
    with pytest.raises(PermissionDenied):
        create_batch(io.BytesIO(b"PK"), name="ds.xlsx", commune=enrolment.commune, actor=user)
    assert not PaymentAccount.objects.exists()
    assert not ImportBatch.objects.exists()
