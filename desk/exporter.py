"""The registry as a workbook in the import layout, its printable variant, and the
blank template.

The export is re-importable without change: same headers as the import's
first synonyms, same value words, identifiers as text. Programmes and
categories are written by their short names (what a person reads; the import
takes a code, a name or a short name alike). The printable variant
(:func:`write_registry_printable`) keeps the columns an official reads,
sorted by village with the village first, on A4 landscape at a readable scale.
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
from desk.importer.enrolment import START_MONTHS_AHEAD
from documents import textwidth
from documents.official import leader, official_document, preparer
from documents.xlsx import Column, Document, Sheet, printable_area, write_xlsx
from registration.models import METHOD_WORDS, PaymentMethodRegistration

COLUMNS: tuple[Column, ...] = (
    Column("STT", "int", 6),
    Column("Họ và tên", "text", 26),
    Column("Ngày sinh", "date", 12),
    Column("Giới tính", "text", 8),
    Column("Số CCCD", "id", 15),
    Column("Thôn", "text", 16),
    Column("Chương trình", "text", 14),
    Column("Diện đối tượng", "text", 22),
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


#: The template's column after ``Số quyết định``: the first month of a new enrolment
#: (``mm/yyyy``, formatted as text so that Excel keeps it as typed; blank: the month
#: of the import). The export leaves it out: an enrolment in the registry keeps its own.
START_MONTH_COLUMN = Column("Tháng bắt đầu hưởng", "id", 10)


def template_columns() -> tuple[Column, ...]:
    """The template's columns: the registry's, the start month after the decision
    number, then the conditions."""
    at = next(i for i, c in enumerate(COLUMNS) if c.header == "Số quyết định") + 1
    return (*COLUMNS[:at], START_MONTH_COLUMN, *COLUMNS[at:], *CONDITION_COLUMNS)


#: The template's optional columns after the registry's: the conditions hưu trí
#: xã hội requires, each declared with its document and the document's date
#: (headers the import knows: ``desk.importer.layout``).
CONDITION_COLUMNS: tuple[Column, ...] = (
    Column("Giấy tờ không hưởng lương hưu", "text", 22),
    Column("Ngày giấy tờ không hưởng lương hưu", "date", 12),
    Column("Giấy chứng nhận hộ nghèo/cận nghèo", "text", 22),
    Column("Ngày giấy chứng nhận hộ nghèo/cận nghèo", "date", 12),
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


def registry_rows(
    enrolments: QuerySet[Beneficiary], *, on: datetime.date, include_ended: bool = False
) -> Iterator[list[Any]]:
    """One row per live enrolment of ``enrolments`` (ended ones too with ``include_ended``),
    in list order (given name, then full name), with the amount and the registration in
    force in ``on``'s month."""
    month = on.replace(day=1)
    entitlement = entitlement_in_force(month)
    current = PaymentMethodRegistration.objects.in_force_for(OuterRef("pk"), month)
    if not include_ended:
        enrolments = enrolments.exclude(status=Beneficiary.Status.ENDED)
    qs = (
        enrolments.annotate(
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
            "programme__short_name",
            "category__short_name",
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


def _enrolments_of(commune: Commune, programme_ids: list[int] | None) -> QuerySet[Beneficiary]:
    """The commune's enrolments; with ``programme_ids`` (a user limited to some
    programmes), those programmes' only."""
    enrolments = Beneficiary.objects.filter(commune=commune)
    if programme_ids is not None:
        enrolments = enrolments.filter(programme_id__in=programme_ids)
    return enrolments


def write_registry(
    target: str | IO[bytes],
    commune: Commune,
    *,
    on: datetime.date,
    programme_ids: list[int] | None = None,
    enrolments: QuerySet[Beneficiary] | None = None,
    include_ended: bool = False,
) -> int:
    """The commune's registry, re-importable as is; returns the number of rows.

    ``enrolments``: a selection of the commune's (the registry list's filters) instead
    of all of them; ``include_ended`` keeps the ended ones (a list filtered on them).
    """
    if enrolments is None:
        enrolments = _enrolments_of(commune, programme_ids)
    sheet = Sheet(
        name="Danh sách",
        columns=COLUMNS,
        rows=registry_rows(enrolments, on=on, include_ended=include_ended),
        document=desk_document(
            commune,
            _("DANH SÁCH ĐỐI TƯỢNG HƯỞNG TRỢ CẤP HẰNG THÁNG (đến %(date)s)")
            % {"date": on.strftime("%d/%m/%Y")},
            on,
        ),
    )
    return write_xlsx(target, [sheet])


PRINT_COLUMNS: tuple[Column, ...] = (
    Column("Thôn", "text", 14),
    Column("STT", "int", 5),
    Column("Họ và tên", "text", 22),
    Column("Ngày sinh", "date", 10.5),
    Column("Số CCCD", "id", 13.5),
    Column("Diện đối tượng", "text", 20),
    Column("Chương trình", "text", 12),
    Column("Mức trợ cấp", "money", 11),
    Column("Hình thức nhận", "text", 16),
    Column("Số tài khoản", "id", 16),
    Column("Trạng thái", "text", 10),
)


def printable_rows(
    commune: Commune,
    *,
    on: datetime.date,
    programme_ids: list[int] | None = None,
    enrolments: QuerySet[Beneficiary] | None = None,
    include_ended: bool = False,
) -> Iterator[list[Any]]:
    """The live enrolments (or those of ``enrolments``, ended ones too with
    ``include_ended``) by village (then given name), numbered within the
    village, with the amount and the registration in force in ``on``'s month."""
    month = on.replace(day=1)
    current = PaymentMethodRegistration.objects.in_force_for(OuterRef("pk"), month)
    if enrolments is None:
        enrolments = _enrolments_of(commune, programme_ids)
    if not include_ended:
        enrolments = enrolments.exclude(status=Beneficiary.Status.ENDED)
    qs = (
        enrolments.annotate(
            amount=Subquery(entitlement_in_force(month).values("amount")[:1]),
            method=Subquery(current.values("method")),
            bank=Subquery(current.values("account__bank__short_name")),
            account_number=Subquery(current.values("account__number")),
            rep_name=Subquery(current.values("representative__person__full_name")),
        )
        .order_by("person__village__name", "person__sort_name", "person_id", "programme__order")
        .values_list(
            "person__village__name",
            "person__full_name",
            "person__birth_date",
            "person__birth_year",
            "person__personal_id",
            "category__short_name",
            "programme__short_name",
            "amount",
            "method",
            "bank",
            "account_number",
            "rep_name",
            "status",
        )
    )
    statuses = dict(Beneficiary.Status.choices)
    village_before, number = None, 0
    for values in qs.iterator(chunk_size=2000):
        (village, name, birth_date, birth_year, personal_id, category, programme, amount,
         method, bank, account, rep_name, status) = values  # fmt: skip
        number = number + 1 if village == village_before else 1
        how = METHOD_WORDS.get(method, METHOD_WORDS[PaymentMethodRegistration.Method.CASH])
        if bank:
            how = f"{how} ({bank})"
        if rep_name:
            how = f"{how}; nhận thay: {rep_name}"
        yield [
            village if village != village_before else None,
            number,
            name,
            birth_date or birth_year,
            personal_id,
            category,
            programme,
            amount,
            how,
            account,
            statuses.get(status, status),
        ]
        village_before = village


def write_registry_printable(
    target: str | IO[bytes],
    commune: Commune,
    *,
    on: datetime.date,
    plans: list | None = None,
    programme_ids: list[int] | None = None,
    enrolments: QuerySet[Beneficiary] | None = None,
    include_ended: bool = False,
) -> int:
    """The registry to print and sign: eleven columns, by village, A4 landscape
    (``enrolments``, ``include_ended``: as :func:`write_registry`)."""
    sheet = Sheet(
        name="Bản in",
        columns=PRINT_COLUMNS,
        rows=printable_rows(
            commune,
            on=on,
            programme_ids=programme_ids,
            enrolments=enrolments,
            include_ended=include_ended,
        ),
        document=desk_document(
            commune,
            _("DANH SÁCH ĐỐI TƯỢNG HƯỞNG TRỢ CẤP HẰNG THÁNG THEO THÔN (đến %(date)s)")
            % {"date": on.strftime("%d/%m/%Y")},
            on,
        ),
    )
    return write_xlsx(target, [sheet], plans=plans)


INSTRUCTIONS = (
    "HƯỚNG DẪN ĐIỀN DANH SÁCH",
    "Mỗi dòng ở trang «Danh sách» là một diện hưởng của một người. Không đổi tên các cột.",
    "Ngày sinh: dd/mm/yyyy (ví dụ 05/03/1938); chỉ biết năm thì ghi năm (1938).",
    "Số CCCD: 12 chữ số. Cột đã định dạng văn bản; nếu dán từ nơi khác, giữ số 0 ở đầu.",
    "Tháng bắt đầu hưởng: tháng/năm theo quyết định, dạng mm/yyyy (ví dụ 03/2026); để trống "
    "thì hưởng từ tháng nhập. Chỉ dùng cho diện hưởng mới; không trước tháng chương trình bắt "
    f"đầu, không quá {START_MONTHS_AHEAD} tháng sau tháng nhập.",
    "Số tài khoản: nhập dạng văn bản. Số từ 16 chữ số nhập dạng số sẽ bị Excel làm mất chữ số cuối.",
    "Mức trợ cấp: số tiền đồng, ví dụ 2055000 hoặc 2.055.000.",
    "Giới tính, Chương trình, Diện đối tượng, Hình thức nhận, Người nhận, Ngân hàng: chọn trong danh sách thả xuống.",
    "Chương trình và Diện đối tượng ghi bằng tên (ví dụ «Người có công», «Lão thành cách mạng»); tên đầy đủ hoặc mã cũng được nhận.",
    "Người nhận thay: điền họ tên, số CCCD và quan hệ khi tiền được nhận qua người được ủy quyền hoặc người giám hộ.",
    "Hình thức nhận để trống nghĩa là nhận tiền mặt.",
    "Hưu trí xã hội: ghi giấy tờ chứng minh không hưởng lương hưu hoặc trợ cấp BHXH hằng tháng và ngày của giấy tờ; diện từ đủ 70 đến dưới 75 tuổi ghi thêm giấy chứng nhận hộ nghèo/cận nghèo và ngày cấp. Các diện khác để trống bốn cột này.",
    "Tệp có lỗi sẽ không được ghi; trang kết quả chỉ rõ từng dòng, từng cột cần sửa.",
)


# The guide's text column: the width of an A4 portrait page less the number column,
# so that each instruction wraps within the page (and prints at full size).
GUIDE_NUMBER_WIDTH = 5.0
GUIDE_WIDTH = round(
    textwidth.width_for_pt(
        printable_area(landscape=False)[0] - textwidth.column_pt(GUIDE_NUMBER_WIDTH) - 2
    ),
    1,
)


def _list_validation(source_col: str, count: int) -> dict:
    return {
        "validate": "list",
        "source": f"='Danh mục'!${source_col}$2:${source_col}${count + 1}",
        "error_title": "Giá trị không có trong danh mục",
        "error_message": "Chọn một giá trị trong danh sách thả xuống.",
    }


def write_template(target: str | IO[bytes], *, plans: list | None = None) -> None:
    """A blank workbook in the import layout, with instructions and drop-down lists."""
    # Names, as a person reads and picks them (the import takes them as it takes codes).
    programmes = list(
        Programme.objects.order_by("order", "code").values_list("short_name", flat=True)
    )
    categories = list(
        Category.objects.order_by("programme__order", "code").values_list("short_name", flat=True)
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
    columns = template_columns()
    header_index = {c.header: i for i, c in enumerate(columns)}
    validations = [
        (header_index["Giới tính"], _list_validation("A", len(lists[0]))),
        (header_index["Chương trình"], _list_validation("B", len(lists[1]))),
        (header_index["Diện đối tượng"], _list_validation("C", len(lists[2]))),
        (header_index["Hình thức nhận"], _list_validation("D", len(lists[3]))),
        (header_index["Người nhận"], _list_validation("E", len(lists[4]))),
        (header_index["Ngân hàng"], _list_validation("F", len(lists[5]))),
    ]
    data = Sheet(name="Danh sách", columns=columns, rows=[], validations=validations)
    guide = Sheet(
        name="Hướng dẫn",
        columns=[
            Column("STT", "int", GUIDE_NUMBER_WIDTH),
            Column("Hướng dẫn", "text", GUIDE_WIDTH),
        ],
        rows=[[number, line] for number, line in enumerate(INSTRUCTIONS[1:], start=1)],
        title_lines=[INSTRUCTIONS[0]],
        landscape=False,
    )
    write_xlsx(target, [data, guide], hidden=[catalogue], plans=plans)
