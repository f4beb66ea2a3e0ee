"""Months: as people type them (``2023-09``: the month inputs and the commands) and the
arithmetic on them. A month is the date of its first day."""

from __future__ import annotations

import datetime


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
