"""The dashboard's figures: how far a commune has come from cash, in a few grouped queries.

- *Now*: of the active enrolments, those whose registration in force this
  month is ``account`` (into an account, own or a representative's); an
  enrolment with no registration counts as not cashless.
- *Month by month*: the payments of the commune's last 12 cycles by method.
- Accounts requested vs opened, verification, this month's cycle, outreach.

Every figure is one grouped query, whatever the number of people.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum

from beneficiaries.models import Beneficiary, Commune
from documents.builders import once_sent
from documents.models import GeneratedFile
from payments.models import Payment, PaymentCycle
from payments.queries import with_shown_figures
from registration.models import AccountOpeningRequest, OutreachActivity, PaymentMethodRegistration

ACCOUNT = PaymentMethodRegistration.Method.ACCOUNT
MONTHS_SHOWN = 12


@dataclasses.dataclass
class Share:
    label: str
    total: int = 0
    cashless: int = 0

    @property
    def cash(self) -> int:
        return self.total - self.cashless

    @property
    def percent(self) -> float:
        """Rounded to one decimal; 0 when nobody is counted."""
        return round(100 * self.cashless / self.total, 1) if self.total else 0.0


def _method_in_force(month: datetime.date) -> Subquery:
    latest = PaymentMethodRegistration.objects.in_force_for(OuterRef("pk"), month)
    return Subquery(latest.values("method"))


def _active(commune_ids: list[int], month: datetime.date, programme_ids: list[int] | None = None):
    active = Beneficiary.objects.filter(
        commune_id__in=commune_ids, status=Beneficiary.Status.ACTIVE
    )
    if programme_ids is not None:
        active = active.filter(programme_id__in=programme_ids)
    return active.annotate(method_now=_method_in_force(month)).order_by()


_COUNTS = {"total": Count("pk"), "cashless": Count("pk", filter=Q(method_now=ACCOUNT))}


def cashless_now(
    commune_ids: list[int], month: datetime.date, programme_ids: list[int] | None = None
) -> Share:
    counts = _active(commune_ids, month, programme_ids).aggregate(**_COUNTS)
    return Share(label="", total=counts["total"], cashless=counts["cashless"])


def cashless_by(
    commune_ids: list[int],
    month: datetime.date,
    field: str,
    label: str,
    programme_ids: list[int] | None = None,
) -> list[Share]:
    """The share grouped by ``field`` (e.g. the programme's or the village's name)."""
    rows = (
        _active(commune_ids, month, programme_ids).values(field).annotate(**_COUNTS).order_by(field)
    )
    return [
        Share(label=row[field] or label, total=row["total"], cashless=row["cashless"])
        for row in rows
    ]


def cashless_by_commune(
    commune_ids: list[int], month: datetime.date, programme_ids: list[int] | None = None
) -> dict[int, Share]:
    rows = _active(commune_ids, month, programme_ids).values("commune_id").annotate(**_COUNTS)
    return {
        row["commune_id"]: Share(label="", total=row["total"], cashless=row["cashless"])
        for row in rows
    }


@dataclasses.dataclass
class MonthRow:
    period: datetime.date
    by_programme: dict[str, Share]
    all: Share
    by_village: dict[str, Share] = dataclasses.field(default_factory=dict)
    amount_account: int = 0
    amount_cash: int = 0


def monthly(commune: Commune) -> list[MonthRow]:
    """The last 12 cycles, oldest first: payments into an account / all, by programme
    and by village."""
    periods = list(
        PaymentCycle.objects.filter(commune=commune)
        .order_by("-period")
        .values_list("period", flat=True)[:MONTHS_SHOWN]
    )
    if not periods:
        return []
    rows = (
        Payment.objects.filter(cycle__commune=commune, cycle__period__in=periods)
        .values(
            "cycle__period",
            "beneficiary__programme__short_name",
            "beneficiary__person__village__name",
            "method",
        )
        .annotate(n=Count("pk"), amount=Sum("amount"))
        .order_by()
    )
    months: dict[datetime.date, MonthRow] = {
        period: MonthRow(period=period, by_programme={}, all=Share(label=f"{period:%m/%Y}"))
        for period in sorted(periods)
    }
    for row in rows:
        month = months[row["cycle__period"]]
        name = row["beneficiary__programme__short_name"]
        share = month.by_programme.setdefault(name, Share(label=name))
        village = row["beneficiary__person__village__name"] or "—"
        in_village = month.by_village.setdefault(village, Share(label=village))
        cashless = row["method"] == Payment.Method.ACCOUNT
        for target in (share, in_village, month.all):
            target.total += row["n"]
            target.cashless += row["n"] if cashless else 0
        if cashless:
            month.amount_account += row["amount"] or 0
        else:
            month.amount_cash += row["amount"] or 0
    return list(months.values())


def account_requests(commune: Commune) -> dict[str, int]:
    """Account-opening requests of the commune's people, by state, and the total."""
    counts = AccountOpeningRequest.objects.filter(person__commune=commune).aggregate(
        total=Count("pk"),
        **{
            state.value: Count("pk", filter=Q(state=state.value))
            for state in AccountOpeningRequest.State
        },
    )
    return counts


def current_cycle(commune: Commune, month: datetime.date) -> PaymentCycle | None:
    return PaymentCycle.objects.filter(commune=commune, period=month).first()


def recent_outreach(commune: Commune, limit: int = 5) -> list[OutreachActivity]:
    return list(
        OutreachActivity.objects.filter(commune=commune)
        .select_related("village")
        .order_by("-date", "-pk")[:limit]
    )


@dataclasses.dataclass
class CommuneRow:
    """One commune on the paying office's view."""

    commune: Commune
    share: Share
    cycle: PaymentCycle | None
    sent_files: int


def sent_files(
    files: QuerySet[GeneratedFile], programme_ids: list[int] | None = None
) -> QuerySet[GeneratedFile]:
    """Of ``files``, those sent to the paying office, and with ``programme_ids``
    (a user limited to some programmes) only those programmes' files: what the
    paying office's "n tệp tháng này" counts and its link lists."""
    files = files.filter(once_sent())
    if programme_ids is not None:
        files = files.filter(programme_id__in=programme_ids)
    return files


def district_overview(
    commune_ids: list[int],
    month: datetime.date,
    programme_ids: list[int] | None = None,
    files: QuerySet[GeneratedFile] | None = None,
) -> list[CommuneRow]:
    """The communes side by side: four queries whatever their number. With
    ``programme_ids`` (a user limited to some programmes) every figure counts
    only those programmes: enrolments, a cycle's people and amount (a cycle
    paying none of them is not shown), the sent files of those programmes
    (of ``files``: the ones the user may see, default all). A
    commune merged into another by ``month`` is not a row: its successor's row
    holds its people; its files of earlier months stay on the downloads page."""
    communes = list(
        Commune.objects.filter(pk__in=commune_ids)
        .filter(Q(merged_on__isnull=True) | Q(merged_on__gt=month))
        .order_by("name")
    )
    shares = cashless_by_commune(commune_ids, month, programme_ids)
    # The paying office sees a cycle once the commune sent it, never a draft.
    sent = with_shown_figures(
        PaymentCycle.objects.filter(
            commune_id__in=commune_ids, period=month, status__in=PaymentCycle.SENT_STATUSES
        ),
        programme_ids,
    )
    cycles = {c.commune_id: c for c in sent if programme_ids is None or c.shown_count}
    base = GeneratedFile.objects.all() if files is None else files
    counted = sent_files(base.filter(commune_id__in=commune_ids, period=month), programme_ids)
    per_commune = defaultdict(int)
    for row in counted.values("commune_id").annotate(n=Count("pk")).order_by():
        per_commune[row["commune_id"]] = row["n"]
    return [
        CommuneRow(
            commune=c,
            share=shares.get(c.pk, Share(label="")),
            cycle=cycles.get(c.pk),
            sent_files=per_commune[c.pk],
        )
        for c in communes
    ]
