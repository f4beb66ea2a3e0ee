"""Helpers shared by the registry's management commands."""

import datetime

from django.core.management.base import CommandError

from beneficiaries.models import Commune, merged_commune_problem
from core.rules.months import parse_month


def commune_by_code(code: str, month: datetime.date | None = None) -> Commune:
    """The commune of a ``--commune CODE`` option, or a clear error; with ``month``
    (a command that builds a month), an error naming the commune to use when the
    commune had merged by then (its months before the merger stay its own)."""
    try:
        commune = Commune.objects.get(code=code)
    except Commune.DoesNotExist:
        raise CommandError(f"Không có xã mã {code}.") from None
    if month is not None:
        problem = merged_commune_problem(commune, month)
        if problem:
            into = commune.merged_into
            raise CommandError(f"{problem} (--commune {into.code})")
    return commune


def month_option(value: str, *, word: str = "Tháng") -> datetime.date:
    """The month of a ``--month``/``--period YYYY-MM`` option, or a clear error."""
    month = parse_month(value)
    if month is None:
        raise CommandError(f"{word} không hợp lệ: «{value}». Hãy ghi dạng YYYY-MM, ví dụ 2023-09.")
    return month
