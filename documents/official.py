"""The official layout's parts that come from a commune's settings.

Nghị định 30/2020 (Phụ lục I): issuing body in two lines at the top left, the
place and date ("Yến Sơn, ngày 05 tháng 01 năm 2027", leading zero for days
below 10 and for months 1 and 2), and the three signature columns of a
financial list with the names the commune has configured.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from beneficiaries.models import Commune
from documents.xlsx import Document, Signature

PEOPLES_COMMITTEE = "ỦY BAN NHÂN DÂN"
LIST_NUMBER_LINE = "Số:          /DS-UBND"


def issuing_lines(issuing_body: str) -> list[str]:
    """``ỦY BAN NHÂN DÂN XÃ YẾN SƠN`` → ``["ỦY BAN NHÂN DÂN", "XÃ YẾN SƠN"]`` (capitals)."""
    body = " ".join(issuing_body.split()).upper()
    if body.startswith(PEOPLES_COMMITTEE + " "):
        return [PEOPLES_COMMITTEE, body[len(PEOPLES_COMMITTEE) + 1 :]]
    return [body]


def place_and_date(place: str, day: datetime.date) -> str:
    """``Yến Sơn, ngày 05 tháng 01 năm 2027``; months from 3 on take no leading zero."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def signatures(commune: Commune) -> list[Signature]:
    """Preparer, accountant, leader: the three columns of a financial list."""
    return [
        Signature("NGƯỜI LẬP BIỂU", commune.preparer_name),
        Signature("KẾ TOÁN", commune.accountant_name),
        Signature(commune.leader_title.upper(), commune.leader_name),
    ]


def official_document(
    commune: Commune,
    *,
    title: str,
    summary_lines: Sequence[str],
    dated: datetime.date,
    total_columns: Sequence[int] = (),
) -> Document:
    return Document(
        issuing_lines=issuing_lines(commune.issuing_body),
        number_line=LIST_NUMBER_LINE,
        place_and_date=place_and_date(commune.place_name, dated),
        title=title,
        summary_lines=summary_lines,
        total_columns=total_columns,
        signatures=signatures(commune),
    )
