"""The amount in force of an enrolment, as a subquery (the lists, the report, the pages)."""

from __future__ import annotations

import datetime

from django.db.models import OuterRef, QuerySet

from amounts.models import Entitlement


def entitlement_in_force(month: datetime.date) -> QuerySet[Entitlement]:
    """Per enrolment (OuterRef "pk"), its entitlements in force in ``month``, latest first."""
    return Entitlement.objects.filter(beneficiary=OuterRef("pk"), from_month__lte=month).order_by(
        "-from_month"
    )
