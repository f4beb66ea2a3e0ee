"""Operations on the registry: one function per thing a user does.

Each runs in one transaction; the history row records the acting user
(django-simple-history reads ``_history_user``). Each checks the actor's role
first (:func:`core.access.require_actor`; ``None`` is the system: an import
job, the demo), as every app's services do.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.models import (
    Beneficiary,
    Category,
    Commune,
    EnrolmentCondition,
    IdentityCheck,
    Person,
    Programme,
    Province,
    Representative,
    merged_commune_problem,
)
from beneficiaries.models.checks import (
    Verification,
    check_problem,
    verification_state,
    with_verification,
)
from core import roles
from core.access import require_actor
from core.rules.ages import age_in_month, age_problem
from core.rules.cccd import CccdError, check_cccd_against_record, parse_cccd
from core.rules.money import format_amount


class RegistryError(Exception):
    """A registry operation refused, with a message for the officer.

    ``field``: the form field the message belongs to, when it is about one.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


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
        % {"id": person.personal_id},
        field="personal_id",
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


AGE = "age"


def _months(start: datetime.date, end: datetime.date | None) -> str:
    """ "07/2025 – 12/2025" (``end`` the first month not included), or "từ 07/2025"."""
    if end is None:
        return _("từ tháng %(start)s") % {"start": f"{start:%m/%Y}"}
    last = (end - datetime.timedelta(days=1)).replace(day=1)
    if last == start:
        return _("trong tháng %(start)s") % {"start": f"{start:%m/%Y}"}
    return _("trong các tháng %(start)s – %(last)s") % {
        "start": f"{start:%m/%Y}",
        "last": f"{last:%m/%Y}",
    }


def age_rule_problem(person: Person, category: Category, month: datetime.date) -> str | None:
    """Why ``person`` is outside the age bounds of ``category`` in ``month``, or None.

    The age is the one reached by the end of the month; a year-only birth counts
    as 1 January (:func:`core.rules.ages.age_in_month`).
    """
    age = age_in_month(person.birth_date, person.birth_year, month)
    problem = age_problem(age, category.age_from, category.age_below)
    if problem is None:
        return None
    born = _("sinh năm %(year)d") % {"year": person.birth_year}
    if person.birth_date:
        born = _("sinh ngày %(day)s") % {"day": f"{person.birth_date:%d/%m/%Y}"}
    if problem == "young":
        bound = _("từ đủ %(age)d tuổi") % {"age": category.age_from}
    else:
        bound = _("dưới %(age)d tuổi") % {"age": category.age_below}
    return _(
        "%(name)s (%(born)s) đến tháng %(month)s mới %(age)d tuổi: diện “%(category)s” "
        "dành cho người %(bound)s."
    ) % {
        "name": person.full_name,
        "born": born,
        "month": f"{month:%m/%Y}",
        "age": age,
        "category": category.short_name,
        "bound": bound,
    }


def conditions_problem(
    person: Person,
    category: Category,
    month: datetime.date,
    conditions: list[EnrolmentCondition] | None = None,
) -> str | None:
    """Which declared condition the category requires is missing for ``month``, or None.

    ``conditions`` are the person's declared conditions to consider (a form or an
    import passes the ones it is about to save with those already saved);
    ``None``: the saved ones.
    """
    kinds = [kind for kind in category.required if kind != AGE]
    if not kinds:
        return None
    if conditions is None:
        conditions = list(person.conditions.all()) if person.pk else []
    for kind in kinds:
        if not any(c.kind == kind and c.holds_in(month) for c in conditions):
            return _(
                "Diện “%(category)s” cần giấy tờ xác nhận “%(condition)s” còn hiệu lực trong "
                "tháng %(month)s: ghi giấy tờ và ngày của giấy tờ."
            ) % {
                "category": category.short_name,
                "condition": dict(EnrolmentCondition.Kind.choices).get(kind, kind),
                "month": f"{month:%m/%Y}",
            }
    return None


def exclusion_problem(
    beneficiary: Beneficiary, others: list[Beneficiary] | None = None
) -> str | None:
    """Another enrolment of the person whose category may not be held in the same
    month as this one (``Category.excludes``, e.g. BTXH_K5C and hưu trí xã hội),
    overlapping it: which one and which months; or None.

    ``others``: the person's other enrolments to compare with (an import adds
    those it plans); ``None``: the saved ones.
    """
    category = beneficiary.category
    excluded = {c.pk for c in category.excludes.all()} if category.pk else set()
    if not excluded:
        return None
    if others is None:
        others = (
            list(
                Beneficiary.objects.filter(person=beneficiary.person_id)
                .exclude(pk=beneficiary.pk)
                .select_related("category", "programme")
            )
            if beneficiary.person_id
            else []
        )
    start, end = beneficiary.start_month, beneficiary.end_month
    for other in others:
        if other is beneficiary or (other.pk and other.pk == beneficiary.pk):
            continue
        if other.category_id not in excluded:
            continue
        if (end is not None and other.start_month >= end) or (
            other.end_month is not None and start >= other.end_month
        ):
            continue
        first = max(start, other.start_month)
        ends = [e for e in (end, other.end_month) if e is not None]
        return _(
            "Người này đang hưởng diện “%(other)s” (%(programme)s, %(period)s): không được "
            "cùng hưởng diện “%(category)s” %(months)s."
        ) % {
            "other": other.category.short_name,
            "programme": other.programme.short_name,
            "period": _months(other.start_month, other.end_month),
            "category": category.short_name,
            "months": _months(first, min(ends) if ends else None),
        }
    return None


def programme_start_problem(programme: Programme, month: datetime.date) -> str | None:
    """Why an enrolment of ``programme`` cannot start in ``month`` (the programme does
    not exist yet), or None."""
    if programme.runs_in(month):
        return None
    return _(
        "Chương trình %(programme)s chỉ có từ tháng %(start)s: không hưởng từ tháng %(month)s."
    ) % {
        "programme": programme.short_name,
        "start": f"{programme.starts_from:%m/%Y}",
        "month": f"{month:%m/%Y}",
    }


def enrolment_problem(
    beneficiary: Beneficiary,
    *,
    conditions: list[EnrolmentCondition] | None = None,
    others: list[Beneficiary] | None = None,
) -> str | None:
    """Why an enrolment cannot be saved as it is (a form shows it on the form), or None.

    The one rule for every way an enrolment is made (the person page, the
    admin, the import, a move between programmes): the category belongs to the
    programme, the commune is the person's, the programme exists in the start
    month, the age and the declared conditions the category requires are met
    in the start month (checked when the enrolment is new or its category or
    start month changes), and no enrolment the category excludes overlaps it.
    """
    category = beneficiary.category
    if category.programme_id != beneficiary.programme_id:
        return _("Diện đối tượng không thuộc chương trình đã chọn.")
    if beneficiary.commune_id != beneficiary.person.commune_id:
        return _("Đối tượng phải thuộc xã của người hưởng.")
    problem = merged_commune_problem(beneficiary.commune, timezone.localdate())
    if problem:
        return problem
    month = beneficiary.start_month
    if month is None:
        return None
    problem = programme_start_problem(category.programme, month)
    if problem:
        return problem
    if _eligibility_to_check(beneficiary):
        person = beneficiary.person
        if AGE in category.required:
            problem = age_rule_problem(person, category, month)
            if problem:
                return problem
        problem = conditions_problem(person, category, month, conditions)
        if problem:
            return problem
    return exclusion_problem(beneficiary, others)


def _eligibility_to_check(beneficiary: Beneficiary) -> bool:
    """New, or its category or start month changed: what was met when it was
    decided is not asked again of an enrolment edited later."""
    if beneficiary.pk is None:
        return True
    saved = (
        Beneficiary.objects.filter(pk=beneficiary.pk)
        .values_list("category_id", "start_month")
        .first()
    )
    return saved != (beneficiary.category_id, beneficiary.start_month)


@transaction.atomic
def record_condition(
    person: Person,
    *,
    kind: str,
    document: str,
    document_date: datetime.date,
    valid_from: datetime.date,
    valid_until: datetime.date | None = None,
    actor,
) -> EnrolmentCondition:
    """Record a condition the person declared, with its document (kept as history)."""
    require_actor(actor, roles.CAN_EDIT_REGISTRY)
    condition = EnrolmentCondition(
        person=person,
        kind=kind,
        document=document.strip(),
        document_date=document_date,
        valid_from=valid_from,
        valid_until=valid_until,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    problem = condition_problem(condition)
    if problem:
        raise RegistryError(problem)
    _stamp(condition, actor)
    condition.save()
    return condition


def condition_problem(condition: EnrolmentCondition) -> str | None:
    """Why a declared condition cannot be recorded as it is, or None."""
    if condition.kind not in EnrolmentCondition.Kind.values:
        return _("Loại điều kiện không hợp lệ.")
    if not condition.document:
        return _("Ghi tên/số giấy tờ chứng minh điều kiện “%(kind)s”.") % {
            "kind": EnrolmentCondition.Kind(condition.kind).label
        }
    if condition.document_date is None:
        return _("Ghi ngày của giấy tờ “%(document)s”.") % {"document": condition.document}
    if condition.valid_until is not None and condition.valid_until < condition.valid_from:
        return _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.")
    return None


@transaction.atomic
def save_beneficiary(
    beneficiary: Beneficiary, *, actor, conditions: list[EnrolmentCondition] = ()
) -> Beneficiary:
    """Create or update an enrolment, with the conditions declared for it (unsaved
    ``EnrolmentCondition`` rows of its person, saved with it when it is accepted)."""
    require_actor(actor, roles.CAN_EDIT_REGISTRY)
    for condition in conditions:
        condition.person = beneficiary.person
        problem = condition_problem(condition)
        if problem:
            raise RegistryError(problem)
    # The person's row, locked: two enrolments saved at once for one person see
    # each other (the exclusion rule reads the person's other enrolments).
    Person.objects.select_for_update().filter(pk=beneficiary.person_id).first()
    saved = list(beneficiary.person.conditions.all()) if beneficiary.person_id else []
    problem = enrolment_problem(beneficiary, conditions=[*saved, *conditions])
    if problem:
        raise RegistryError(problem)
    _stamp(beneficiary, actor)
    beneficiary.save()
    for condition in conditions:
        condition.recorded_by = actor if getattr(actor, "pk", None) else None
        _stamp(condition, actor)
        condition.save()
    return beneficiary


def representative_problem(representative: Representative) -> str | None:
    """Why a representative link cannot be saved as it is, or None (the form asks too)."""
    if representative.person_id and representative.person_id == representative.represented_id:
        return _("Người nhận thay không thể là chính đối tượng.")
    start, end = representative.valid_from, representative.valid_until
    if start is None:
        return _("Ghi ngày giấy ủy quyền/quyết định giám hộ bắt đầu có hiệu lực.")
    if end is not None and end < start:
        return _("Ngày hết hiệu lực phải sau ngày bắt đầu.")
    if representative.person_id:
        twin = Representative.objects.filter(
            represented_id=representative.represented_id,
            person_id=representative.person_id,
            valid_from=start,
        ).exclude(pk=representative.pk)
        if twin.exists():
            return _(
                "%(name)s đã là người nhận thay của người này từ ngày %(day)s: "
                "sửa dòng đó thay vì thêm lần nữa."
            ) % {"name": representative.person.full_name, "day": f"{start:%d/%m/%Y}"}
    return None


@transaction.atomic
def save_representative(representative: Representative, *, actor) -> Representative:
    """Create or update who receives for a person: kind, relationship, the
    authorisation or guardianship document and its dates."""
    require_actor(actor, roles.CAN_EDIT_REGISTRY)
    # The represented person's row, locked: a form submitted twice saves once.
    Person.objects.select_for_update().filter(pk=representative.represented_id).first()
    problem = representative_problem(representative)
    if problem:
        raise RegistryError(problem)
    _check_open(representative.represented.commune)
    _stamp(representative, actor)
    try:
        # The constraint still guards two officers adding the same link at once.
        with transaction.atomic():
            representative.save()
    except IntegrityError:
        problem = representative_problem(representative)
        if problem:
            raise RegistryError(problem) from None
        raise
    return representative


@transaction.atomic
def add_representative(
    representative: Representative, *, new_person: Person | None = None, actor
) -> Representative:
    """Link a representative to the person they receive for; ``new_person``, a
    guardian or proxy not yet in the registry, is created first, in the
    represented person's commune and the same transaction (a refused link
    leaves no person behind).

    Whoever receives money for someone is paid against their ID: a new
    representative needs a CCCD.
    """
    require_actor(actor, roles.CAN_EDIT_REGISTRY)
    if new_person is not None:
        if not new_person.personal_id:
            raise RegistryError(
                _("Người nhận thay cần có số CCCD (để nhận tiền thay)."), field="personal_id"
            )
        new_person.commune = representative.represented.commune
        representative.person = save_person(new_person, actor=actor)
    return save_representative(representative, actor=actor)


def _current_fingerprint(person: Person) -> str:
    key = person.identity_key()
    if person.identity_fingerprint != key:
        # A row written before the digest existed, or by a raw update: refresh it.
        Person.objects.filter(pk=person.pk).update(identity_fingerprint=key)
        person.identity_fingerprint = key
    return key


def latest_check_id(person: Person) -> int:
    """The id of the person's latest check, 0 for none: what a check form has seen."""
    latest = IdentityCheck.objects.filter(person=person).order_by("-pk").first()
    return latest.pk if latest else 0


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
    card_id: str | None = None,
    seen_last_check: int | None = None,
) -> IdentityCheck:
    """Record one police check of a person as the record stands now.

    ``seen_last_check``: from a form, the id of the person's latest check when
    the form was shown (0: none). A check recorded since (the same form sent
    twice, or a colleague on the same person) refuses this one, so a double
    click records once and nobody writes over a result they have not seen.

    ``card_id``: the CCCD the police read on the person's card (normalised to
    12 digits). A number other than the record's cannot be a match; with a
    mismatch, the ID is among the fields that differ and the number read is
    kept with the check.
    """
    require_actor(actor, roles.CAN_CHECK_IDENTITY)
    differing = list(differing_fields or [])
    values = dict(population_values or {})
    if card_id:
        values.setdefault("personal_id", card_id)
        if card_id != person.personal_id:
            if result == IdentityCheck.Result.MATCH:
                raise RegistryError(
                    _(
                        "Số CCCD trên thẻ (%(card)s) khác số trong hồ sơ (%(record)s): không thể "
                        "ghi «khớp». Chọn «không khớp», hoặc sửa hồ sơ trước."
                    )
                    % {"card": card_id, "record": person.personal_id or _("chưa có")},
                    field="card_id",
                )
            if result == IdentityCheck.Result.MISMATCH and "personal_id" not in differing:
                differing.append("personal_id")
    problem = check_problem(result, differing, personal_id=person.personal_id)
    if problem:
        raise RegistryError(problem, field="result")
    if seen_last_check is not None:
        Person.objects.select_for_update().filter(pk=person.pk).first()
        if latest_check_id(person) != seen_last_check:
            latest = IdentityCheck.objects.filter(person=person).latest("pk")
            raise RegistryError(
                _(
                    "Đã có kết quả kiểm tra «%(result)s» được ghi lúc %(at)s, sau khi trang này "
                    "mở: không ghi thêm. Xem lại kết quả đó trước khi ghi lần khác."
                )
                % {
                    "result": latest.get_result_display(),
                    "at": timezone.localtime(latest.checked_at).strftime("%H:%M %d/%m/%Y"),
                }
            )
    return IdentityCheck.objects.create(
        person=person,
        result=result,
        differing_fields=differing,
        population_values=values,
        note=note,
        source=source,
        fingerprint=_current_fingerprint(person),
        checked_by=actor if getattr(actor, "pk", None) else None,
    )


@dataclass
class MatchesRecorded:
    """What the bulk «khớp» did: checks recorded, and the people it left alone."""

    recorded: int = 0
    #: Nobody without a CCCD is recorded «khớp».
    without_id: list[Person] = field(default_factory=list)
    #: Verified already, record unchanged since that match: nothing new to record.
    already_verified: list[Person] = field(default_factory=list)

    def message(self) -> str:
        """The one sentence the police read after the action."""
        parts = [
            _("Đã ghi %(count)s lần kiểm tra «khớp».")
            % {"count": format_amount(self.recorded, unit=False)}
        ]
        if self.without_id:
            parts.append(
                _("Bỏ qua %(count)s người chưa có số CCCD (không thể ghi «khớp»): %(names)s.")
                % {
                    "count": format_amount(len(self.without_id), unit=False),
                    "names": _names(self.without_id),
                }
            )
        if self.already_verified:
            parts.append(
                _("Bỏ qua %(count)s người đã xác thực, hồ sơ không đổi từ lần kiểm tra trước.")
                % {"count": format_amount(len(self.already_verified), unit=False)}
            )
        return " ".join(parts)


def _names(people: list[Person], shown: int = 10) -> str:
    names = ", ".join(person.full_name for person in people[:shown])
    if len(people) > shown:
        names += _(" và %(count)s người khác") % {
            "count": format_amount(len(people) - shown, unit=False)
        }
    return names


def plan_matches(people) -> MatchesRecorded:
    """Who the bulk «khớp» would record and whom it would leave out, without
    writing: the confirmation page shows it, :func:`record_matches` does it.
    ``recorded`` counts the checks it would write."""
    plan = MatchesRecorded()
    scope = Person.objects.filter(pk__in=people.values("pk"))
    for person in with_verification(scope).select_related("village").order_by("sort_name", "pk"):
        if not person.personal_id:
            plan.without_id.append(person)
        elif (
            verification_state(
                person.last_check_result, person.last_check_fingerprint, person.identity_key()
            )
            == Verification.VERIFIED
        ):
            plan.already_verified.append(person)
        else:
            plan.recorded += 1
    return plan


@transaction.atomic
def record_matches(people, *, actor) -> MatchesRecorded:
    """The police desk's bulk action: these people match the population database.

    A person without a CCCD is never recorded «khớp» (skipped and named); one
    already verified with the record unchanged is skipped too, so the action
    sent twice records once (the people's rows are locked while it runs).
    """
    require_actor(actor, roles.CAN_CHECK_IDENTITY)
    ids = list(
        Person.objects.select_for_update()
        .filter(pk__in=people.values("pk"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    scope = Person.objects.filter(pk__in=ids)
    done = MatchesRecorded()
    checks = []
    for person in with_verification(scope).select_related("village").order_by("sort_name", "pk"):
        if not person.personal_id:
            done.without_id.append(person)
            continue
        key = _current_fingerprint(person)
        if verification_state(person.last_check_result, person.last_check_fingerprint, key) == (
            Verification.VERIFIED
        ):
            done.already_verified.append(person)
            continue
        checks.append(
            IdentityCheck(
                person=person,
                result=IdentityCheck.Result.MATCH,
                fingerprint=key,
                checked_by=actor if getattr(actor, "pk", None) else None,
            )
        )
    IdentityCheck.objects.bulk_create(checks)
    done.recorded = len(checks)
    return done


__all__ = [
    "CccdError",
    "MatchesRecorded",
    "RegistryError",
    "add_representative",
    "age_rule_problem",
    "condition_problem",
    "conditions_problem",
    "enrolment_problem",
    "exclusion_problem",
    "known_provinces",
    "plan_matches",
    "record_check",
    "record_condition",
    "record_matches",
    "save_beneficiary",
    "save_person",
    "representative_problem",
    "save_representative",
    "validate_personal_id",
]
