"""Reminders before a deadline, and whether a file was sent late.

The deadlines themselves (which day, per commune, programme and month) are the
registry's: :mod:`beneficiaries.deadlines`.

:func:`send_deadline_reminders` is the daily job: from three days before the
deadline, the commune's labour officers and leaders get a notice in the
application and an e-mail, once per commune, programme and month.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.deadlines import Deadline, DeadlineBook
from beneficiaries.models import Commune, Programme
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


def _lists_sent(commune: Commune, programme: Programme, period: datetime.date) -> bool:
    """Every registration list of the programme for the month that somebody is on
    was sent (a list nobody is on has no file to send): nothing to remind. A
    programme with nobody on either list (nobody enrolled in the commune, or
    nobody paid into an account) has nothing to send and is not reminded."""
    counts = list_counts(commune, period)
    kinds = GeneratedFile.REGISTRATION_KINDS
    wanted = {kind for kind in kinds if counts.get((programme.pk, kind))}
    if not wanted:
        return True
    sent = set(
        GeneratedFile.objects.filter(
            once_sent(),
            commune=commune,
            programme=programme,
            period=period,
            kind__in=GeneratedFile.REGISTRATION_KINDS,
        ).values_list("kind", flat=True)
    )
    return wanted <= sent


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
