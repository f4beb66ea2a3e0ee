"""Deadlines: by which day a commune sends a programme's lists for a month, and reminders.

The deadline of month M is day ``deadline_day`` of M (the programme's setting
in force on the 1st of M, a commune's own setting winning over the
province-wide one; day 5 without any), as :func:`payments.services.cycles.due_date`
reads it. :class:`DeadlineBook` loads every setting in one query so a page
that shows many deadlines (the downloads page, the navigation) asks once.

:func:`send_deadline_reminders` is the daily job: from three days before the
deadline, the commune's labour officers and leaders get a notice in the
application and an e-mail, once per commune, programme and month.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.models import Commune, Programme, ProgrammeSetting
from beneficiaries.models.registry import choose_setting
from core import roles
from documents.models import GeneratedFile
from reports.models import DeadlineReminder, Notice

logger = logging.getLogger(__name__)

DEFAULT_DEADLINE_DAY = 5
REMIND_DAYS_BEFORE = 3
REMINDED_ROLES = (roles.LABOUR_OFFICER, roles.LEADER)


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
            (self.deadline_for(commune_id, p.pk, period) for p in self.programmes),
            default=deadline_on(period, DEFAULT_DEADLINE_DAY),
        )

    def month(self, commune_id: int, today: datetime.date) -> list[Deadline]:
        """This month's deadline of every programme for one commune."""
        period = today.replace(day=1)
        return [self.deadline(commune_id, p, period, today) for p in self.programmes]


def deadlines_for(commune: Commune, today: datetime.date | None = None) -> list[Deadline]:
    today = today or timezone.localdate()
    return DeadlineBook([commune.pk]).month(commune.pk, today)


def nearest_deadline(commune_ids: list[int], today: datetime.date | None = None) -> Deadline | None:
    """The nearest deadline of this month not yet passed, over the user's communes (the badge)."""
    if not commune_ids:
        return None
    today = today or timezone.localdate()
    book = DeadlineBook(commune_ids)
    upcoming = [
        d for commune_id in commune_ids for d in book.month(commune_id, today) if not d.overdue
    ]
    return min(upcoming, key=lambda d: d.day, default=None)


def sent_late(generated: GeneratedFile, deadline: datetime.date) -> bool:
    """A list sent after its month's deadline (local date) was sent late."""
    return generated.sent_at is not None and timezone.localdate(generated.sent_at) > deadline


def _lists_sent(commune: Commune, programme: Programme, period: datetime.date) -> bool:
    """Both registration lists of the programme for the month were sent: nothing to remind."""
    sent = (
        GeneratedFile.objects.filter(
            commune=commune,
            programme=programme,
            period=period,
            kind__in=GeneratedFile.REGISTRATION_KINDS,
            sent_at__isnull=False,
        )
        .values("kind")
        .distinct()
        .count()
    )
    return sent >= len(GeneratedFile.REGISTRATION_KINDS)


def _recipients(commune: Commune):
    return (
        get_user_model()
        .objects.filter(is_active=True, communes=commune, groups__name__in=REMINDED_ROLES)
        .distinct()
        .order_by("pk")
    )


def remind(deadline: Deadline, commune: Commune, programme: Programme) -> DeadlineReminder | None:
    """Remind one commune of one programme's deadline: notices and one e-mail, once.

    The reminder row, the notices and the e-mail go together: if the e-mail
    cannot be sent the transaction is rolled back and tomorrow's run tries again.
    """
    message = _(
        "Hạn gửi danh sách %(programme)s tháng %(month)s của xã %(commune)s là ngày "
        "%(day)s: còn %(left)d ngày."
    ) % {
        "programme": programme.short_name,
        "month": deadline.period.strftime("%m/%Y"),
        "commune": commune.name,
        "day": deadline.day.strftime("%d/%m/%Y"),
        "left": deadline.days_left,
    }
    try:
        with transaction.atomic():
            reminder = DeadlineReminder.objects.create(
                commune=commune, programme=programme, period=deadline.period, deadline=deadline.day
            )
            users = list(_recipients(commune))
            Notice.objects.bulk_create(
                Notice(recipient=user, commune=commune, reminder=reminder, message=message)
                for user in users
            )
            addresses = [user.email for user in users if user.email]
            if addresses:
                send_mail(
                    subject=_("[Chi trả ASXH] Hạn gửi danh sách %(programme)s: còn %(left)d ngày")
                    % {"programme": programme.short_name, "left": deadline.days_left},
                    message=message,
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=addresses,
                )
                reminder.emailed_to = addresses
                reminder.save(update_fields=["emailed_to"])
    except IntegrityError:
        return None  # another run reminded this commune of this programme's month already
    return reminder


def send_deadline_reminders(today: datetime.date | None = None) -> int:
    """The daily job: remind every active commune whose deadline is 0–3 days away.

    A programme whose two lists of the month were already sent is skipped.
    Returns the number of reminders written.
    """
    today = today or timezone.localdate()
    period = today.replace(day=1)
    communes = list(Commune.objects.filter(merged_into__isnull=True).order_by("code"))
    book = DeadlineBook([c.pk for c in communes])
    done = set(
        DeadlineReminder.objects.filter(period=period).values_list("commune_id", "programme_id")
    )
    count = 0
    for commune in communes:
        for programme in book.programmes:
            if (commune.pk, programme.pk) in done:
                continue
            deadline = book.deadline(commune.pk, programme, period, today)
            if not 0 <= deadline.days_left <= REMIND_DAYS_BEFORE:
                continue
            if _lists_sent(commune, programme, period):
                continue
            if remind(deadline, commune, programme) is not None:
                count += 1
    return count


@transaction.atomic
def mark_notice_read(notice: Notice, *, actor) -> Notice:
    if notice.recipient_id != actor.pk:
        raise PermissionError("A notice is read by its recipient only")
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice
