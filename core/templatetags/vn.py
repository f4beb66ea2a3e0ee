"""Vietnamese display of money, counts, dates and users' names in templates."""

import re

from django import template

from core import users
from core.dates import local_day
from core.rules.money import format_amount

register = template.Library()


@register.filter
def vnd(value) -> str:
    """``1080000`` → ``1.080.000 đ``; empty for a missing amount."""
    if value is None or value == "":
        return "—"
    return format_amount(int(value))


@register.filter
def count(value) -> str:
    """``1800`` → ``1.800``: a count with the thousands separator; ``0`` for nothing."""
    return format_amount(int(value or 0), unit=False)


_FACET_COUNT = re.compile(r"\((\d{4,})\)$")


@register.filter
def facet_count(label) -> str:
    """The admin's filter choice with its count, ``Chưa kiểm tra (5422)`` → ``(5.422)``."""
    text = str(label)
    return _FACET_COUNT.sub(lambda m: f"({count(m.group(1))})", text)


@register.filter
def ddmmyyyy(value) -> str:
    """A date, or a moment's local date, as ``dd/mm/yyyy``."""
    return local_day(value).strftime("%d/%m/%Y") if value else ""


@register.filter
def mmyyyy(value) -> str:
    return value.strftime("%m/%Y") if value else ""


@register.filter
def full_name(user) -> str:
    """A user's name as Vietnamese writes it (:func:`core.users.full_name`)."""
    return users.full_name(user)
