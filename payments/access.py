"""Scoped look-ups of the cycle pages: 404 outside the user's communes, 403 by role.

The district (the paying office) sees a commune's cycles once submitted, not
its drafts, as it sees only the registration lists that were sent. A user
limited to some programmes (``beneficiaries.access.programme_ids_for``) sees
the cycles that pay one of them, and in such a cycle only those programmes'
payments, with totals recomputed over them.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from beneficiaries.access import commune_ids_for, programme_condition, programme_ids_for
from core import roles
from core.access import has_any_role, require_role
from payments.models import Payment, PaymentCycle, Recovery
from payments.services.results import actor_may_correct


def sees_submitted_only(user) -> bool:
    return not has_any_role(user, roles.CAN_SEE_CYCLES - roles.SEES_SUBMITTED_CYCLES_ONLY)


def cycles_for(user) -> QuerySet[PaymentCycle]:
    """The cycles a user may see (403 for a role that sees none)."""
    require_role(user, roles.CAN_SEE_CYCLES)
    cycles = PaymentCycle.objects.all()
    if not user.is_superuser:
        cycles = cycles.filter(commune_id__in=commune_ids_for(user))
    if sees_submitted_only(user):
        cycles = cycles.filter(status__in=PaymentCycle.SENT_STATUSES)
    programme_ids = programme_ids_for(user)
    if programme_ids is not None:
        cycles = cycles.filter(
            Exists(
                Payment.objects.filter(
                    cycle=OuterRef("pk"), beneficiary__programme_id__in=programme_ids
                )
            )
        )
    return cycles


def get_cycle_for(user, pk: int) -> PaymentCycle:
    try:
        return (
            cycles_for(user)
            .select_related("commune", "prepared_by", "approved_by", "submitted_by", "closed_by")
            .get(pk=pk)
        )
    except (PaymentCycle.DoesNotExist, ValueError):
        raise Http404 from None


def get_cycle_to_act(user, pk: int, allowed: frozenset[str]) -> PaymentCycle:
    """A cycle the user may act on: 404 outside their communes, 403 for another role."""
    cycle = get_cycle_for(user, pk)
    require_role(user, allowed)
    return cycle


def get_payment_to_switch(user, pk: int) -> Payment:
    """A payment of a visible cycle that the officer may switch to cash."""
    try:
        payment = (
            Payment.objects.select_related("cycle__commune")
            .filter(programme_condition(user, "beneficiary__programme"), cycle__in=cycles_for(user))
            .get(pk=pk)
        )
    except (Payment.DoesNotExist, ValueError):
        raise Http404 from None
    require_role(user, roles.CAN_PREPARE_CYCLES)
    return payment


def get_payment_to_correct(user, pk: int) -> Payment:
    """A payment of a visible cycle whose recorded result the user may correct
    (:func:`payments.services.results.may_correct`): 404 outside what they see, 403
    for a role that may not correct it (the officer in a closed cycle, the leader)."""
    try:
        payment = (
            Payment.objects.select_related("cycle__commune", "beneficiary__person", "recorded_by")
            .filter(programme_condition(user, "beneficiary__programme"), cycle__in=cycles_for(user))
            .get(pk=pk)
        )
    except (Payment.DoesNotExist, ValueError):
        raise Http404 from None
    if not actor_may_correct(user, payment, payment.cycle.status):
        raise PermissionDenied
    return payment


def recoveries_for(user) -> QuerySet[Recovery]:
    """The recoveries of the user's communes and programmes (403 for a role that sees none)."""
    require_role(user, roles.CAN_SEE_RECOVERIES)
    recoveries = Recovery.objects.filter(programme_condition(user, "beneficiary__programme"))
    if not user.is_superuser:
        recoveries = recoveries.filter(beneficiary__commune_id__in=commune_ids_for(user))
    return recoveries


def get_recovery_for(user, pk: int) -> Recovery:
    """A recovery the user may read: 404 outside their communes, 403 for another role."""
    try:
        return (
            recoveries_for(user)
            .select_related("beneficiary__person__village", "beneficiary__programme", "created_by")
            .get(pk=pk)
        )
    except (Recovery.DoesNotExist, ValueError):
        raise Http404 from None


def get_recovery_to_act(user, pk: int) -> Recovery:
    """A recovery the user may record on (decision, repayment, waiver)."""
    recovery = get_recovery_for(user, pk)
    require_role(user, roles.CAN_PREPARE_CYCLES)
    return recovery
