"""The official layout's parts that come from a commune's settings.

Nghị định 30/2020 (Phụ lục I): issuing body in two lines at the top left, the
number with the document type's symbol (a list ``DS``, a report ``BC``; a
letter has none: ``Số: …/UBND-VHXH`` and its ``V/v`` line), the place and
date ("Yến Sơn, ngày 05 tháng 01 năm 2027", leading zero for days below 10
and for months 1 and 2), the signature columns with the names the commune
has configured (the leader signs and seals), and "Nơi nhận".
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from beneficiaries.models import Commune, Programme
from core.rules.names import fold_name
from documents.xlsx import Document, Signature

PEOPLES_COMMITTEE = "ỦY BAN NHÂN DÂN"
LIST = "DS"
REPORT = "BC"
NUMBER_BLANK = " " * 10


def number_line(commune: Commune, symbol: str | None) -> str:
    """``Số:          /DS-UBND``; a letter (no type symbol): ``Số:          /UBND-VHXH``."""
    if symbol:
        return f"Số:{NUMBER_BLANK}/{symbol}-UBND"
    unit = commune.drafting_unit.strip()
    return f"Số:{NUMBER_BLANK}/UBND-{unit}" if unit else f"Số:{NUMBER_BLANK}/UBND"


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


def leader(commune: Commune) -> Signature:
    return Signature(commune.leader_title.upper(), commune.leader_name, seal=True)


def preparer(commune: Commune) -> Signature:
    return Signature("NGƯỜI LẬP BIỂU", commune.preparer_name)


def signatures(commune: Commune) -> list[Signature]:
    """Preparer, accountant, leader: the three columns of a financial list."""
    return [
        preparer(commune),
        Signature("KẾ TOÁN", commune.accountant_name),
        leader(commune),
    ]


def recipients(commune: Commune, addressees: Sequence[str] = ()) -> list[str]:
    """ "Nơi nhận": the addressees ("Như trên"), then the commune's own copy."""
    unit = commune.drafting_unit.strip()
    kept = f"- Lưu: VT, {unit}." if unit else "- Lưu: VT."
    return (["- Như trên;"] if addressees else []) + [kept]


def official_document(
    commune: Commune,
    *,
    title: str,
    summary_lines: Sequence[str],
    dated: datetime.date,
    total_columns: Sequence[int] = (),
    symbol: str = LIST,
    addressees: Sequence[str] = (),
    signed: bool = True,
    signers: Sequence[Signature] | None = None,
) -> Document:
    """A list (``DS``) or a report (``BC``) of the commune: heading, table, signatures.

    ``signed=False`` gives a sheet of a workbook its own heading without the
    signatures, which the workbook's first sheet carries; ``signers`` replaces
    the three columns of a financial list (preparer, accountant, leader).
    """
    return Document(
        issuing_lines=issuing_lines(commune.issuing_body),
        number_line=number_line(commune, symbol),
        place_and_date=place_and_date(commune.place_name, dated),
        title=title,
        summary_lines=summary_lines,
        addressees=addressees,
        total_columns=total_columns,
        signatures=(signatures(commune) if signers is None else list(signers)) if signed else (),
        recipients=recipients(commune, addressees) if signed else (),
    )


def official_letter(
    commune: Commune,
    *,
    subject: str,
    addressees: Sequence[str],
    intro_lines: Sequence[str],
    dated: datetime.date,
    title: str = "",
) -> Document:
    """A letter (công văn) of the commune: no type symbol, a ``V/v`` line, signed
    and sealed by the leader alone, with "Nơi nhận" beside the signature."""
    return Document(
        issuing_lines=issuing_lines(commune.issuing_body),
        number_line=number_line(commune, None),
        subject_line=f"V/v {subject}",
        place_and_date=place_and_date(commune.place_name, dated),
        title=title,
        addressees=addressees,
        intro_lines=intro_lines,
        signatures=[leader(commune)],
        recipients=recipients(commune, addressees),
    )


def addressees(
    commune: Commune, programmes: Sequence[Programme], period: datetime.date
) -> list[str]:
    """ "Kính gửi": the office receiving each programme's lists in the month
    (the programme's settings in force then), once each, in programme order;
    none when the commune itself receives them."""
    offices: list[str] = []
    for programme in programmes:
        setting = programme.setting_on(period, commune)
        office = " ".join(setting.receiving_office.split()) if setting else ""
        if office and not _is_the_commune(office) and office not in offices:
            offices.append(office)
    return offices


def _is_the_commune(office: str) -> bool:
    folded = fold_name(office)
    return folded in {"UY BAN NHAN DAN XA", "UBND XA"} or folded == fold_name(PEOPLES_COMMITTEE)
