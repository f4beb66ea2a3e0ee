"""The day a person means: a moment stored in UTC read on the commune's calendar."""

from __future__ import annotations

import datetime

from django.utils import timezone


def local_day(value: datetime.date) -> datetime.date:
    """The date of ``value``; for an aware moment, its date in the local time zone.

    A check made at 01:29 on 07/12 in Hà Nội is stored as 18:29 on 06/12 UTC:
    its day is 07/12.
    """
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def local_moment(value: datetime.datetime) -> datetime.datetime:
    """``value`` on the local clock when it is aware; unchanged when naive."""
    return timezone.localtime(value) if timezone.is_aware(value) else value
