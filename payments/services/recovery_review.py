"""The officer's "Rà soát ngay": look for recoveries in the commune now, not only
when the next cycle is built.

The rule is :func:`payments.services.recoveries.detect_recoveries`, run over
the enrolments the commune holds this month (as a cycle build does). The
commune's row is locked first, as :func:`payments.services.cycles.open_cycle`
locks it, so a double click, or a review while a cycle is being built, runs
one after the other: the second finds nothing new.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.models import Beneficiary, Commune, merged_commune_problem
from core import roles
from core.access import require_actor
from core.rules.months import first_of_month
from payments.services.recoveries import Detection, RecoveryError, detect_recoveries


@transaction.atomic
def review_commune(commune: Commune, *, actor, today: datetime.date | None = None) -> Detection:
    """Detect the commune's recoveries now; a second run finds nothing to do."""
    require_actor(actor, roles.CAN_PREPARE_CYCLES)
    month = first_of_month(today or timezone.localdate())
    commune = Commune.objects.select_for_update().get(pk=commune.pk)
    problem = merged_commune_problem(commune, month)
    if problem:
        raise RecoveryError(problem)
    return detect_recoveries(
        Beneficiary.objects.of_commune_in(commune, month),
        actor=actor,
        reason=_("Rà soát thu hồi ngày %(day)s") % {"day": f"{timezone.localdate():%d/%m/%Y}"},
    )
