"""What the demo's police have done, and a few mistakes left for the demo to find.

A real commune's data is never clean; the demo shows the data-quality page and
the gates at work: most people checked by the police, a handful not yet, and
one example of several findings (a dead person still paid, a misspelt holder
name, an authorisation about to expire, a possible duplicate record).
Deterministic: the same people every time.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from accounts.models import PaymentAccount
from beneficiaries.models import Beneficiary, Commune, IdentityCheck, Person, Representative
from registration.models import PaymentMethodRegistration

UNCHECKED_EVERY = 12  # one person in twelve is still waiting for the police


def plant_quality_examples(commune: Commune, *, police: User, today: datetime.date) -> None:
    people = list(
        Person.objects.filter(commune=commune).order_by("pk").only("pk", "identity_fingerprint")
    )
    IdentityCheck.objects.bulk_create(
        IdentityCheck(
            person=person,
            result=IdentityCheck.Result.MATCH,
            fingerprint=person.identity_fingerprint,
            checked_by=police,
            source=IdentityCheck.Source.BATCH,
        )
        for index, person in enumerate(people)
        if index % UNCHECKED_EVERY
    )
    live = Beneficiary.objects.filter(commune=commune, status=Beneficiary.Status.ACTIVE)

    # A death reported to the commune but the enrolment not yet ended.
    dead = live.order_by("pk").select_related("person")[3].person
    dead.date_of_death = today - datetime.timedelta(days=20)
    dead._history_user = police
    dead.save()

    # The bank's holder name misspelt on an account in use.
    registration = (
        PaymentMethodRegistration.objects.filter(
            beneficiary__commune=commune,
            is_current=True,
            method=PaymentMethodRegistration.Method.ACCOUNT,
            representative__isnull=True,
        )
        .select_related("account")
        .order_by("pk")
        .first()
    )
    if registration is not None:
        account: PaymentAccount = registration.account
        account.holder_name = account.holder_name.rsplit(" ", 1)[0]
        account.save()

    # An authorisation ending within the month.
    representative = (
        Representative.objects.filter(represented__commune=commune).order_by("pk").first()
    )
    if representative is not None:
        representative.valid_until = today + datetime.timedelta(days=20)
        representative.save()

    # The same person entered twice, once without a CCCD.
    original = Person.objects.filter(commune=commune).order_by("pk")[10]
    Person.objects.create(
        full_name=original.full_name,
        birth_year=original.birth_year,
        gender=original.gender,
        commune=commune,
        village=original.village,
        address=original.address,
    )


def plant_for_demo(commune: Commune) -> None:
    plant_quality_examples(
        commune, police=User.objects.get(username="congan"), today=timezone.localdate()
    )
