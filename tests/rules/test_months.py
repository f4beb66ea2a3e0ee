"""Month arithmetic and the typed month: every day of every month, and the year's edges."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.rules.months import (
    first_of_month,
    month_index,
    month_of_index,
    next_month,
    parse_month,
    previous_month,
    read_month,
)

DAYS = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2200, 12, 31))


@pytest.mark.parametrize(
    ("day", "after", "before"),
    [
        (datetime.date(2023, 1, 31), datetime.date(2023, 2, 1), datetime.date(2022, 12, 1)),
        (datetime.date(2023, 12, 1), datetime.date(2024, 1, 1), datetime.date(2023, 11, 1)),
        (datetime.date(2024, 2, 29), datetime.date(2024, 3, 1), datetime.date(2024, 1, 1)),
        (datetime.date(2025, 3, 31), datetime.date(2025, 4, 1), datetime.date(2025, 2, 1)),
    ],
)
def test_next_and_previous_month_from_any_day(day, after, before):
    assert next_month(day) == after
    assert previous_month(day) == before
    assert first_of_month(day) == day.replace(day=1)


@given(DAYS)
def test_months_step_by_one_index(day):
    index = month_index(day)
    assert month_of_index(index) == first_of_month(day)
    assert month_index(next_month(day)) == index + 1
    assert month_index(previous_month(day)) == index - 1
    assert previous_month(next_month(day)) == first_of_month(day)


@pytest.mark.parametrize(
    ("typed", "month"),
    [("2023-09", datetime.date(2023, 9, 1)), ("2023-9", datetime.date(2023, 9, 1))],
)
def test_a_typed_month_is_its_first_day(typed, month):
    assert parse_month(typed) == month


@pytest.mark.parametrize("typed", [None, "", "2023-13", "09/2023", "tháng 9"])
def test_a_malformed_month_is_none(typed):
    assert parse_month(typed) is None


@pytest.mark.parametrize(
    ("typed", "month"),
    [
        ("12/2026", datetime.date(2026, 12, 1)),
        ("3/2026", datetime.date(2026, 3, 1)),
        ("03/2026", datetime.date(2026, 3, 1)),
        (" 3 / 2026 ", datetime.date(2026, 3, 1)),
        ("03.2026", datetime.date(2026, 3, 1)),
        ("03-2026", datetime.date(2026, 3, 1)),
        ("15/12/2026", datetime.date(2026, 12, 1)),
        ("1/2/2026", datetime.date(2026, 2, 1)),
        ("29/02/2024", datetime.date(2024, 2, 1)),
        ("2026-12", datetime.date(2026, 12, 1)),
        ("2026-12-15", datetime.date(2026, 12, 1)),
    ],
)
def test_a_month_as_an_officer_types_it(typed, month):
    assert read_month(typed) == month


@pytest.mark.parametrize(
    "typed",
    [
        None,
        "",
        "13/2026",
        "0/2026",
        "12/26",
        "31/02/2026",
        "29/02/2023",
        "12/1899",
        "tháng 12",
        "12/2026/1",
    ],
)
def test_a_malformed_typed_month_is_none(typed):
    assert read_month(typed) is None


@given(DAYS)
def test_any_day_typed_gives_its_month(day):
    assert read_month(f"{day:%d/%m/%Y}") == first_of_month(day)
    assert read_month(f"{day:%m/%Y}") == first_of_month(day)
    assert read_month(f"{day.month}/{day.year}") == first_of_month(day)
