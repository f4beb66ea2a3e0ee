"""What the demo's police and officers have done, and this month's mistakes left to find.

A real commune's data is never clean, and the demo shows the data-quality page
and the gates at work. But a month could only be paid once nothing blocked
it, so the story runs month by month:

- before a month is paid, the police have verified everyone who was waiting
  (:func:`verify_everyone`) and the officer has cleared what the gate showed
  (:func:`clear_findings`): the death entered and the enrolment ended, the
  bank's holder name corrected, the authorisation renewed;
- this month, a few things came in recently and still block its draft
  (:func:`plant_for_month`): people who moved to another village since the
  police checked them, a death reported but the enrolment not yet ended, a
  holder name the bank misspelt; and what does not block: a proxy authorised
  this month whom the police have not checked yet (nobody is paid through
  them yet), an authorisation ending within the month and a person entered
  twice, once without a CCCD (the police cannot check a record without one).

Deterministic: the people concerned are chosen by their order and the month,
so the same month plants the same things every time.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.db.models import Q

from accounts.models import PaymentAccount
from accounts.services import save_account
from beneficiaries.models import Beneficiary, Commune, Person, Representative, Village
from beneficiaries.models.checks import Verification, verification_filter, with_verification
from beneficiaries.services import (
    record_matches,
    save_beneficiary,
    save_person,
    save_representative,
)
from core.rules.months import first_of_month, month_index, next_month
from registration.models import PaymentMethodRegistration

#: People moved to another village since the police checked them, each month.
MOVED_PER_MONTH = 3
#: This month's new proxies, by the month: (full name, male, birth year). Invented.
NEW_PROXIES = (
    ("Nguyễn Thị Hạnh", False, 1979),
    ("Lê Văn Cường", True, 1975),
    ("Trịnh Thị Lan", False, 1982),
    ("Phạm Văn Đức", True, 1971),
)


def free_personal_id(born_year: int, male: bool, serial: int) -> str:
    """A Thanh Hóa CCCD nobody holds yet, from ``serial`` on (the demo's own numbers)."""
    century = (born_year - 1900) // 100 * 2 + (0 if male else 1)
    while True:
        number = f"038{century}{born_year % 100:02d}{serial:06d}"
        if not Person.objects.filter(personal_id=number).exists():
            return number
        serial += 1


def verify_everyone(commune: Commune, *, police: User) -> int:
    """The police have checked every person of the commune with a CCCD who waits."""
    waiting = (
        with_verification(Person.objects.filter(commune=commune, personal_id__isnull=False))
        .exclude(personal_id="")
        .filter(verification_filter(Verification.NEVER) | verification_filter(Verification.STALE))
    )
    return record_matches(
        Person.objects.filter(pk__in=list(waiting.values_list("pk", flat=True))), actor=police
    ).recorded


def clear_findings(commune: Commune, *, officer: User) -> None:
    """The officer has cleared the blocking findings the demo planted in an earlier month."""
    # A death entered: the allowance stops from the month after it.
    dead = Beneficiary.objects.filter(
        commune=commune, status=Beneficiary.Status.ACTIVE, person__date_of_death__isnull=False
    ).select_related("person", "category", "programme")
    for enrolment in dead.order_by("pk"):
        enrolment.status = Beneficiary.Status.ENDED
        enrolment.end_month = next_month(first_of_month(enrolment.person.date_of_death))
        enrolment.end_reason = Beneficiary.EndReason.DEATH
        save_beneficiary(enrolment, actor=officer)
    # The bank's holder name corrected.
    for account in PaymentAccount.objects.filter(holder__commune=commune).select_related("holder"):
        if account.holder_name and account.holder_name != account.holder.name_folded:
            account.holder_name = account.holder.name_folded
            save_account(account, actor=officer)
    # An authorisation renewed without an end date.
    for representative in Representative.objects.filter(
        represented__commune=commune,
        valid_until__isnull=False,
        valid_until__lt=datetime.date(2100, 1, 1),
    ).order_by("pk"):
        representative.valid_until = None
        representative._history_user = officer
        representative.save()


def _paid_people(commune: Commune):
    return (
        Person.objects.filter(
            commune=commune,
            date_of_death__isnull=True,
            enrolments__status=Beneficiary.Status.ACTIVE,
        )
        .distinct()
        .order_by("pk")
    )


def plant_for_month(
    commune: Commune, month: datetime.date, *, today: datetime.date, officer: User
) -> None:
    """This month's blockers and warnings (see the module's docstring)."""
    people = list(_paid_people(commune))
    if not people:
        return
    seed = month_index(month)
    villages = list(Village.objects.filter(commune=commune).order_by("pk"))
    chosen: list[Person] = []
    for step in range(MOVED_PER_MONTH):
        person = people[(seed * 7 + step * 31) % len(people)]
        if person in chosen:
            continue
        chosen.append(person)
        others = [v for v in villages if v.pk != person.village_id]
        if not others:
            continue
        person.village = others[seed % len(others)]
        person.address = f"Xóm {1 + seed % 9}, {person.village.name}"
        save_person(person, actor=officer)

    # A death reported to the commune but the enrolment not yet ended.
    candidates = [p for p in people if p not in chosen] or people
    dead = candidates[(seed * 11) % len(candidates)]
    dead.date_of_death = max(month, today - datetime.timedelta(days=10))
    save_person(dead, actor=officer)

    # The bank's holder name misspelt on an account in use.
    registrations = PaymentMethodRegistration.objects.filter(
        beneficiary__commune=commune,
        beneficiary__status=Beneficiary.Status.ACTIVE,
        is_current=True,
        method=PaymentMethodRegistration.Method.ACCOUNT,
        representative__isnull=True,
    ).exclude(Q(beneficiary__person=dead) | Q(account__holder_name=""))
    count = registrations.count()
    if count:
        registration = registrations.select_related("account").order_by("pk")[(seed * 13) % count]
        account: PaymentAccount = registration.account
        account.holder_name = account.holder_name.rsplit(" ", 1)[0]
        save_account(account, actor=officer)

    # An authorisation ending within the month.
    representatives = Representative.objects.filter(
        represented__commune=commune, represented__date_of_death__isnull=True
    ).exclude(represented=dead)
    count = representatives.count()
    if count:
        representative = representatives.order_by("pk")[(seed * 17) % count]
        representative.valid_until = today + datetime.timedelta(days=20)
        representative._history_user = officer
        representative.save()

    # A proxy authorised this month, not checked by the police yet.
    represented = [
        p
        for p in candidates
        if p != dead and not Representative.objects.filter(represented=p).exists()
    ]
    if represented:
        beneficiary = represented[(seed * 19) % len(represented)]
        name, male, year = NEW_PROXIES[seed % len(NEW_PROXIES)]
        proxy = save_person(
            Person(
                full_name=name,
                birth_year=year,
                gender=Person.Gender.MALE if male else Person.Gender.FEMALE,
                personal_id=free_personal_id(year, male, 980000 + seed % 10000),
                commune=commune,
                village=beneficiary.village,
                address=beneficiary.address,
            ),
            actor=officer,
        )
        save_representative(
            Representative(
                represented=beneficiary,
                person=proxy,
                kind=Representative.Kind.PROXY,
                relationship="Con",
                document=f"Giấy ủy quyền số {seed % 100 + 1}/{month.year}",
                valid_from=month,
            ),
            actor=officer,
        )

    # The same person entered twice, once without a CCCD (once in the demo).
    if not Person.objects.filter(commune=commune, personal_id__isnull=True).exists():
        original = people[10 % len(people)]
        save_person(
            Person(
                full_name=original.full_name,
                birth_year=original.birth_year,
                gender=original.gender,
                commune=commune,
                village=original.village,
                address=original.address,
            ),
            actor=officer,
        )
