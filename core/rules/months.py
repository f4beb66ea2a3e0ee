"""Months: as people type them (``12/2026`` on the pages, ``2023-09`` in the commands
and the pages' links) and the arithmetic on them. A month is the date of its first day."""

from __future__ import annotations

import datetime
import re

# mm/yyyy or m/yyyy (also with "." or "-"), or a full date dd/mm/yyyy whose month is meant.
_TYPED_MONTH = re.compile(r"^(?:(\d{1,2})\s*[/.\-]\s*)?(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
FIRST_YEAR, LAST_YEAR = 1900, 2200


def read_month(value: str | None) -> datetime.date | None:
    """A month as an officer types it: ``12/2026``, ``3/2026``, a full date
    ``15/12/2026`` (its month), or ``2026-12`` (the pages' links; ``2026-12-15``
    too); ``None``
    when absent or malformed."""
    text = (value or "").strip()
    if match := _ISO_MONTH.match(text):
        year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3) or 1)
    elif match := _TYPED_MONTH.match(text):
        day = int(match.group(1) or 1)
        month, year = int(match.group(2)), int(match.group(3))
    else:
        return None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    try:
        return datetime.date(year, month, day).replace(day=1)
    except ValueError:
        return None


def parse_month(value: str | None) -> datetime.date | None:
    """``2023-09`` → 1/9/2023; ``None`` when absent or malformed."""
    try:
        return datetime.datetime.strptime(value or "", "%Y-%m").date()  # noqa: DTZ007 (a date)
    except ValueError:
        return None


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    """The first day of the month after ``month`` (any day of it)."""
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def previous_month(month: datetime.date) -> datetime.date:
    """The first day of the month before ``month`` (any day of it)."""
    return (month.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def month_index(day: datetime.date) -> int:
    """Months since year 0: consecutive months have consecutive indexes."""
    return day.year * 12 + day.month - 1


def month_of_index(index: int) -> datetime.date:
    """The inverse of :func:`month_index`."""
    return datetime.date(index // 12, index % 12 + 1, 1)
