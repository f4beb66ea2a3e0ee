"""The account-opening referral letter: the commune introduces, to one bank, the
people it refers there to open an account for their allowance.

A letter (công văn) of the commune in the official layout of Nghị định
30/2020 (``documents.official.official_letter``): ``Số: …/UBND-VHXH`` with
its ``V/v`` line, "Kính gửi" the bank, a short paragraph, the table of the
people (STT, name, birth date, CCCD, address, phone, programme, date
referred), the leader's sealed signature and "Nơi nhận". Written by the
shared writer as an .xlsx the officer prints, signs and seals.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import IO, Any

from django.db.models import QuerySet

from accounts.models import Bank
from beneficiaries.models import Beneficiary, Commune
from documents.official import official_letter
from documents.xlsx import Column, Sheet, fitted_width, write_xlsx
from registration.models import AccountOpeningRequest

SUBJECT = "giới thiệu người mở tài khoản nhận trợ cấp"

COLUMNS = (
    Column("STT", "int", 5),
    Column("Họ và tên", "text", 22),
    Column("Ngày sinh", "date", 10.5),
    Column("Số CCCD", "id", 13.5),
    Column("Địa chỉ", "text", 22),
    Column("Số điện thoại", "id", 11.5),
    Column("Chương trình", "text", 14),
    Column("Ngày giới thiệu", "date", 10.5),
)
ADDRESS_COLUMN = 4


def _body(commune: Commune) -> str:
    """The issuing body as a sentence names it (``Ủy ban nhân dân xã Yến Sơn``)."""
    body = " ".join(commune.issuing_body.split())
    if not body or body.isupper():
        return f"Ủy ban nhân dân xã {commune.name}"
    return body[0].upper() + body[1:]


def intro(commune: Commune, count: int) -> str:
    return (
        f"{_body(commune)} giới thiệu {count} người có tên dưới đây "
        "đến Quý cơ quan để mở tài khoản thanh toán nhận trợ cấp hằng tháng không dùng "
        "tiền mặt. Đề nghị Quý cơ quan hướng dẫn, mở tài khoản cho những người này và "
        "thông báo số tài khoản về Ủy ban nhân dân xã để đăng ký nhận trợ cấp."
    )


def _address(person) -> str:
    village = person.village.name if person.village_id else ""
    parts = [part for part in (person.address.strip(), village) if part]
    return ", ".join(dict.fromkeys(parts))


def _programmes(requests: list[AccountOpeningRequest]) -> dict[int, str]:
    """Per person, the programmes of their live enrolments (one query), in programme order."""
    found: dict[int, list[str]] = {}
    enrolments = (
        Beneficiary.objects.filter(person_id__in={r.person_id for r in requests})
        .exclude(status=Beneficiary.Status.ENDED)
        .order_by("programme__order", "programme__code")
        .values_list("person_id", "programme__short_name")
    )
    for person_id, programme in enrolments:
        if programme not in found.setdefault(person_id, []):
            found[person_id].append(programme)
    return {person_id: ", ".join(names) for person_id, names in found.items()}


def _rows(requests: list[AccountOpeningRequest]) -> Iterator[list[Any]]:
    programmes = _programmes(requests)
    for number, request in enumerate(requests, start=1):
        person = request.person
        if request.beneficiary_id:
            programme = request.beneficiary.programme.short_name
        else:
            programme = programmes.get(request.person_id, "")
        yield [
            number,
            person.full_name,
            person.birth_date or person.birth_year,
            person.personal_id,
            _address(person),
            person.phone,
            programme,
            request.referred_on,
        ]


def write_referral_letter(
    target: str | IO[bytes],
    *,
    commune: Commune,
    bank: Bank,
    requests: QuerySet[AccountOpeningRequest],
    dated: datetime.date,
) -> int:
    """Write the letter to ``target``; returns the number of people on it."""
    requests = requests.select_related("person__village", "beneficiary__programme")
    people = list(requests)
    longest = max((len(_address(r.person)) for r in people), default=0)
    columns = list(COLUMNS)
    address = columns[ADDRESS_COLUMN]
    columns[ADDRESS_COLUMN] = Column(
        address.header, address.kind, fitted_width(longest, address.header, cap=26)
    )
    sheet = Sheet(
        name="Công văn",
        columns=columns,
        rows=_rows(people),
        landscape=False,
        document=official_letter(
            commune,
            subject=SUBJECT,
            addressees=[bank.name],
            intro_lines=[intro(commune, len(people))],
            dated=dated,
            title="DANH SÁCH NGƯỜI ĐƯỢC GIỚI THIỆU MỞ TÀI KHOẢN",
        ),
    )
    return write_xlsx(target, [sheet])


def letter_file_name(commune: Commune, bank: Bank, dated: datetime.date) -> str:
    """``cong-van-gioi-thieu-mo-tai-khoan-agribank-15307-20270105.xlsx``."""
    bank_slug = "".join(ch for ch in bank.code.lower() if ch.isalnum()) or bank.bin
    return f"cong-van-gioi-thieu-mo-tai-khoan-{bank_slug}-{commune.code}-{dated:%Y%m%d}.xlsx"
