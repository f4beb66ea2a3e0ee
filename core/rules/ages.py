"""A person's age in a month, for the age bounds of a category ("từ đủ 75 tuổi").

A bound reached during a month counts for the whole month: changes that follow
an age apply from the month the condition is met. A birth known only by its
year counts as 1 January of that year, as the representatives' age rule does;
data quality flags such a person in the year they reach a bound of their
category, since the month cannot be told.
"""

from __future__ import annotations

import datetime

from core.rules.months import next_month


def age_in_month(birth_date: datetime.date | None, birth_year: int, month: datetime.date) -> int:
    """Whole years reached by the last day of ``month``."""
    if birth_date is None:
        return month.year - birth_year
    last = next_month(month) - datetime.timedelta(days=1)
    before_birthday = (last.month, last.day) < (birth_date.month, birth_date.day)
    return last.year - birth_date.year - int(before_birthday)


def age_problem(age: int, age_from: int | None, age_below: int | None) -> str | None:
    """``"young"`` or ``"old"`` when ``age`` is outside the bounds, else None."""
    if age_from is not None and age < age_from:
        return "young"
    if age_below is not None and age >= age_below:
        return "old"
    return None
