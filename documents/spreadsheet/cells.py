"""Cell values as the imports need them: text, dates, whole-đồng amounts, matching keys.

Each helper takes what openpyxl returns (``str``, ``int``, ``float``,
``datetime``, ``None``) or what the csv module returns (``str``). Most return
plain values rather than raise: a file of 100,000 rows calls them on every
row, and a problem is reported by the import with its row and column.
"""

from __future__ import annotations

import datetime
import re
from functools import lru_cache

from django.utils.translation import gettext as _

from core.dates import local_day, local_moment
from core.rules.money import parse_amount
from core.rules.names import fold_name, normalize_name
from documents.xlsx import unescape_text

#: The longest text a cell may hold. The longest text an import stores is 300
#: characters (a note, a reason); a longer cell is pasted text or a broken file.
MAX_CELL_CHARS = 1000

_NON_KEY = re.compile(r"[^0-9A-Z]+")


@lru_cache(maxsize=8192)
def fold_key(text: str) -> str:
    """The matching key of a header or a word: folded, only ``A-Z`` and ``0-9`` kept.

    ``Ngày/tháng/năm sinh``, ``NGÀY THÁNG NĂM SINH`` and ``ngay thang nam sinh``
    all give ``NGAYTHANGNAMSINH``: hand-made headers differ in case,
    diacritics (old and new tone placement), spacing, line breaks inside the
    cell and punctuation, and none of that carries meaning. Cached because the
    same words (categories, banks, methods) repeat on every row.
    """
    return _NON_KEY.sub("", fold_name(text))


def is_blank(value: object) -> bool:
    """Whether a cell is empty: ``None`` or only whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: object) -> str:
    """A cell's value as the user wrote it, for messages.

    Dates print as ``dd/mm/yyyy`` and integral floats without ``.0`` (Excel
    stores every number as a float), so a message quotes ``38085001234``
    rather than ``38085001234.0``.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime.datetime):
        value = local_moment(value)
        if value.time() == datetime.time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def shown(value: object, limit: int = 100) -> str:
    """A cell as text for a message, cut at ``limit`` characters."""
    text = cell_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clean_text(value: object) -> str:
    """A cell as text to keep: NFC, single spaces, the formula escape undone.

    Numbers and dates read as :func:`cell_text` writes them.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return normalize_name(unescape_text(value.strip()))
    return cell_text(value)


def too_long(text: str, limit: int = MAX_CELL_CHARS) -> str | None:
    """The message for a text longer than ``limit`` characters, ``None`` when it fits."""
    if len(text) <= limit:
        return None
    return _("Ô dài %(length)d ký tự, vượt giới hạn %(limit)d ký tự.") % {
        "length": len(text),
        "limit": limit,
    }


#: Between day, month and year: ``/``, ``-`` or ``.``, spaces allowed around.
DATE_SEP = r"\s*[/\-.]\s*"
_FULL_DATE = re.compile(rf"([0-9]{{1,2}}){DATE_SEP}([0-9]{{1,2}}){DATE_SEP}([0-9]{{4}})")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ T]00:00(?::00)?)?")


def written_date(text: str) -> tuple[int, int, int] | None:
    """``(year, month, day)`` of a date written as text, not yet checked to exist.

    Accepted: ``dd/mm/yyyy``, ``d/m/yyyy``, ``dd-mm-yyyy``, ``dd.mm.yyyy``
    (spaces around the separators allowed) and ISO ``yyyy-mm-dd``.
    """
    text = text.strip()
    match = _FULL_DATE.fullmatch(text)
    if match:
        return int(match[3]), int(match[2]), int(match[1])
    match = _ISO_DATE.fullmatch(text)
    if match:
        return int(match[1]), int(match[2]), int(match[3])
    return None


class DateError(ValueError):
    """A cell that holds no date; ``impossible`` when it is written as one that does not exist."""

    def __init__(self, written: str, *, impossible: bool = False) -> None:
        super().__init__(written)
        self.impossible = impossible


def cell_date(value: object) -> datetime.date | None:
    """The date of a cell: an Excel date, or text as :func:`written_date` reads it.

    ``None`` for a blank cell; :class:`DateError` for anything else, such as
    ``31/02/2023`` or a number.
    """
    if isinstance(value, datetime.datetime):
        return local_day(value)
    if isinstance(value, datetime.date):
        return value
    if is_blank(value):
        return None
    if not isinstance(value, str):
        raise DateError(cell_text(value))
    parts = written_date(value)
    if parts is None:
        raise DateError(value.strip())
    try:
        return datetime.date(*parts)
    except ValueError:
        raise DateError(value.strip(), impossible=True) from None


def cell_amount(value: object) -> int:
    """Whole đồng from a cell, as :func:`~core.rules.money.parse_amount` reads it.

    A positive whole number, as Excel stores most amounts, is taken at once.
    Raises :class:`~core.rules.money.AmountError`.
    """
    if value.__class__ is int and value > 0:  # type: ignore[operator]
        return value  # type: ignore[return-value]
    return parse_amount(value)  # type: ignore[arg-type]
