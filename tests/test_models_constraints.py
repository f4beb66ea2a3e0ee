"""The invariants of the registry are database constraints, not only Python checks.

Each test writes past the forms (``QuerySet.update`` or ``bulk_create``) to show
the database itself refuses.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from accounts.models import PaymentAccount
from amounts.models import Entitlement
from beneficiaries.models import Beneficiary, Person, Representative
from registration.models import PaymentMethodRegistration
from tests.factories import (
    BankFactory,
    BeneficiaryFactory,
    EntitlementFactory,
    PaymentAccountFactory,
    PersonFactory,
    RegistrationFactory,
    RepresentativeFactory,
)

pytestmark = pytest.mark.django_db


def _refused(fn) -> bool:
    try:
        with transaction.atomic():
            fn()
    except IntegrityError:
        return True
    return False


def test_two_people_cannot_share_a_personal_id():
    person = PersonFactory(personal_id="038150000001")
    clone = PersonFactory.build(personal_id="038150000001", commune=person.commune, village=None)
    clone.normalize_fields()
    assert _refused(lambda: Person.objects.bulk_create([clone]))


def test_personal_id_must_be_twelve_digits_in_the_database():
    person = PersonFactory()
    assert _refused(lambda: Person.objects.filter(pk=person.pk).update(personal_id="38150000001"))
    assert _refused(lambda: Person.objects.filter(pk=person.pk).update(personal_id="03815000000X"))


def test_people_without_personal_id_do_not_clash():
    PersonFactory(personal_id=None)
    PersonFactory(personal_id=None)
    assert Person.objects.filter(personal_id__isnull=True).count() == 2


def test_empty_personal_id_is_stored_as_null():
    person = PersonFactory(personal_id="")
    person.refresh_from_db()
    assert person.personal_id is None


def test_a_representative_is_never_the_beneficiary_themself():
    representative = RepresentativeFactory()
    assert _refused(
        lambda: Representative.objects.filter(pk=representative.pk).update(
            person=representative.represented
        )
    )


def test_the_same_account_number_at_the_same_bank_is_refused():
    account = PaymentAccountFactory(number="3500205000001")
    other = PaymentAccountFactory.build(
        number="3500205000001", bank=account.bank, holder=PersonFactory()
    )
    assert _refused(lambda: PaymentAccount.objects.bulk_create([other]))


def test_the_same_number_at_another_bank_is_allowed():
    account = PaymentAccountFactory(number="3500205000002")
    other_bank = BankFactory(bin="970436", code="VCB", short_name="Vietcombank")
    PaymentAccountFactory(number="3500205000002", bank=other_bank)
    assert PaymentAccount.objects.filter(number=account.number).count() == 2


def test_account_numbers_are_digits_only():
    account = PaymentAccountFactory()
    assert _refused(lambda: PaymentAccount.objects.filter(pk=account.pk).update(number="12AB567"))


def test_one_current_registration_per_beneficiary():
    registration = RegistrationFactory()
    second = PaymentMethodRegistration(
        beneficiary=registration.beneficiary,
        from_month=datetime.date(2023, 10, 1),
        method=PaymentMethodRegistration.Method.HOME,
        requested_on=datetime.date(2023, 9, 20),
        is_current=True,
    )
    assert _refused(lambda: PaymentMethodRegistration.objects.bulk_create([second]))
    second.is_current = False
    PaymentMethodRegistration.objects.bulk_create([second])
    assert registration.beneficiary.registrations.count() == 2


def test_an_account_registration_needs_an_account_and_cash_has_none():
    registration = RegistrationFactory(method=PaymentMethodRegistration.Method.CASH)
    assert _refused(
        lambda: PaymentMethodRegistration.objects.filter(pk=registration.pk).update(
            method=PaymentMethodRegistration.Method.ACCOUNT
        )
    )
    account = PaymentAccountFactory(holder=registration.beneficiary.person)
    assert _refused(
        lambda: PaymentMethodRegistration.objects.filter(pk=registration.pk).update(account=account)
    )


def test_amounts_are_positive_whole_dong():
    entitlement = EntitlementFactory(amount=2_055_000)
    assert _refused(lambda: Entitlement.objects.filter(pk=entitlement.pk).update(amount=0))
    assert isinstance(Entitlement.objects.get(pk=entitlement.pk).amount, int)


def test_coefficient_entitlements_carry_their_coefficient():
    entitlement = EntitlementFactory()
    assert _refused(
        lambda: Entitlement.objects.filter(pk=entitlement.pk).update(basis="coefficient")
    )
    Entitlement.objects.filter(pk=entitlement.pk).update(
        basis="coefficient", coefficient=Decimal("1.5"), amount=750_000
    )


def test_one_entitlement_per_beneficiary_and_month():
    entitlement = EntitlementFactory()
    assert _refused(
        lambda: Entitlement.objects.create(
            beneficiary=entitlement.beneficiary,
            from_month=entitlement.from_month,
            basis="fixed",
            amount=1_000_000,
        )
    )


def test_months_start_on_the_first():
    beneficiary = BeneficiaryFactory()
    assert _refused(
        lambda: Beneficiary.objects.filter(pk=beneficiary.pk).update(
            start_month=datetime.date(2023, 7, 15)
        )
    )


def test_an_ended_enrolment_has_an_end_month_and_a_reason():
    beneficiary = BeneficiaryFactory()
    assert _refused(
        lambda: Beneficiary.objects.filter(pk=beneficiary.pk).update(
            status=Beneficiary.Status.ENDED
        )
    )
    Beneficiary.objects.filter(pk=beneficiary.pk).update(
        status=Beneficiary.Status.ENDED,
        end_month=datetime.date(2024, 1, 1),
        end_reason=Beneficiary.EndReason.DEATH,
    )


def test_one_live_enrolment_per_person_and_category_but_history_is_kept():
    beneficiary = BeneficiaryFactory()
    Beneficiary.objects.filter(pk=beneficiary.pk).update(
        status=Beneficiary.Status.ENDED,
        end_month=datetime.date(2024, 1, 1),
        end_reason=Beneficiary.EndReason.MOVED,
    )
    again = BeneficiaryFactory(
        person=beneficiary.person,
        category=beneficiary.category,
        start_month=datetime.date(2024, 6, 1),
    )
    assert _refused(
        lambda: BeneficiaryFactory(
            person=beneficiary.person,
            category=beneficiary.category,
            start_month=datetime.date(2024, 8, 1),
        )
    )
    assert again.status == Beneficiary.Status.ACTIVE


def test_person_keeps_derived_name_fields_and_birth_year():
    person = PersonFactory(
        full_name="  Nguyễn\u00a0Thị  Hằng ", birth_date=datetime.date(1948, 2, 3), birth_year=1900
    )
    person.refresh_from_db()
    assert person.full_name == "Nguyễn Thị Hằng"
    assert person.name_folded == "NGUYEN THI HANG"
    assert person.sort_name == "HANG NGUYEN THI HANG"
    assert person.birth_year == 1948
    assert person.birth_display == "03/02/1948"


def test_year_only_birth_displays_the_year():
    person = PersonFactory(birth_date=None, birth_year=1938)
    assert person.birth_display == "1938"


def test_every_change_to_a_person_is_in_the_history_with_its_author(officer):
    person = PersonFactory(commune=officer.communes.first())
    person._history_user = officer
    person.phone = "0912345678"
    person.save()
    latest = person.history.first()
    assert latest.history_user == officer
    assert latest.phone == "0912345678"
    assert person.history.count() == 2


def test_choices_are_checked_by_the_database_as_bulk_writes_skip_validation():
    person = PersonFactory()
    assert _refused(lambda: Person.objects.filter(pk=person.pk).update(gender="X"))
    registration = RegistrationFactory()
    assert _refused(
        lambda: PaymentMethodRegistration.objects.filter(pk=registration.pk).update(method="cheque")
    )
    beneficiary = registration.beneficiary
    assert _refused(lambda: Beneficiary.objects.filter(pk=beneficiary.pk).update(status="paused"))
