"""Scoped look-ups of the registration pages (404 outside the user's communes, 403 by role)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from beneficiaries.access import beneficiaries_for, commune_ids_for
from beneficiaries.models import Beneficiary
from core import roles
from core.access import require_role
from registration.models import AccountOpeningRequest, OutreachActivity, ProgrammeTransfer


def get_beneficiary_for_edit(user, pk: int) -> Beneficiary:
    """An enrolment the user may register a method for."""
    require_role(user, roles.CAN_EDIT_REGISTRY)
    try:
        return beneficiaries_for(user).select_related("person", "programme", "category").get(pk=pk)
    except (Beneficiary.DoesNotExist, ValueError):
        raise Http404 from None


def account_requests_for(user) -> QuerySet[AccountOpeningRequest]:
    qs = AccountOpeningRequest.objects.all()
    if user.is_superuser:
        return qs
    return qs.filter(person__commune_id__in=commune_ids_for(user))


def get_account_request_for_edit(user, pk: int) -> AccountOpeningRequest:
    require_role(user, roles.CAN_EDIT_REGISTRY)
    try:
        return account_requests_for(user).select_related("person", "bank").get(pk=pk)
    except (AccountOpeningRequest.DoesNotExist, ValueError):
        raise Http404 from None


def outreach_for(user) -> QuerySet[OutreachActivity]:
    qs = OutreachActivity.objects.all()
    if user.is_superuser:
        return qs
    return qs.filter(commune_id__in=commune_ids_for(user))


def get_outreach_for_edit(user, pk: int) -> OutreachActivity:
    require_role(user, roles.CAN_EDIT_REGISTRY)
    try:
        return outreach_for(user).get(pk=pk)
    except (OutreachActivity.DoesNotExist, ValueError):
        raise Http404 from None


def transfers_for(user) -> QuerySet[ProgrammeTransfer]:
    """The moves between programmes of the user's communes (roles that see them)."""
    require_role(user, roles.CAN_SEE_TRANSFERS)
    qs = ProgrammeTransfer.objects.all()
    if user.is_superuser:
        return qs
    return qs.filter(commune_id__in=commune_ids_for(user))


def get_transfer_for(user, pk: int) -> ProgrammeTransfer:
    try:
        return (
            transfers_for(user)
            .select_related(
                "commune",
                "from_category__programme",
                "to_category__programme",
                "proposed_by",
                "approved_by",
            )
            .get(pk=pk)
        )
    except (ProgrammeTransfer.DoesNotExist, ValueError):
        raise Http404 from None
