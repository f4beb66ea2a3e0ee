"""Read queries of the registry pages: scoped, annotated, constant in query count."""

from __future__ import annotations

import datetime

from django.db.models import OuterRef, Q, QuerySet, Subquery

from accounts.models import PaymentAccount
from amounts.queries import entitlement_in_force
from beneficiaries.access import beneficiaries_for
from beneficiaries.models import Beneficiary
from core import roles
from core.access import has_any_role
from core.rules.names import fold_name
from registration.models import PaymentMethodRegistration


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
) -> QuerySet[Beneficiary]:
    """The registry list of a user's communes, searched and filtered.

    A query of digits looks up personal IDs and account numbers (prefix);
    anything else is a name, matched folded so that "nguyen thi hang" finds
    "Nguyễn Thị Hằng".
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
    return qs.order_by("person__sort_name", "pk")
