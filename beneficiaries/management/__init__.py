"""Helpers shared by the registry's management commands."""

import datetime

from django.core.management.base import CommandError

from beneficiaries.models import Commune
from core.rules.months import parse_month


def commune_by_code(code: str) -> Commune:
    """The commune of a ``--commune CODE`` option, or a clear error."""
    try:
        return Commune.objects.get(code=code)
    except Commune.DoesNotExist:
        raise CommandError(f"Không có xã mã {code}.") from None


def month_option(value: str, *, word: str = "Tháng") -> datetime.date:
    """The month of a ``--month``/``--period YYYY-MM`` option, or a clear error."""
    month = parse_month(value)
    if month is None:
        raise CommandError(f"{word} không hợp lệ: «{value}». Hãy ghi dạng YYYY-MM, ví dụ 2023-09.")
    return month
