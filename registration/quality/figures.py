"""The data-quality figures: findings counted by kind, and the police's progress
over the people a commune pays (the page, the dashboard, the monthly report)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Q

from beneficiaries.models import Beneficiary, Commune, Person, Representative
from beneficiaries.models.checks import Verification, verification_filter, with_verification
from registration.quality.findings import KINDS, Finding


def summarise(findings: Iterable[Finding]) -> list[dict]:
    """Counts per kind for the page and the command: kind, title, blocking, count."""
    counts: dict[tuple[str, bool], int] = defaultdict(int)
    for finding in findings:
        counts[(finding.kind, finding.blocking)] += 1
    order = list(KINDS)
    return [
        {"kind": kind, "title": str(KINDS[kind].title), "blocking": blocking, "count": n}
        for (kind, blocking), n in sorted(
            counts.items(), key=lambda i: (not i[0][1], order.index(i[0][0]))
        )
    ]


def verification_summary(commune: Commune, period: datetime.date | None = None) -> list[dict]:
    """How many of the people the commune pays (beneficiaries of live enrolments
    and their representatives) are in each verification state; with ``period``,
    of the enrolments the commune held in that month (a month before a merger)."""
    enrolments = (
        Beneficiary.objects.filter(commune=commune)
        if period is None
        else Beneficiary.objects.of_commune_in(commune, period)
    )
    live = enrolments.exclude(status=Beneficiary.Status.ENDED)
    people = with_verification(
        Person.objects.filter(
            Q(pk__in=live.values("person_id"))
            | Q(
                pk__in=Representative.objects.filter(represented__enrolments__in=live).values(
                    "person_id"
                )
            )
        )
    )
    counts = people.aggregate(
        **{state.value: Count("pk", filter=verification_filter(state)) for state in Verification}
    )
    return [
        {"state": state.value, "label": state.label, "count": counts[state.value]}
        for state in Verification
    ]
