"""Entering a base level (mức chuẩn) or a decree's table of NCC fixed amounts:
what it would change first, then the change.

The preview reads the same months the change writes (:mod:`amounts.changes`):
which enrolments are re-rated, each person's monthly amount before and after,
and, for the months already paid in cycles that were sent
(``PaymentCycle.SENT_STATUSES``, the live month lines of payments pending or
paid), the difference per person: **arrears** when the new amount is higher
(the next cycle pays them as top-up lines) and **recoveries** when it is lower
(months paid above what is now owed). Cycles not sent yet that pay a changed
month are named: their drafts need rebuilding.

A base level is the programme's in the whole deployment (a decree), so the
figures count every commune; the people listed are those of the user's
communes. The officer may open the preview; the leader confirms it
(``core.roles.CAN_ENTER_BASE_LEVELS``): :func:`apply_base_level`,
:func:`apply_fixed_amounts`, which the page and the command call.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from amounts.changes import FixedAmount, Segment, base_level_segments, fixed_amount_segments
from amounts.models import AllowanceRate
from amounts.services import (
    FixedResult,
    RateError,
    RerateResult,
    record_base_level,
    record_fixed_amounts,
)
from beneficiaries.models import Beneficiary, Programme
from core import roles
from core.access import require_actor
from core.confirm import fingerprint
from core.rules.money import format_amount
from payments.models import Payment, PaymentCycle, PaymentMonth
from payments.services.recoveries import detect_recoveries

# The people a preview lists on the page (the figures count everyone).
PEOPLE_SHOWN = 300
_CHUNK = 900  # ids per IN (…) list: within SQLite's limit on parameters


@dataclass(frozen=True)
class PersonChange:
    """One enrolment re-rated: its amount before and after, and its paid months."""

    beneficiary_id: int
    name: str
    personal_id: str
    commune_id: int
    commune: str
    category: str
    start: datetime.date  # the first month whose amount changes
    old: int
    new: int
    paid_months: int  # months paid in sent cycles whose amount changes
    arrears: int  # owed on those months beyond what was paid (the next cycle pays it)
    recovery: int  # paid on those months beyond what is now owed (a positive number)


@dataclass(frozen=True)
class UnsentCycle:
    commune: str
    period: datetime.date
    status: str


@dataclass
class Preview:
    """What a base level or a table would change, to the đồng."""

    segments: list[Segment]
    changes: list[PersonChange] = field(default_factory=list)  # the user's communes
    enrolments: int = 0  # every commune
    arrears_people: int = 0
    arrears_total: int = 0
    recovery_people: int = 0
    recovery_total: int = 0
    monthly_difference: int = 0  # new − old, summed over the first changed month of each
    unsent: list[UnsentCycle] = field(default_factory=list)

    @property
    def changes_shown(self) -> list[PersonChange]:
        return self.changes[:PEOPLE_SHOWN]

    def digest_parts(self) -> tuple:
        return (
            self.enrolments,
            self.monthly_difference,
            self.arrears_total,
            self.recovery_total,
            sum(seg.new for seg in self.segments),
            len(self.unsent),
        )


# --- The preview -------------------------------------------------------------------


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


def _first_segments(segments: Iterable[Segment]) -> dict[int, Segment]:
    first: dict[int, Segment] = {}
    for seg in segments:
        if seg.beneficiary_id not in first or seg.start < first[seg.beneficiary_id].start:
            first[seg.beneficiary_id] = seg
    return first


def _segment_at(segments: list[Segment], month: datetime.date) -> Segment | None:
    return next((seg for seg in segments if seg.covers(month)), None)


def build_preview(
    segments: list[Segment], scope: Q, *, commune_ids: Sequence[int] | None = None
) -> Preview:
    """The figures of ``segments``; ``scope`` a condition on ``PaymentMonth`` naming
    the enrolments (their programme or categories), ``commune_ids`` the communes whose
    people are listed (``None``: all)."""
    preview = Preview(segments=segments)
    if not segments:
        return preview
    by_person: dict[int, list[Segment]] = defaultdict(list)
    for seg in segments:
        by_person[seg.beneficiary_id].append(seg)
    first = _first_segments(segments)
    earliest = min(seg.start for seg in segments)
    lines = PaymentMonth.objects.filter(scope, live=True, month__gte=earliest)

    # Paid: live lines of payments pending or paid, in cycles that were sent.
    paid_rows = (
        lines.filter(
            payment__status__in=[Payment.Status.PENDING, Payment.Status.PAID],
            payment__cycle__status__in=PaymentCycle.SENT_STATUSES,
        )
        .values("beneficiary_id", "month")
        .annotate(total=Sum("amount"))
        .values_list("beneficiary_id", "month", "total")
    )
    arrears: dict[int, int] = defaultdict(int)
    recovery: dict[int, int] = defaultdict(int)
    paid_months: dict[int, int] = defaultdict(int)
    for beneficiary_id, month, total in paid_rows:
        seg = _segment_at(by_person.get(beneficiary_id, []), month)
        if seg is None:
            continue
        paid_months[beneficiary_id] += 1
        total = int(total)  # a SUM may come back as a Decimal on PostgreSQL
        if seg.new > total:
            arrears[beneficiary_id] += seg.new - total
        elif seg.new < total:
            recovery[beneficiary_id] += total - seg.new

    # Not sent yet: their drafts (or approved lists) pay a changed month at the old amount.
    unsent_ids = set()
    unsent_rows = lines.exclude(payment__cycle__status__in=PaymentCycle.SENT_STATUSES).values_list(
        "beneficiary_id", "month", "payment__cycle_id"
    )
    for beneficiary_id, month, cycle_id in unsent_rows:
        if _segment_at(by_person.get(beneficiary_id, []), month) is not None:
            unsent_ids.add(cycle_id)
    preview.unsent = [
        UnsentCycle(cycle.commune.name, cycle.period, cycle.get_status_display())
        for cycle in PaymentCycle.objects.filter(pk__in=unsent_ids)
        .select_related("commune")
        .order_by("commune__name", "period")
    ]

    preview.enrolments = len(by_person)
    preview.monthly_difference = sum(seg.new - seg.old for seg in first.values())
    preview.arrears_people = sum(1 for amount in arrears.values() if amount)
    preview.arrears_total = sum(arrears.values())
    preview.recovery_people = sum(1 for amount in recovery.values() if amount)
    preview.recovery_total = sum(recovery.values())

    people = []
    for ids in _chunks(sorted(by_person)):
        enrolments = Beneficiary.objects.filter(pk__in=ids)
        if commune_ids is not None:
            enrolments = enrolments.filter(commune_id__in=commune_ids)
        people.extend(
            enrolments.values_list(
                "pk",
                "person__full_name",
                "person__personal_id",
                "commune_id",
                "commune__name",
                "category__short_name",
            )
        )
    preview.changes = sorted(
        (
            PersonChange(
                beneficiary_id=pk,
                name=name,
                personal_id=personal_id or "",
                commune_id=commune_id,
                commune=commune,
                category=category,
                start=first[pk].start,
                old=first[pk].old,
                new=first[pk].new,
                paid_months=paid_months[pk],
                arrears=arrears[pk],
                recovery=recovery[pk],
            )
            for pk, name, personal_id, commune_id, commune, category in people
        ),
        key=lambda change: (change.commune, change.name, change.beneficiary_id),
    )
    return preview


# --- A base level ------------------------------------------------------------------


@dataclass(frozen=True)
class LevelEntry:
    """A base level as the leader enters it."""

    programme: Programme
    amount: int
    applies_from: datetime.date
    legal_basis: str


def current_rate(entry: LevelEntry) -> AllowanceRate | None:
    return (
        AllowanceRate.objects.filter(programme=entry.programme, applies_from=entry.applies_from)
        .select_related("verified_by")
        .first()
    )


def previous_rate(entry: LevelEntry) -> AllowanceRate | None:
    """The level in force in the month before ``entry``'s (what it replaces)."""
    return (
        AllowanceRate.objects.filter(programme=entry.programme, applies_from__lt=entry.applies_from)
        .order_by("-applies_from")
        .first()
    )


def preview_base_level(entry: LevelEntry, *, commune_ids: Sequence[int] | None = None) -> Preview:
    segments = base_level_segments(
        entry.programme, amount=entry.amount, applies_from=entry.applies_from
    )
    return build_preview(
        segments, Q(beneficiary__programme=entry.programme), commune_ids=commune_ids
    )


def base_level_token(entry: LevelEntry, preview: Preview) -> str:
    """The fingerprint of a base level's confirmation page: the entry, the level row
    as it is, and the preview's figures."""
    rate = current_rate(entry)
    return fingerprint(
        "level",
        entry.programme.pk,
        entry.amount,
        entry.applies_from,
        entry.legal_basis,
        rate and (rate.amount, rate.legal_basis, rate.verified, rate.verified_at),
        *preview.digest_parts(),
    )


@transaction.atomic
def apply_base_level(entry: LevelEntry, *, actor) -> RerateResult:
    """Enter the level and re-rate (:func:`amounts.services.record_base_level`): the
    leader's confirmation, the command with ``--yes`` (``actor`` ``None``)."""
    require_actor(actor, roles.CAN_ENTER_BASE_LEVELS)
    result = record_base_level(
        entry.programme,
        amount=entry.amount,
        applies_from=entry.applies_from,
        legal_basis=entry.legal_basis,
        actor=actor,
    )
    # Months paid above the new level are recoveries from now on (the next cycle
    # build would find them too, and deducts them).
    detect_recoveries(
        Beneficiary.objects.filter(programme=entry.programme),
        actor=actor,
        reason=_("Mức chuẩn %(amount)s từ %(month)s (%(basis)s)")
        % {
            "amount": format_amount(entry.amount),
            "month": f"{entry.applies_from:%m/%Y}",
            "basis": entry.legal_basis,
        },
    )
    return result


# --- A decree's table of fixed amounts ---------------------------------------------


def preview_fixed_amounts(
    table: Sequence[FixedAmount], *, commune_ids: Sequence[int] | None = None
) -> Preview:
    segments = fixed_amount_segments(table)
    categories = [row.category.pk for row in table]
    return build_preview(
        segments, Q(beneficiary__category_id__in=categories), commune_ids=commune_ids
    )


def fixed_amounts_token(
    table: Sequence[FixedAmount], decision_number: str, preview: Preview
) -> str:
    return fingerprint(
        "table",
        decision_number,
        *[(row.category.code, row.amount, row.from_month) for row in table],
        *preview.digest_parts(),
    )


@transaction.atomic
def apply_fixed_amounts(
    table: Sequence[FixedAmount], *, decision_number: str, actor
) -> FixedResult:
    """The table's amounts from its month (:func:`amounts.services.record_fixed_amounts`)."""
    require_actor(actor, roles.CAN_ENTER_BASE_LEVELS)
    result = record_fixed_amounts(table, decision_number=decision_number, actor=actor)
    detect_recoveries(
        Beneficiary.objects.filter(category__in=[row.category.pk for row in table]),
        actor=actor,
        reason=_("Bảng mức trợ cấp theo %(decision)s") % {"decision": decision_number},
    )
    return result


__all__ = [
    "PEOPLE_SHOWN",
    "FixedAmount",
    "LevelEntry",
    "PersonChange",
    "Preview",
    "RateError",
    "apply_base_level",
    "apply_fixed_amounts",
    "base_level_token",
    "build_preview",
    "current_rate",
    "fixed_amounts_token",
    "preview_base_level",
    "preview_fixed_amounts",
    "previous_rate",
]
