"""The registration in force in a month: one rule, and the cycle's SQL agreeing with it."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from beneficiaries.models import Beneficiary
from payments.services.cycles import open_cycle
from registration.models import PaymentMethodRegistration
from registration.services import register_payment_method
from tests.factories import (
    BeneficiaryFactory,
    EntitlementFactory,
    PaymentAccountFactory,
    PersonFactory,
    RegistrationFactory,
    RepresentativeFactory,
)

pytestmark = pytest.mark.django_db

METHOD = PaymentMethodRegistration.Method
SEP = datetime.date(2023, 9, 1)
JAN = datetime.date(2024, 1, 1)
FEB = datetime.date(2024, 2, 1)
MAR = datetime.date(2024, 3, 1)
APR = datetime.date(2024, 4, 1)
MAY = datetime.date(2024, 5, 1)


def _enrol(commune, **fields) -> Beneficiary:
    enrolment = BeneficiaryFactory(person=PersonFactory(commune=commune), **fields)
    EntitlementFactory(beneficiary=enrolment, amount=2_055_000)
    return enrolment


def _register(enrolment, officer, month, method=METHOD.CASH, **choice):
    return register_payment_method(
        enrolment,
        method=method,
        from_month=month,
        requested_on=month - datetime.timedelta(days=10),
        actor=officer,
        **choice,
    )


def _in_force(enrolment, month) -> PaymentMethodRegistration | None:
    return PaymentMethodRegistration.objects.in_force(month).filter(beneficiary=enrolment).first()


def test_the_registration_in_force_is_the_latest_starting_on_or_before_the_month(commune, officer):
    enrolment = _enrol(commune)
    cash = _register(enrolment, officer, SEP)
    account = _register(
        enrolment,
        officer,
        MAR,
        METHOD.ACCOUNT,
        account=PaymentAccountFactory(holder=enrolment.person),
    )

    assert _in_force(enrolment, datetime.date(2023, 8, 1)) is None
    assert _in_force(enrolment, SEP) == cash
    assert _in_force(enrolment, FEB) == cash
    assert _in_force(enrolment, MAR) == account
    assert _in_force(enrolment, MAY) == account
    assert list(PaymentMethodRegistration.objects.in_force_for(enrolment.pk, FEB)) == [cash]


def test_a_registration_from_next_month_is_current_but_not_yet_in_force(commune, officer):
    enrolment = _enrol(commune)
    cash = _register(enrolment, officer, SEP)
    home = _register(enrolment, officer, APR, METHOD.HOME)

    assert PaymentMethodRegistration.objects.get(beneficiary=enrolment, is_current=True) == home
    assert _in_force(enrolment, MAR) == cash
    assert _in_force(enrolment, APR) == home


def test_a_registration_corrected_in_its_month_is_the_one_in_force(commune, officer):
    enrolment = _enrol(commune)
    _register(enrolment, officer, SEP)
    _register(enrolment, officer, JAN)
    corrected = _register(enrolment, officer, JAN, METHOD.HOME)

    assert PaymentMethodRegistration.objects.filter(beneficiary=enrolment).count() == 2
    assert _in_force(enrolment, FEB) == corrected
    assert corrected.method == METHOD.HOME


def test_in_force_gives_at_most_one_registration_per_enrolment(commune, officer):
    enrolments = [_enrol(commune) for _ in range(3)]
    for enrolment in enrolments[:2]:
        _register(enrolment, officer, SEP)
        _register(enrolment, officer, JAN, METHOD.HOME)
    _register(enrolments[1], officer, MAY)

    in_force = PaymentMethodRegistration.objects.in_force(MAR).order_by("beneficiary_id")

    assert [(r.beneficiary_id, r.from_month) for r in in_force] == [
        (enrolments[0].pk, JAN),
        (enrolments[1].pk, JAN),
    ]


def test_with_in_force_marks_each_registration(commune, officer):
    enrolment = _enrol(commune)
    _register(enrolment, officer, SEP)
    _register(enrolment, officer, JAN, METHOD.HOME)
    _register(enrolment, officer, MAY)

    marks = {
        r.from_month: bool(r.in_force)
        for r in PaymentMethodRegistration.objects.filter(beneficiary=enrolment).with_in_force(MAR)
    }

    assert marks == {SEP: False, JAN: True, MAY: False}


def test_an_ended_enrolment_keeps_its_registration_in_force(commune, officer):
    enrolment = _enrol(commune)
    home = _register(enrolment, officer, SEP, METHOD.HOME)
    Beneficiary.objects.filter(pk=enrolment.pk).update(
        status=Beneficiary.Status.ENDED, end_month=APR, end_reason=Beneficiary.EndReason.DEATH
    )

    # What the arrears of its last months are paid by.
    assert _in_force(enrolment, MAR) == home


# --- the cycle's SQL and the one rule -------------------------------------------------


def _many_kinds(commune, officer) -> dict[str, Beneficiary]:
    """Enrolments whose registrations start before, in and after March 2024,
    corrected, replaced, through a representative, ended, or none at all."""
    enrolments = {}

    enrolments["before"] = e = _enrol(commune)
    _register(e, officer, SEP, METHOD.ACCOUNT, account=PaymentAccountFactory(holder=e.person))

    enrolments["in_the_month"] = e = _enrol(commune)
    _register(e, officer, SEP)
    _register(e, officer, MAR, METHOD.ACCOUNT, account=PaymentAccountFactory(holder=e.person))

    enrolments["only_after"] = e = _enrol(commune)
    _register(e, officer, MAY, METHOD.HOME)

    enrolments["replaced_after"] = e = _enrol(commune)
    _register(e, officer, SEP, METHOD.HOME)
    _register(e, officer, APR, METHOD.ACCOUNT, account=PaymentAccountFactory(holder=e.person))

    enrolments["corrected"] = e = _enrol(commune)
    _register(e, officer, JAN, METHOD.ACCOUNT, account=PaymentAccountFactory(holder=e.person))
    _register(e, officer, JAN, METHOD.HOME)

    enrolments["representative"] = e = _enrol(commune)
    proxy = RepresentativeFactory(represented=e.person)
    _register(e, officer, SEP, representative=proxy)
    _register(
        e,
        officer,
        FEB,
        METHOD.ACCOUNT,
        representative=proxy,
        account=PaymentAccountFactory(holder=proxy.person),
    )

    enrolments["ended"] = e = _enrol(commune)
    _register(e, officer, SEP, METHOD.HOME)
    _register(e, officer, JAN)
    Beneficiary.objects.filter(pk=e.pk).update(
        status=Beneficiary.Status.ENDED, end_month=APR, end_reason=Beneficiary.EndReason.MOVED
    )

    enrolments["inconsistent_history"] = e = _enrol(commune)
    # A later registration that is not the current one (as an old import could leave).
    RegistrationFactory(beneficiary=e, from_month=SEP, method=METHOD.HOME, is_current=True)
    RegistrationFactory(beneficiary=e, from_month=FEB, method=METHOD.CASH, is_current=False)

    enrolments["none"] = _enrol(commune)
    return enrolments


def _assert_the_cycle_pays_by_the_registration_in_force(commune, officer) -> None:
    enrolments = _many_kinds(commune, officer)
    cycle = open_cycle(commune, MAR, actor=officer).cycle

    in_force = {
        r.beneficiary_id: (r.method, r.representative_id, r.account_id)
        for r in PaymentMethodRegistration.objects.in_force(MAR).filter(
            beneficiary__commune=commune
        )
    }
    latest = PaymentMethodRegistration.objects.in_force_for(OuterRef("pk"), MAR)
    annotated = {
        b.pk: (b.method, b.representative_id, b.account_id)
        for b in Beneficiary.objects.filter(commune=commune).annotate(
            method=Subquery(latest.values("method")),
            representative_id=Subquery(latest.values("representative_id")),
            account_id=Subquery(latest.values("account_id")),
        )
    }
    paid = {
        p.beneficiary_id: (p.method, p.representative_id, p.account_id)
        for p in cycle.payments.all()
    }

    assert set(paid) == {e.pk for e in enrolments.values()}
    for name, enrolment in enrolments.items():
        expected = in_force.get(enrolment.pk, (METHOD.CASH, None, None))
        assert paid[enrolment.pk] == expected, name
        assert annotated[enrolment.pk] == (in_force.get(enrolment.pk, (None, None, None))), name
    # The data is worth the test: the current registration would have paid otherwise.
    current = {
        r.beneficiary_id: r.method
        for r in PaymentMethodRegistration.objects.filter(
            beneficiary__commune=commune, is_current=True
        )
    }
    differ = {name for name, e in enrolments.items() if current.get(e.pk) != paid[e.pk][0]}
    assert {"only_after", "replaced_after", "inconsistent_history"} <= differ


def test_the_cycle_pays_by_the_registration_in_force(commune, officer):
    _assert_the_cycle_pays_by_the_registration_in_force(commune, officer)


@pytest.mark.postgres
def test_the_cycle_pays_by_the_registration_in_force_on_postgresql(commune, officer):
    _assert_the_cycle_pays_by_the_registration_in_force(commune, officer)


def test_the_admin_marks_the_registration_in_force_this_month(admin_client, commune, officer):
    this_month = timezone.localdate().replace(day=1)
    next_month = (this_month + datetime.timedelta(days=32)).replace(day=1)
    enrolment = _enrol(commune)
    now = _register(enrolment, officer, SEP)
    later = _register(enrolment, officer, next_month, METHOD.HOME)

    response = admin_client.get(reverse("admin:registration_paymentmethodregistration_changelist"))

    assert response.status_code == 200
    marks = {r.pk: bool(r.in_force) for r in response.context["cl"].result_list}
    assert marks == {now.pk: True, later.pk: False}
    assert "Áp dụng tháng này" in response.content.decode()
