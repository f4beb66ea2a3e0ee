"""The monthly job: open the month's cycle for every commune that has none yet.

Only for communes that already pay through the system: a commune's first cycle
decides from which month arrears are counted, so a person opens it, never the
job.

The beat runs the task ``payments.request_monthly_cycles`` on the 1st; it
queues one job per commune of :func:`cycles_to_open`, and each job runs
:func:`open_cycle_if_absent`. A commune whose
officer already opened the month (a draft, perhaps checked and about to be
approved) or a later one is left alone: the job never rebuilds a draft
silently and never touches an approved cycle.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from beneficiaries.models import Commune
from core.rules.months import first_of_month
from payments.models import PaymentCycle
from payments.services.cycles import BuildResult, open_cycle


def active_communes() -> QuerySet[Commune]:
    """Communes that still exist on their own (a merged one is paid by its successor)."""
    return Commune.objects.filter(merged_into__isnull=True).order_by("code")


@transaction.atomic
def open_cycle_if_absent(commune: Commune, period: datetime.date) -> BuildResult | None:
    """Open ``period``'s draft for the system, unless the commune has it or a later one."""
    period = first_of_month(period)
    # The same lock open_cycle takes: a person's click and this job build one after the other.
    Commune.objects.select_for_update().get(pk=commune.pk)
    if PaymentCycle.objects.filter(commune=commune, period__gte=period).exists():
        return None
    return open_cycle(commune, period, actor=None)


def communes_without_cycle(period: datetime.date) -> QuerySet[Commune]:
    """Active communes that have paid through the system before (themselves, or a
    commune merged into them) and lack this month."""
    opened = PaymentCycle.objects.filter(period=period).values("commune_id")
    started = PaymentCycle.objects.filter(period__lt=period).values("commune_id")
    merged_in = Commune.objects.filter(pk__in=started, merged_into__isnull=False).values(
        "merged_into_id"
    )
    return active_communes().filter(Q(pk__in=started) | Q(pk__in=merged_in)).exclude(pk__in=opened)


def cycles_to_open(today: datetime.date | None = None) -> tuple[datetime.date, list[int]]:
    """This month, and the active communes without its cycle (primary keys): what the
    monthly task fans out, one job per commune."""
    period = first_of_month(today or timezone.localdate())
    return period, list(communes_without_cycle(period).values_list("pk", flat=True))
