"""Months as people type them: ``2023-09`` (the month inputs and the commands)."""

from __future__ import annotations

import datetime


def parse_month(value: str | None) -> datetime.date | None:
    """``2023-09`` → 1/9/2023; ``None`` when absent or malformed."""
    try:
        return datetime.datetime.strptime(value or "", "%Y-%m").date()  # noqa: DTZ007 (a date)
    except ValueError:
        return None
