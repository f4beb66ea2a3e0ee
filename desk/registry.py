"""Read queries of the registry pages: scoped, annotated, constant in query count."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import MutableMapping

from django.db.models import Case, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When

from accounts.models import PaymentAccount
from amounts.queries import entitlement_in_force
from beneficiaries.access import beneficiaries_for, commune_ids_for
from beneficiaries.models import Beneficiary, Category, Village
from core import roles
from core.access import has_any_role
from core.rules.names import fold_name
from registration.models import PaymentMethodRegistration

#: The registry list's sortable columns: the key in the address, then what the
#: column sorts on first. Ties go by name (given name first, as Vietnamese lists
#: are read: ``Person.sort_name``), then by enrolment.
SORTS: dict[str, str] = {
    "ten": "name",
    "ngay-sinh": "birth",
    "thon": "village",
    "chuong-trinh": "programme",
    "dien": "category",
    "trang-thai": "status",
}
DEFAULT_SORT = "ten"

_STATUS_ORDER = Case(
    *(
        When(status=value, then=Value(index))
        for index, value in enumerate(Beneficiary.Status.values)
    ),
    output_field=IntegerField(),
)


def parse_sort(value: str | None) -> tuple[str, bool]:
    """``"-thon"`` → ``("thon", True)``: the column key and whether it is descending;
    an unknown key is the default (name, ascending)."""
    text = (value or "").strip()
    descending = text.startswith("-")
    key = text.removeprefix("-")
    if key not in SORTS:
        return DEFAULT_SORT, False
    return key, descending


def _alphabetical(items, path: str) -> Case:
    """The rank of each ``(pk, name)`` in Vietnamese alphabetical order (folded: the
    database's collation puts "Đ" after "Z"), matched on ``path``; NULL for none."""
    ordered = sorted(items, key=lambda item: (fold_name(item[1]), item[1]))
    return Case(
        *(When(**{path: pk}, then=Value(rank)) for rank, (pk, _name) in enumerate(ordered)),
        default=Value(None),
        output_field=IntegerField(),
    )


def sort_order(value: str | None, *, user=None) -> list:
    """The ORDER BY of a sort key: its column first (descending when asked), then
    the name and the enrolment ascending, so equal values keep a stable order.
    Villages and categories go in alphabetical order (the villages of ``user``'s
    communes)."""
    key, descending = parse_sort(value)
    by_name = [F("person__sort_name").asc(), F("pk").asc()]
    kind = SORTS[key]

    def term(expression):
        # A blank (no village) goes last either way.
        return expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)

    if kind == "name":
        name = F("person__sort_name")
        return [name.desc() if descending else name.asc(), F("pk").asc()]
    if kind == "birth":
        # A year alone (no full date) comes before the dates of that year.
        date = F("person__birth_date")
        first = date.desc(nulls_last=True) if descending else date.asc(nulls_first=True)
        return [term(F("person__birth_year")), first, *by_name]
    if kind == "village":
        villages = Village.objects.all()
        if user is not None and not user.is_superuser:
            villages = villages.filter(commune_id__in=commune_ids_for(user))
        rank = _alphabetical(villages.values_list("pk", "name"), "person__village_id")
        return [term(rank), *by_name]
    if kind == "programme":
        return [term(F("programme__order")), term(F("programme__code")), *by_name]
    if kind == "category":
        rank = _alphabetical(Category.objects.values_list("pk", "short_name"), "category_id")
        return [term(rank), *by_name]
    return [term(_STATUS_ORDER), *by_name]


#: Searches kept in the session, by an opaque key: a personal ID or an account
#: number typed in the search box never appears in an address, the browser's
#: history or the server's logs.
SEARCH_SESSION_KEY = "registry_searches"
SEARCHES_KEPT = 20


def remember_search(session: MutableMapping, term: str) -> str:
    """Keep ``term`` in the session and return the key the list's address carries."""
    searches: dict[str, str] = dict(session.get(SEARCH_SESSION_KEY) or {})
    for key, kept in searches.items():
        if kept == term:
            return key
    key = secrets.token_urlsafe(6)
    searches[key] = term
    # The oldest go first (dicts keep insertion order).
    session[SEARCH_SESSION_KEY] = dict(list(searches.items())[-SEARCHES_KEPT:])
    return key


def recall_search(session: MutableMapping, key: str | None) -> str | None:
    """The term kept under ``key``; ``None`` when the key is unknown (another session,
    or a search so old it was dropped)."""
    if not key:
        return None
    return (session.get(SEARCH_SESSION_KEY) or {}).get(key)


def with_current_terms(qs: QuerySet[Beneficiary], *, on: datetime.date) -> QuerySet[Beneficiary]:
    """Annotate each enrolment with its amount and its registration in force in
    ``on``'s month: what that month's payment cycle pays."""
    month = on.replace(day=1)
    current = PaymentMethodRegistration.objects.in_force_for(OuterRef("pk"), month)
    return qs.annotate(
        current_amount=Subquery(entitlement_in_force(month).values("amount")[:1]),
        current_method=Subquery(current.values("method")),
        current_account_number=Subquery(current.values("account__number")),
        current_bank=Subquery(current.values("account__bank__short_name")),
    )


def search_registry(
    user,
    *,
    on: datetime.date,
    q: str = "",
    programme=None,
    category=None,
    village=None,
    status: str = "",
    method: str = "",
    sort: str = DEFAULT_SORT,
) -> QuerySet[Beneficiary]:
    """The registry list of a user's communes, searched, filtered and sorted.

    A query of digits looks up personal IDs and account numbers (prefix);
    anything else is a name, matched folded so that "nguyen thi hang" finds
    "Nguyễn Thị Hằng". ``sort`` is a key of :data:`SORTS`, ``-`` before it
    for the descending order; an unknown key sorts by name.
    """
    qs = beneficiaries_for(user).select_related(
        "person", "person__village", "programme", "category", "commune"
    )
    term = q.strip()
    compact = term.replace(" ", "").replace(".", "")
    if compact.isdigit():
        match = Q(person__personal_id__startswith=compact)
        if has_any_role(user, roles.CAN_SEE_MONEY):
            # Only roles that see accounts may find people by one.
            holders = PaymentAccount.objects.filter(number__startswith=compact).values("holder_id")
            receivers = PaymentMethodRegistration.objects.filter(
                account__number__startswith=compact
            ).values("beneficiary_id")
            match |= Q(person_id__in=holders) | Q(pk__in=receivers)
        qs = qs.filter(match)
    elif term:
        qs = qs.filter(person__name_folded__contains=fold_name(term))
    if programme:
        qs = qs.filter(programme=programme)
    if category:
        qs = qs.filter(category=category)
    if village:
        qs = qs.filter(person__village=village)
    if status:
        qs = qs.filter(status=status)
    qs = with_current_terms(qs, on=on)
    if method == "none":
        qs = qs.filter(current_method__isnull=True)
    elif method:
        qs = qs.filter(current_method=method)
    return qs.order_by(*sort_order(sort, user=user))
