"""Reminders before a deadline, and whether a file was sent late.

The deadlines themselves (which day, per commune, programme and month) are the
registry's: :mod:`beneficiaries.deadlines`.

:func:`send_deadline_reminders` is the daily job: from three days before the
deadline, the commune's labour officers and leaders get a notice in the
application and an e-mail, once per commune, programme and month.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.deadlines import Deadline, DeadlineBook
from beneficiaries.models import Commune, Programme, merged_commune_problem
from core import roles
from core.rules.months import first_of_month
from documents.builders import once_sent
from documents.models import GeneratedFile
from registration.lists import list_counts
from reports.models import DeadlineReminder, Notice

logger = logging.getLogger(__name__)

REMIND_DAYS_BEFORE = 3
REMINDED_ROLES = (roles.LABOUR_OFFICER, roles.LEADER)


def sent_late(generated: GeneratedFile, deadline: datetime.date) -> bool:
    """A list sent after its month's deadline (local date) was sent late."""
    return generated.sent_at is not None and timezone.localdate(generated.sent_at) > deadline


@dataclasses.dataclass(frozen=True)
class DeadlineState:
    """A programme's deadline of the month with what was done about it: the
    dashboard's line. ``wanted``: the lists somebody is on; ``sent_on``: the
    day the last of them was sent (``None`` while one is not)."""

    deadline: Deadline
    wanted: int
    sent_on: datetime.date | None

    @property
    def nothing_to_send(self) -> bool:
        return self.wanted == 0

    @property
    def sent(self) -> bool:
        return self.wanted > 0 and self.sent_on is not None

    @property
    def days_late(self) -> int:
        return max(0, (self.sent_on - self.deadline.day).days) if self.sent else 0

    @property
    def overdue(self) -> bool:
        return not self.sent and not self.nothing_to_send and self.deadline.overdue


def _sent_lists(commune: Commune, period: datetime.date, programme: Programme | None = None):
    """The first time each registration list of the month was sent, by (programme id, kind)."""
    rows = GeneratedFile.objects.filter(
        once_sent(),
        commune=commune,
        period=period,
        kind__in=GeneratedFile.REGISTRATION_KINDS,
    )
    if programme is not None:
        rows = rows.filter(programme=programme)
    first: dict[tuple[int, str], datetime.datetime] = {}
    for programme_id, kind, sent_at in rows.values_list("programme_id", "kind", "sent_at"):
        key = (programme_id, kind)
        if sent_at is not None and (key not in first or sent_at < first[key]):
            first[key] = sent_at
    return first


def _list_state(programme: Programme, counts: dict, sent: dict) -> tuple[int, datetime.date | None]:
    """How many of the programme's registration lists of the month somebody is on
    (a list nobody is on has no file to send), and the day the last of them was
    sent (``None`` while one is not sent, or when there is none to send)."""
    wanted = [kind for kind in GeneratedFile.REGISTRATION_KINDS if counts.get((programme.pk, kind))]
    if not wanted:
        return 0, None
    if any((programme.pk, kind) not in sent for kind in wanted):
        return len(wanted), None
    return len(wanted), timezone.localdate(max(sent[(programme.pk, kind)] for kind in wanted))


def _lists_sent(commune: Commune, programme: Programme, period: datetime.date) -> bool:
    """Every registration list of the programme for the month that somebody is on
    was sent: nothing to remind. A programme with nobody on either list (nobody
    enrolled in the commune, or nobody paid into an account) has nothing to send
    and is not reminded."""
    wanted, sent_on = _list_state(
        programme, list_counts(commune, period), _sent_lists(commune, period, programme)
    )
    return wanted == 0 or sent_on is not None


def month_states(commune: Commune, today: datetime.date | None = None) -> list[DeadlineState]:
    """This month's deadline of each programme for the commune, with whether its
    lists were sent (on which day) or there is nothing to send. A commune merged
    into another by this month has no deadline: its successor sends."""
    today = today or timezone.localdate()
    period = first_of_month(today)
    if merged_commune_problem(commune, period):
        return []
    book = DeadlineBook([commune.pk])
    counts, sent = list_counts(commune, period), _sent_lists(commune, period)
    states = []
    for deadline in book.month(commune.pk, today):
        programme = next(p for p in book.programmes if p.pk == deadline.programme_id)
        wanted, sent_on = _list_state(programme, counts, sent)
        states.append(DeadlineState(deadline=deadline, wanted=wanted, sent_on=sent_on))
    return states


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
    period = first_of_month(today)
    communes = list(Commune.objects.filter(merged_into__isnull=True).order_by("code"))
    book = DeadlineBook([c.pk for c in communes])
    done = set(
        DeadlineReminder.objects.filter(period=period).values_list("commune_id", "programme_id")
    )
    count = 0
    for commune in communes:
        for programme in book.programmes:
            if (commune.pk, programme.pk) in done or not programme.runs_in(period):
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
