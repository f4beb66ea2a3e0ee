"""Operations on the registry: one function per thing a user does.

Each runs in one transaction; the history row records the acting user
(django-simple-history reads ``_history_user``). Each checks the actor's role
first (:func:`core.access.require_actor`; ``None`` is the system: an import
job, the demo), as every app's services do.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.models import (
    Beneficiary,
    Commune,
    IdentityCheck,
    Person,
    Province,
    Representative,
    merged_commune_problem,
)
from beneficiaries.models.checks import check_problem
from core import roles
from core.access import require_actor
from core.rules.cccd import CccdError, check_cccd_against_record, parse_cccd


class RegistryError(Exception):
    """A registry operation refused, with a message for the officer."""


def known_provinces() -> frozenset[str]:
    """Province codes that open a CCCD, from the reference table."""
    return _known_provinces_cached(Province.objects.count())


@lru_cache(maxsize=4)
def _known_provinces_cached(_count: int) -> frozenset[str]:
    # Keyed on the row count so that loading the reference data refreshes it.
    return frozenset(Province.objects.values_list("code", flat=True))


def validate_personal_id(
    number: str, *, birth_year: int | None, male: bool | None, today: datetime.date
) -> list[str]:
    """Raise CccdError for a malformed number; return warnings for disagreements."""
    info = parse_cccd(number, known_provinces=known_provinces(), today=today)
    return [str(w) for w in check_cccd_against_record(info, birth_year=birth_year, male=male)]


def _stamp(instance, actor) -> None:
    instance._history_user = actor


def _check_open(commune: Commune) -> None:
    """A merged commune's registry is read-only from its merger on."""
    problem = merged_commune_problem(commune, timezone.localdate())
    if problem:
        raise RegistryError(problem)


@transaction.atomic
def save_person(person: Person, *, actor) -> Person:
    """Create or update a person (the form has validated the fields)."""
    require_actor(actor, roles.CAN_EDIT_REGISTRY)
    _check_open(person.commune)
    # No name in the message: the other person may be in a commune the actor cannot see.
    taken = RegistryError(
        _("Số CCCD %(id)s đã được dùng cho một người khác trong hệ thống.")
        % {"id": person.personal_id}
    )
    if person.personal_id:
        if Person.objects.filter(personal_id=person.personal_id).exclude(pk=person.pk).exists():
            raise taken
    _stamp(person, actor)
    try:
        # The unique constraint still guards two officers saving the same ID at once.
        with transaction.atomic():
            person.save()
    except IntegrityError:
        if person.personal_id and Person.objects.filter(personal_id=person.personal_id).exists():
            raise taken from None
        raise
    return person


def enrolment_problem(beneficiary: Beneficiary) -> str | None:
    """Why an enrolment cannot be saved as it is (a form shows it on the form), or None."""
    if beneficiary.category.programme_id != beneficiary.programme_id:
        return _("Diện đối tượng không thuộc chương trình đã chọn.")
    if beneficiary.commune_id != beneficiary.person.commune_id:
        return _("Đối tượng phải thuộc xã của người hưởng.")
    return merged_commune_problem(beneficiary.commune, timezone.localdate())


@transaction.atomic
def save_beneficiary(beneficiary: Beneficiary, *, actor) -> Beneficiary:
    require_actor(actor, roles.CAN_EDIT_REGISTRY)
    problem = enrolment_problem(beneficiary)
    if problem:
        raise RegistryError(problem)
    _stamp(beneficiary, actor)
    beneficiary.save()
    return beneficiary


@transaction.atomic
def save_representative(representative: Representative, *, actor) -> Representative:
    require_actor(actor, roles.CAN_EDIT_REGISTRY)
    if representative.person_id == representative.represented_id:
        raise RegistryError(_("Người nhận thay không thể là chính đối tượng."))
    _check_open(representative.represented.commune)
    _stamp(representative, actor)
    representative.save()
    return representative


def _current_fingerprint(person: Person) -> str:
    key = person.identity_key()
    if person.identity_fingerprint != key:
        # A row written before the digest existed, or by a raw update: refresh it.
        Person.objects.filter(pk=person.pk).update(identity_fingerprint=key)
        person.identity_fingerprint = key
    return key


@transaction.atomic
def record_check(
    person: Person,
    *,
    result: str,
    actor,
    differing_fields: list[str] | None = None,
    population_values: dict | None = None,
    note: str = "",
    source: str = IdentityCheck.Source.MANUAL,
) -> IdentityCheck:
    """Record one police check of a person as the record stands now."""
    require_actor(actor, roles.CAN_CHECK_IDENTITY)
    problem = check_problem(result, differing_fields or [])
    if problem:
        raise RegistryError(problem)
    return IdentityCheck.objects.create(
        person=person,
        result=result,
        differing_fields=differing_fields or [],
        population_values=population_values or {},
        note=note,
        source=source,
        fingerprint=_current_fingerprint(person),
        checked_by=actor if getattr(actor, "pk", None) else None,
    )


@transaction.atomic
def record_matches(people, *, actor) -> int:
    """The police desk's bulk action: these people match the population database."""
    require_actor(actor, roles.CAN_CHECK_IDENTITY)
    checks = [
        IdentityCheck(
            person=person,
            result=IdentityCheck.Result.MATCH,
            fingerprint=_current_fingerprint(person),
            checked_by=actor,
        )
        for person in people.select_related("village")
    ]
    IdentityCheck.objects.bulk_create(checks)
    return len(checks)


__all__ = [
    "CccdError",
    "RegistryError",
    "enrolment_problem",
    "known_provinces",
    "record_check",
    "record_matches",
    "save_beneficiary",
    "save_person",
    "save_representative",
    "validate_personal_id",
]
