"""What the rows of an import refer to in the database, fetched in bulk: a few
queries per chunk of rows, never one per row."""

from __future__ import annotations

import datetime

from accounts.models import Bank, PaymentAccount
from amounts.models import Entitlement
from beneficiaries.models import (
    Beneficiary,
    Category,
    Commune,
    Person,
    Programme,
    Representative,
    Village,
)
from desk.importer.plan import chunks, fold_name
from desk.importer.rows import ImportRow
from registration.models import PaymentMethodRegistration


class Lookup:
    """What the rows refer to, fetched in bulk (a few queries per chunk of rows)."""

    def __init__(self, commune: Commune, month: datetime.date) -> None:
        self.commune = commune
        self.month = month
        self.people: dict[str, Person] = {}
        self.people_without_id: dict[tuple, Person] | None = None
        self.villages = {fold_name(v.name): v for v in Village.objects.filter(commune=commune)}
        self.categories = {c.code: c for c in Category.objects.select_related("programme")}
        self.programmes = {p.code: p for p in Programme.objects.all()}
        self.banks = {b.bin: b for b in Bank.objects.all()}
        self.enrolments: dict[tuple[int, str], Beneficiary] = {}
        # Ended enrolments: an old list must not enrol the dead or the moved again.
        self.ended: dict[tuple[int, str], Beneficiary] = {}
        self.entitlements: dict[int, Entitlement] = {}
        # The registration in force in the import month, which a row is compared with,
        # and the month of a later one (registered ahead, which a row may not undo).
        self.registrations: dict[int, PaymentMethodRegistration] = {}
        self.later_registrations: dict[int, datetime.date] = {}
        self.representatives: dict[tuple[int, int], Representative] = {}
        self.accounts: dict[tuple[str, str], PaymentAccount] = {}
        self._ids_seen: set[str] = set()
        self._numbers_seen: set[str] = set()

    def extend(self, rows: list[ImportRow]) -> None:
        """Fetch what these rows refer to and earlier rows did not."""
        ids = {r.personal_id for r in rows if r.personal_id}
        ids |= {r.rep_personal_id for r in rows if r.rep_personal_id}
        ids -= self._ids_seen
        self._ids_seen |= ids
        found: list[Person] = []
        for part in chunks(sorted(ids)):
            for person in Person.objects.filter(personal_id__in=part):
                self.people[person.personal_id] = person
                found.append(person)
        if self.people_without_id is None:
            # People without an ID (young children): matched on name, birth year and village.
            self.people_without_id = {}
            for person in Person.objects.filter(
                commune=self.commune, personal_id__isnull=True
            ).select_related("village"):
                key = (
                    person.name_folded,
                    person.birth_year,
                    fold_name(person.village.name) if person.village else "",
                )
                self.people_without_id[key] = person
                found.append(person)
        self._extend_people([p.pk for p in found])
        numbers = {r.account_number for r in rows if r.account_number} - self._numbers_seen
        self._numbers_seen |= numbers
        for part in chunks(sorted(numbers)):
            for account in PaymentAccount.objects.filter(number__in=part).select_related("bank"):
                self.accounts[(account.bank.bin, account.number)] = account

    def _extend_people(self, person_pks: list[int]) -> None:
        enrolment_pks = []
        for part in chunks(person_pks):
            for enrolment in (
                Beneficiary.objects.filter(person_id__in=part)
                .select_related("category")
                .order_by("start_month")
            ):
                key = (enrolment.person_id, enrolment.category.code)
                if enrolment.status == Beneficiary.Status.ENDED:
                    self.ended[key] = enrolment  # the latest ended one wins
                else:
                    self.enrolments[key] = enrolment
                    enrolment_pks.append(enrolment.pk)
            for rep in Representative.objects.filter(represented_id__in=part).order_by(
                "valid_from"
            ):
                self.representatives[(rep.represented_id, rep.person_id)] = rep
        for part in chunks(enrolment_pks):
            for ent in Entitlement.objects.filter(
                beneficiary_id__in=part, from_month__lte=self.month
            ).order_by("beneficiary_id", "from_month"):
                self.entitlements[ent.beneficiary_id] = ent  # the latest wins
            for reg in (
                PaymentMethodRegistration.objects.in_force(self.month)
                .filter(beneficiary_id__in=part)
                .order_by()
            ):
                self.registrations[reg.beneficiary_id] = reg
            for beneficiary_id, from_month in (
                PaymentMethodRegistration.objects.filter(
                    beneficiary_id__in=part, from_month__gt=self.month
                )
                .order_by("from_month")
                .values_list("beneficiary_id", "from_month")
            ):
                self.later_registrations.setdefault(beneficiary_id, from_month)
