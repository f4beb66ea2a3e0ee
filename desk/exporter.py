"""The registry as a workbook in the import layout, and the blank template.

The export is re-importable without change: same headers as the import's
first synonyms, same value words, identifiers as text.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from typing import IO, Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from accounts.models import Bank
from amounts.queries import entitlement_in_force
from beneficiaries.labels import GENDER_WORDS, RECEIVER_WORDS
from beneficiaries.models import Beneficiary, Category, Commune, Programme
from documents.official import leader, official_document, preparer
from documents.xlsx import Column, Document, Sheet, write_xlsx
from registration.models import METHOD_WORDS, PaymentMethodRegistration

COLUMNS: tuple[Column, ...] = (
    Column("STT", "int", 6),
    Column("Họ và tên", "text", 26),
    Column("Ngày sinh", "date", 12),
    Column("Giới tính", "text", 8),
    Column("Số CCCD", "id", 15),
    Column("Thôn", "text", 16),
    Column("Chương trình", "text", 10),
    Column("Diện đối tượng", "text", 18),
    Column("Mức trợ cấp", "money", 13),
    Column("Hệ số", "decimal", 7),
    Column("Số quyết định", "text", 16),
    Column("Hình thức nhận", "text", 14),
    Column("Người nhận", "text", 12),
    Column("Người nhận thay", "text", 22),
    Column("CCCD người nhận thay", "id", 15),
    Column("Quan hệ", "text", 10),
    Column("Số tài khoản", "id", 18),
    Column("Ngân hàng", "text", 14),
    Column("Chủ tài khoản", "text", 22),
    Column("Số điện thoại", "id", 12),
    Column("Ghi chú", "text", 20),
)


def desk_document(
    commune: Commune, title: str, dated: datetime.date, *, addressees: Sequence[str] = ()
) -> Document:
    """The official heading of a list kept by the officer (registry, verification batch),
    signed by its preparer and the leader."""
    return official_document(
        commune,
        title=title,
        summary_lines=(),
        dated=dated,
        addressees=addressees,
        signers=[preparer(commune), leader(commune)],
    )


def registry_rows(enrolments: QuerySet[Beneficiary], *, on: datetime.date) -> Iterator[list[Any]]:
    """One row per live enrolment of ``enrolments``, in list order (given name, then full name),
    with the amount and the registration in force in ``on``'s month."""
    month = on.replace(day=1)
    entitlement = entitlement_in_force(month)
    current = PaymentMethodRegistration.objects.in_force_for(OuterRef("pk"), month)
    qs = (
        enrolments.exclude(status=Beneficiary.Status.ENDED)
        .annotate(
            amount=Subquery(entitlement.values("amount")[:1]),
            coefficient=Subquery(entitlement.values("coefficient")[:1]),
            method=Subquery(current.values("method")),
            rep_kind=Subquery(current.values("representative__kind")),
            rep_name=Subquery(current.values("representative__person__full_name")),
            rep_id=Subquery(current.values("representative__person__personal_id")),
            rep_relationship=Subquery(current.values("representative__relationship")),
            account_number=Subquery(current.values("account__number")),
            bank=Subquery(current.values("account__bank__short_name")),
            holder_name=Subquery(current.values("account__holder_name")),
        )
        .order_by("person__sort_name", "person_id", "programme__order", "category__code")
        .values_list(
            "person__full_name",
            "person__birth_date",
            "person__birth_year",
            "person__gender",
            "person__personal_id",
            "person__village__name",
            "programme__code",
            "category__code",
            "amount",
            "coefficient",
            "decision_number",
            "method",
            "rep_kind",
            "rep_name",
            "rep_id",
            "rep_relationship",
            "account_number",
            "bank",
            "holder_name",
            "person__phone",
            "note",
        )
    )
    for number, values in enumerate(qs.iterator(chunk_size=2000), start=1):
        (
            name,
            birth_date,
            birth_year,
            gender,
            personal_id,
            village,
            programme,
            category,
            amount,
            coefficient,
            decision,
            method,
            rep_kind,
            rep_name,
            rep_id,
            relationship,
            account_number,
            bank,
            holder_name,
            phone,
            note,
        ) = values
        yield [
            number,
            name,
            birth_date or birth_year,
            GENDER_WORDS[gender],
            personal_id,
            village,
            programme,
            category,
            amount,
            coefficient,
            decision,
            METHOD_WORDS.get(method, METHOD_WORDS[PaymentMethodRegistration.Method.CASH]),
            RECEIVER_WORDS[rep_kind],
            rep_name,
            rep_id,
            relationship,
            account_number,
            bank,
            holder_name,
            phone,
            note,
        ]


def write_registry(target: str | IO[bytes], commune: Commune, *, on: datetime.date) -> int:
    """The commune's registry, re-importable as is; returns the number of rows."""
    sheet = Sheet(
        name="Danh sách",
        columns=COLUMNS,
        rows=registry_rows(Beneficiary.objects.filter(commune=commune), on=on),
        document=desk_document(
            commune,
            _("DANH SÁCH ĐỐI TƯỢNG HƯỞNG TRỢ CẤP HẰNG THÁNG (đến %(date)s)")
            % {"date": on.strftime("%d/%m/%Y")},
            on,
        ),
    )
    return write_xlsx(target, [sheet])


INSTRUCTIONS = (
    "HƯỚNG DẪN ĐIỀN DANH SÁCH",
    "Mỗi dòng ở trang «Danh sách» là một diện hưởng của một người. Không đổi tên các cột.",
    "Ngày sinh: dd/mm/yyyy (ví dụ 05/03/1938); chỉ biết năm thì ghi năm (1938).",
    "Số CCCD: 12 chữ số. Cột đã định dạng văn bản; nếu dán từ nơi khác, giữ số 0 ở đầu.",
    "Số tài khoản: nhập dạng văn bản. Số từ 16 chữ số nhập dạng số sẽ bị Excel làm mất chữ số cuối.",
    "Mức trợ cấp: số tiền đồng, ví dụ 2055000 hoặc 2.055.000.",
    "Giới tính, Chương trình, Diện đối tượng, Hình thức nhận, Người nhận, Ngân hàng: chọn trong danh sách thả xuống.",
    "Người nhận thay: điền họ tên, số CCCD và quan hệ khi tiền được nhận qua người được ủy quyền hoặc người giám hộ.",
    "Hình thức nhận để trống nghĩa là nhận tiền mặt.",
    "Tệp có lỗi sẽ không được ghi; trang kết quả chỉ rõ từng dòng, từng cột cần sửa.",
)


def _list_validation(source_col: str, count: int) -> dict:
    return {
        "validate": "list",
        "source": f"='Danh mục'!${source_col}$2:${source_col}${count + 1}",
        "error_title": "Giá trị không có trong danh mục",
        "error_message": "Chọn một giá trị trong danh sách thả xuống.",
    }


def write_template(target: str | IO[bytes]) -> None:
    """A blank workbook in the import layout, with instructions and drop-down lists."""
    programmes = list(Programme.objects.values_list("code", flat=True))
    categories = list(
        Category.objects.order_by("programme__order", "code").values_list("code", flat=True)
    )
    banks = list(Bank.objects.filter(active=True).values_list("short_name", flat=True))
    lists: Sequence[Sequence[str]] = (
        list(GENDER_WORDS.values()),
        programmes,
        categories,
        list(METHOD_WORDS.values()),
        list(RECEIVER_WORDS.values()),
        banks,
    )
    longest = max(len(values) for values in lists)
    catalogue_rows = [
        [values[i] if i < len(values) else None for values in lists] for i in range(longest)
    ]
    catalogue = Sheet(
        name="Danh mục",
        columns=[
            Column("Giới tính"),
            Column("Chương trình"),
            Column("Diện đối tượng"),
            Column("Hình thức nhận"),
            Column("Người nhận"),
            Column("Ngân hàng"),
        ],
        rows=catalogue_rows,
    )
    header_index = {c.header: i for i, c in enumerate(COLUMNS)}
    validations = [
        (header_index["Giới tính"], _list_validation("A", len(lists[0]))),
        (header_index["Chương trình"], _list_validation("B", len(lists[1]))),
        (header_index["Diện đối tượng"], _list_validation("C", len(lists[2]))),
        (header_index["Hình thức nhận"], _list_validation("D", len(lists[3]))),
        (header_index["Người nhận"], _list_validation("E", len(lists[4]))),
        (header_index["Ngân hàng"], _list_validation("F", len(lists[5]))),
    ]
    data = Sheet(name="Danh sách", columns=COLUMNS, rows=[], validations=validations)
    guide = Sheet(
        name="Hướng dẫn",
        columns=[Column("Hướng dẫn", "text", 120)],
        rows=[[line] for line in INSTRUCTIONS[1:]],
        landscape=False,
    )
    write_xlsx(target, [data, guide], hidden=[catalogue])
