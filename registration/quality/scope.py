"""What one run of the data-quality checks reads: the commune, the day, who is
paid how (the "usage"), and the records several checks share, each fetched once
in a set-based query."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q, QuerySet

from beneficiaries.models import Beneficiary, Commune, Representative
from registration.models import PaymentMethodRegistration

EXPIRY_NOTICE_DAYS = 30
ADULT_AGE = 18


def _live(qs: QuerySet[Beneficiary]) -> QuerySet[Beneficiary]:
    return qs.exclude(status=Beneficiary.Status.ENDED)


def current_usage(commune: Commune) -> QuerySet[PaymentMethodRegistration]:
    """Who is paid how in the registry: the current registration (the latest
    choice, even one starting next month) of each of the commune's live
    enrolments. The page and the command check these, so that a registration
    is put right before the month it pays; a list or a cycle passes what it
    pays by instead."""
    return PaymentMethodRegistration.objects.filter(
        is_current=True, beneficiary__commune=commune
    ).exclude(beneficiary__status=Beneficiary.Status.ENDED)


# "Usage": registrations or payments (both have beneficiary, method, representative
# and account): who is paid, by whom, into which account.
_USAGE_FIELDS = (
    "beneficiary__person_id",
    "beneficiary__person__full_name",
    "beneficiary__person__personal_id",
    "representative_id",
    "representative__person_id",
    "account_id",
    "account__number",
    "account__bank__short_name",
    "account__holder_id",
    "account__holder__full_name",
    "account__active",
)


def _age_on(birth_date: datetime.date | None, day: datetime.date) -> int | None:
    """Whole years on ``day``; ``None`` when only the year is known and the birthday
    may or may not have passed."""
    if birth_date is not None:
        return (
            day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
        )
    return None


@dataclass
class _RepresentativeState:
    """One representative of a live enrolment, as the representative checks see it."""

    rep: Representative
    used: bool  # by a registration of the usage checked
    represented: dict
    words: dict
    expired: bool
    expiring: bool
    age: int | None
    under_age: bool


class Scope:
    """What one run of the checks reads, each part fetched once.

    ``usage`` (registrations or payments) says who is paid how; by default the
    current registrations (:func:`current_usage`).
    """

    def __init__(
        self, commune: Commune, today: datetime.date, usage: QuerySet | None = None
    ) -> None:
        self.commune = commune
        self.today = today
        self.usage = current_usage(commune) if usage is None else usage

    def live_enrolments(self) -> QuerySet[Beneficiary]:
        return _live(Beneficiary.objects.filter(commune=self.commune))

    @cached_property
    def account_rows(self) -> list[dict]:
        """The usage's payments into an account, with the account and its holder."""
        return list(
            self.usage.filter(method="account")
            .values(*_USAGE_FIELDS)
            .order_by("beneficiary_id", "pk")
        )

    @cached_property
    def representatives(self) -> list[_RepresentativeState]:
        """The representatives of the commune's live enrolments, by the represented's name."""
        in_use = set(
            self.usage.filter(representative__isnull=False).values_list(
                "representative_id", flat=True
            )
        )
        live_people = self.live_enrolments().values("person_id")
        representatives = (
            Representative.objects.filter(represented__in=live_people)
            .select_related("person", "represented")
            .order_by("represented__sort_name", "pk")
        )
        today = self.today
        soon = today + datetime.timedelta(days=EXPIRY_NOTICE_DAYS)
        states = []
        for rep in representatives.iterator(chunk_size=2000):
            expired = bool(rep.valid_until and rep.valid_until < today)
            age = _age_on(rep.person.birth_date, today)
            states.append(
                _RepresentativeState(
                    rep=rep,
                    used=rep.pk in in_use,
                    represented={
                        "id": rep.represented_id,
                        "full_name": rep.represented.full_name,
                        "personal_id": rep.represented.personal_id,
                    },
                    words={
                        "kind": rep.get_kind_display().lower(),
                        "name": rep.person.full_name,
                        "until": rep.valid_until.strftime("%d/%m/%Y") if rep.valid_until else "",
                    },
                    expired=expired,
                    expiring=bool(not expired and rep.valid_until and rep.valid_until <= soon),
                    age=age,
                    under_age=(
                        today.year - rep.person.birth_year < ADULT_AGE
                        if age is None
                        else age < ADULT_AGE
                    ),
                )
            )
        return states

    def current_representatives(self) -> Iterator[_RepresentativeState]:
        """Those still valid today: an expired one is reported as expired, nothing else."""
        return (state for state in self.representatives if not state.expired)

    @cached_property
    def enrolments_to_look_at(self) -> list[Beneficiary]:
        """Live enrolments of the dead, or with a year-only birth in a category with age bounds."""
        enrolments = (
            self.live_enrolments()
            .filter(
                Q(person__date_of_death__isnull=False)
                | (
                    Q(person__birth_date__isnull=True)
                    & (Q(category__age_from__isnull=False) | Q(category__age_below__isnull=False))
                )
            )
            .select_related("person", "programme", "category")
            .order_by("person__sort_name", "pk")
        )
        return list(enrolments.iterator(chunk_size=2000))
