"""Deadlines: by which day a commune sends a programme's lists for a month.

The deadline of month M is day ``deadline_day`` of M (the programme's setting
in force on the 1st of M, a commune's own setting winning over the
province-wide one; day 5 without any), as the payment cycle's due date reads
it. :class:`DeadlineBook` loads every setting in one query so a page that
shows many deadlines (the downloads page, the navigation) asks once. The
reminders that go out before a deadline are the reports' (``reports.deadlines``).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from beneficiaries.models import Commune, Programme, ProgrammeSetting
from beneficiaries.models.programmes import choose_setting
from core.rules.months import first_of_month

DEFAULT_DEADLINE_DAY = 5


@dataclasses.dataclass(frozen=True)
class Deadline:
    commune_id: int
    programme_id: int
    programme_name: str
    period: datetime.date
    day: datetime.date
    today: datetime.date

    @property
    def days_left(self) -> int:
        """Days from today to the deadline; negative once it has passed."""
        return (self.day - self.today).days

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def deadline_day_of(rows: Iterable, programme_id: int, commune_id: int, day: datetime.date) -> int:
    """The deadline day in force on ``day`` (``choose_setting``'s rule), default the 5th."""
    chosen = choose_setting(rows, programme_id=programme_id, commune_id=commune_id, day=day)
    return chosen.deadline_day if chosen is not None else DEFAULT_DEADLINE_DAY


def deadline_on(period: datetime.date, deadline_day: int) -> datetime.date:
    # Day 29–31 do not exist in every month: as for the cycles, the 28th at the latest.
    return period.replace(day=min(max(deadline_day, 1), 28))


class DeadlineBook:
    """Every programme and setting, loaded once (two queries), to answer many deadlines."""

    def __init__(self, commune_ids: Iterable[int] | None = None) -> None:
        settings_rows = ProgrammeSetting.objects.only(
            "programme_id", "commune_id", "valid_from", "valid_until", "deadline_day"
        )
        if commune_ids is not None:
            settings_rows = settings_rows.filter(
                Q(commune__isnull=True) | Q(commune_id__in=list(commune_ids))
            )
        self.rows = list(settings_rows)
        self.programmes = list(Programme.objects.order_by("order", "code"))

    def deadline(
        self, commune_id: int, programme: Programme, period: datetime.date, today: datetime.date
    ) -> Deadline:
        day = deadline_day_of(self.rows, programme.pk, commune_id, period)
        return Deadline(
            commune_id=commune_id,
            programme_id=programme.pk,
            programme_name=programme.short_name,
            period=period,
            day=deadline_on(period, day),
            today=today,
        )

    def deadline_for(
        self, commune_id: int, programme_id: int, period: datetime.date
    ) -> datetime.date:
        return deadline_on(period, deadline_day_of(self.rows, programme_id, commune_id, period))

    def commune_due(self, commune_id: int, period: datetime.date) -> datetime.date:
        """A commune's due date for everything of the month (its payment cycle, its
        report): the earliest of its programmes' deadlines."""
        return min(
            (
                self.deadline_for(commune_id, p.pk, period)
                for p in self.programmes
                if p.runs_in(period)
            ),
            default=deadline_on(period, DEFAULT_DEADLINE_DAY),
        )

    def month(self, commune_id: int, today: datetime.date) -> list[Deadline]:
        """This month's deadline of every programme existing in the month for one commune."""
        period = first_of_month(today)
        return [
            self.deadline(commune_id, p, period, today)
            for p in self.programmes
            if p.runs_in(period)
        ]


def deadlines_for(commune: Commune, today: datetime.date | None = None) -> list[Deadline]:
    today = today or timezone.localdate()
    return DeadlineBook([commune.pk]).month(commune.pk, today)


def nearest_deadline(commune_ids: list[int], today: datetime.date | None = None) -> Deadline | None:
    """The nearest deadline of this month not yet passed, over the user's communes (the badge)."""
    if not commune_ids:
        return None
    today = today or timezone.localdate()
    period = first_of_month(today)
    # A commune merged by this month sends nothing: its successor does.
    commune_ids = list(
        Commune.objects.filter(pk__in=commune_ids)
        .filter(Q(merged_on__isnull=True) | Q(merged_on__gt=period))
        .values_list("pk", flat=True)
    )
    book = DeadlineBook(commune_ids)
    upcoming = [
        d for commune_id in commune_ids for d in book.month(commune_id, today) if not d.overdue
    ]
    return min(upcoming, key=lambda d: d.day, default=None)
