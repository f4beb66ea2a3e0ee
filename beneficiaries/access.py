"""Who may reach what: every view and admin queryset goes through here.

A user reaches only the communes they are a member of (district users: many),
and, when their account names programmes (``ProgrammeAccess``: the Sở Nội vụ
pays NCC, the Sở Y tế BTXH and HTXH), only those programmes' enrolments, and
the people on them. Another commune's or programme's object answers 404, as if
it did not exist; a role that may not act answers 403.
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404

from beneficiaries.models import Beneficiary, Commune, Person, ProgrammeAccess, Representative
from core import roles
from core.access import require_role


def communes_for(user) -> QuerySet[Commune]:
    """The communes a user may see; a superuser sees all. A commune merged into
    one of the user's is theirs too: its lists, cycles and reports of the months
    before the merger (it holds no people any more)."""
    if not user.is_authenticated:
        return Commune.objects.none()
    if user.is_superuser:
        return Commune.objects.all()
    mine = Commune.objects.filter(members=user).values("pk")
    return Commune.objects.filter(Q(pk__in=mine) | Q(merged_into__in=mine))


def open_communes_for(user) -> QuerySet[Commune]:
    """The user's communes that take new records: not merged into another (a form's
    choices; a merged commune's registry is its successor's)."""
    return communes_for(user).filter(merged_into__isnull=True)


def commune_ids_for(user) -> list[int]:
    cached = getattr(user, "_commune_ids", None)
    if cached is None:
        cached = list(communes_for(user).values_list("pk", flat=True))
        user._commune_ids = cached
    return cached


def programme_ids_for(user) -> list[int] | None:
    """The programmes a user is limited to, or ``None`` for every programme
    (no ``ProgrammeAccess`` row: a commune's staff, a superuser)."""
    if not user.is_authenticated or user.is_superuser:
        return None
    cached = getattr(user, "_programme_ids", False)
    if cached is False:
        ids = list(
            ProgrammeAccess.objects.filter(user=user)
            .order_by("programme_id")
            .values_list("programme_id", flat=True)
        )
        cached = ids or None
        user._programme_ids = cached
    return cached


def programme_condition(user, path: str = "programme") -> Q:
    """``Q()`` for a user who sees every programme, else ``<path>__in`` their programmes:
    the one condition every scoped look-up of an object with a programme adds."""
    ids = programme_ids_for(user)
    return Q() if ids is None else Q(**{f"{path}__in": ids})


def people_for(user) -> QuerySet[Person]:
    """The people of the user's communes; for a programme-limited user, those
    enrolled in one of their programmes or receiving for such a person."""
    people = Person.objects.all()
    if not user.is_superuser:
        people = people.filter(commune_id__in=commune_ids_for(user))
    ids = programme_ids_for(user)
    if ids is not None:
        enrolled = Beneficiary.objects.filter(programme_id__in=ids)
        people = people.filter(
            Exists(enrolled.filter(person=OuterRef("pk")))
            | Exists(
                Representative.objects.filter(
                    person=OuterRef("pk"),
                    represented__in=enrolled.values("person_id"),
                )
            )
        )
    return people


def beneficiaries_for(user) -> QuerySet[Beneficiary]:
    if user.is_superuser:
        return Beneficiary.objects.all()
    return Beneficiary.objects.filter(
        programme_condition(user), commune_id__in=commune_ids_for(user)
    )


def get_person_for(user, pk: int) -> Person:
    """A person the user may see, or 404 (another commune's person does not exist for them)."""
    require_role(user, roles.CAN_SEE_REGISTRY)
    try:
        return people_for(user).select_related("commune", "village").get(pk=pk)
    except (Person.DoesNotExist, ValueError):
        raise Http404 from None


def get_person_for_edit(user, pk: int) -> Person:
    """A person the user may edit: 404 outside their communes, 403 for a read-only role."""
    person = get_person_for(user, pk)
    require_role(user, roles.CAN_EDIT_REGISTRY)
    return person


def get_commune_for(user, pk: int) -> Commune:
    try:
        return communes_for(user).get(pk=pk)
    except (Commune.DoesNotExist, ValueError):
        raise Http404 from None


def chosen_commune(user, value: str | None) -> Commune | None:
    """The commune a page's ``xa`` parameter names (404 if not the user's), else
    the user's first commune by name (``None`` when they have none)."""
    communes = communes_for(user)
    if value:
        try:
            return communes.get(pk=value)
        except (Commune.DoesNotExist, ValueError):
            raise Http404 from None
    # A commune of one's own before one merged into it (which holds only old months).
    return communes.order_by(F("merged_into").asc(nulls_first=True), "name", "pk").first()


def page_commune(user, value: str | None) -> Commune:
    """:func:`chosen_commune` for a page that needs one: 404 when the user has none."""
    commune = chosen_commune(user, value)
    if commune is None:
        raise Http404
    return commune
