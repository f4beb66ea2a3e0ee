"""Scoped look-ups of the officer's desk: 404 outside the user's people, 403 for a read-only role."""

from __future__ import annotations

from django.http import Http404

from accounts.models import PaymentAccount
from beneficiaries.access import people_for
from beneficiaries.models import Representative
from core import roles
from core.access import require_role


def get_account_for_edit(user, pk: int) -> PaymentAccount:
    """An account held by a person the user may edit."""
    require_role(user, roles.CAN_EDIT_REGISTRY)
    try:
        return (
            PaymentAccount.objects.filter(holder__in=people_for(user))
            .select_related("holder", "bank")
            .get(pk=pk)
        )
    except (PaymentAccount.DoesNotExist, ValueError):
        raise Http404 from None


def get_representative_for_edit(user, pk: int) -> Representative:
    """A representative link of a person the user may edit."""
    require_role(user, roles.CAN_EDIT_REGISTRY)
    try:
        return (
            Representative.objects.filter(represented__in=people_for(user))
            .select_related("person", "represented__commune")
            .get(pk=pk)
        )
    except (Representative.DoesNotExist, ValueError):
        raise Http404 from None
