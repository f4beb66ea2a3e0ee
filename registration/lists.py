"""The four registration lists (two per programme): who is on which, and the workbook.

Who is on a list, for a commune, a programme and a month (``period``):

* an enrolment of that programme in the commune, live in the month (started,
  no end month on or before the period: an ended enrolment is on the lists of
  the months before its end month),
  not suspended (a suspended enrolment is not paid: on no list and in no
  total until it is resumed), of a person who is alive (no date of death);
* whose registration in force in the month (the latest starting on or before
  it: ``PaymentMethodRegistration.objects.in_force_for``, as the month's payment
  cycle uses) is *into an account*;
* on the **own-account list** when the registration names no representative,
  on the **representatives' list** when it does.

A list nobody is on is not produced (:func:`list_counts` tells which are).

Cash and home-delivery registrations, and enrolments with no registration,
are on no list. A person enrolled in two programmes is on both programmes'
lists. The monthly amount is the entitlement in force in the period
(``entitlement_in_force``).

The rows are read with one query (correlated subqueries, streamed with
``iterator``) and written by the shared writer in constant memory; a
compact snapshot of the rows is written alongside for the next month's
changes sheet (:mod:`registration.listchanges`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import connection
from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Collate, Length

from accounts.models import PaymentAccount
from amounts.queries import entitlement_in_force
from beneficiaries.labels import GENDER_WORDS, KIND_WORDS
from beneficiaries.models import (
    Beneficiary,
    Category,
    Commune,
    Person,
    Programme,
    Village,
    village_name_in,
)
from documents.models import GeneratedFile
from documents.official import addressees, official_document
from documents.xlsx import Column, Sheet, fitted_width, write_xlsx
from registration.listchanges import (
    ACCOUNT_CHANGED,
    ADDED,
    REMOVED,
    Change,
    ChangeTracker,
    Entry,
    SnapshotWriter,
)
from registration.models import PaymentMethodRegistration

SELF = GeneratedFile.Kind.REGISTRATION_SELF
REPRESENTATIVE = GeneratedFile.Kind.REGISTRATION_REPRESENTATIVE
CHUNK = 2000
CHANGE_WORDS = {ADDED: "Thêm mới", REMOVED: "Ra khỏi danh sách", ACCOUNT_CHANGED: "Đổi tài khoản"}

_HEAD = (
    Column("STT", "int", 5),
    Column("Họ và tên", "text", 22),
    Column("Ngày sinh", "date", 10.5),
    Column("Giới tính", "text", 5),
    Column("Số CCCD", "id", 13),
    Column("Thôn", "text", 14),
    Column("Diện đối tượng", "text", 20),
    Column("Mức trợ cấp hằng tháng (đồng)", "money", 11),
)
_RECEIVER = (
    Column("Người nhận thay", "text", 20),
    Column("Số CCCD người nhận thay", "id", 13),
    Column("Quan hệ với đối tượng", "text", 13),
)
_ACCOUNT = (
    Column("Ngân hàng", "text", 11),
    Column("Số tài khoản", "id", 17),
    Column("Chủ tài khoản", "text", 20),
    Column("Ghi chú", "text", 10),
)
COLUMNS = {SELF: _HEAD + _ACCOUNT, REPRESENTATIVE: _HEAD + _RECEIVER + _ACCOUNT}
AMOUNT_COLUMN = 7
NAME_COLUMN, VILLAGE_COLUMN, CATEGORY_COLUMN = 1, 5, 6
# Longer values wrap inside these widths (a village or category name of many words).
NAME_CAP, VILLAGE_CAP, CATEGORY_CAP, HOLDER_CAP, BANK_CAP = 24.0, 16.0, 24.0, 22.0, 12.0
UPPER_CASE = 1.35  # an account holder's name in capitals is that much wider


def list_columns(commune: Commune, programme: Programme, kind: str) -> tuple[Column, ...]:
    """A list's columns as wide as the longest value they can print (the commune's
    people's names and villages, the programme's categories' short names, the
    banks' short names and the accounts' holders of the commune), capped: longer
    values wrap."""
    village = Village.objects.filter(commune=commune).aggregate(n=Max(Length("name")))["n"]
    category = Category.objects.filter(programme=programme).aggregate(n=Max(Length("short_name")))[
        "n"
    ]
    name = Person.objects.filter(commune=commune).aggregate(n=Max(Length("full_name")))["n"]
    accounts = PaymentAccount.objects.filter(holder__commune=commune).aggregate(
        holder=Max(Length("holder_name")), bank=Max(Length("bank__short_name"))
    )
    holder = round((accounts["holder"] or 0) * UPPER_CASE) or None
    columns = list(COLUMNS[kind])
    sized = [
        (NAME_COLUMN, name, NAME_CAP),
        (VILLAGE_COLUMN, village, VILLAGE_CAP),
        (CATEGORY_COLUMN, category, CATEGORY_CAP),
    ]
    offset = len(_HEAD) + (len(_RECEIVER) if kind == REPRESENTATIVE else 0)
    if kind == REPRESENTATIVE:
        sized.append((len(_HEAD), name, NAME_CAP))
    sized += [(offset, accounts["bank"], BANK_CAP), (offset + 2, holder, HOLDER_CAP)]
    for index, longest, cap in sized:
        if longest:
            column = columns[index]
            columns[index] = Column(
                column.header, column.kind, fitted_width(longest, column.header, cap=cap)
            )
    return tuple(columns)


CHANGE_COLUMNS = (
    Column("STT", "int", 6),
    Column("Thay đổi", "text", 16),
    Column("Họ và tên", "text", 24),
    Column("Số CCCD", "id", 14),
    Column("Người nhận thay", "text", 22),
    Column("Ngân hàng trước", "text", 12),
    Column("Số tài khoản trước", "id", 19),
    Column("Ngân hàng nay", "text", 12),
    Column("Số tài khoản nay", "id", 19),
)


def list_title(programme: Programme, kind: str) -> str:
    who = "ĐỐI TƯỢNG" if kind == SELF else "NGƯỜI ĐƯỢC ỦY QUYỀN/NGƯỜI GIÁM HỘ"
    return f"DANH SÁCH {who} ĐĂNG KÝ NHẬN {programme.name.upper()} QUA TÀI KHOẢN THANH TOÁN"


def list_document(
    commune: Commune, programme: Programme, kind: str, period: datetime.date, dated: datetime.date
):
    """The list's heading and signatures: sent to the programme's receiving office."""
    return official_document(
        commune,
        title=list_title(programme, kind),
        summary_lines=[f"Tháng {period:%m} năm {period:%Y}"],
        dated=dated,
        total_columns=(AMOUNT_COLUMN,),
        addressees=addressees(commune, [programme], period),
    )


def changes_document(
    commune: Commune,
    programme: Programme,
    kind: str,
    period: datetime.date,
    dated: datetime.date,
    previous_label: str | None,
):
    """The changes sheet's own heading (the list's first sheet carries the signatures)."""
    if previous_label is None:
        compared = "Chưa có danh sách nào đã gửi trước đây để so sánh."
    else:
        compared = f"So với danh sách đã gửi {previous_label}".rstrip()
    return official_document(
        commune,
        title=f"NHỮNG THAY ĐỔI CỦA {list_title(programme, kind)}",
        summary_lines=[f"Tháng {period:%m} năm {period:%Y}", compared],
        dated=dated,
        signed=False,
    )


def listed_enrolments(commune: Commune, period: datetime.date) -> QuerySet[Beneficiary]:
    """The enrolments on any of the commune's lists of the month (the rule, in one
    place): the commune's in the month (``of_commune_in``: before a merger the
    old commune's people, from it the new commune's), live, not suspended, alive, registered in force into an account, as
    the month's payment cycle pays. A suspended enrolment is on no list (it is
    not paid): the lists, their totals, the changes sheet and the staleness
    check all read this rule. ``registered_representative`` tells the two
    lists apart."""
    current = PaymentMethodRegistration.objects.in_force_for(OuterRef("pk"), period)
    return (
        Beneficiary.objects.of_commune_in(commune, period)
        .filter(start_month__lte=period, person__date_of_death__isnull=True)
        # An ended enrolment always has its end month: it is on the lists of the
        # months before it, as the cycle pays them (a move between programmes
        # ends one enrolment at the month the other starts).
        .exclude(status=Beneficiary.Status.SUSPENDED)
        .filter(Q(end_month__isnull=True) | Q(end_month__gt=period))
        .annotate(
            registered_method=Subquery(current.values("method")),
            registered_representative=Subquery(current.values("representative_id")),
        )
        .filter(registered_method=PaymentMethodRegistration.Method.ACCOUNT)
    )


def list_enrolments(
    commune: Commune, programme: Programme, kind: str, period: datetime.date
) -> QuerySet[Beneficiary]:
    """The enrolments on one list: :func:`listed_enrolments` of the programme, with
    a representative or without."""
    return listed_enrolments(commune, period).filter(
        programme=programme, registered_representative__isnull=(kind == SELF)
    )


def list_counts(commune: Commune, period: datetime.date) -> dict[tuple[int, str], int]:
    """How many are on each list of the month, by (programme id, kind), in one
    grouped query; a list nobody is on is not in it."""
    grouped = (
        listed_enrolments(commune, period)
        .annotate(own=Q(registered_representative__isnull=True))
        .order_by()
        .values("programme_id", "own")
        .annotate(n=Count("pk"))
    )
    return {
        (row["programme_id"], SELF if row["own"] else REPRESENTATIVE): row["n"] for row in grouped
    }


def _sort_key():
    # Byte order, so that the changes merge (Python string order) sees the same order.
    if connection.vendor == "postgresql":
        return Collate("person__sort_name", "C")
    return F("person__sort_name")


FIELDS = (
    "pk",
    "person_id",
    "person__sort_name",
    "person__full_name",
    "person__birth_date",
    "person__birth_year",
    "person__gender",
    "person__personal_id",
    "village_then",
    "category__short_name",
    "status",
    "amount",
    "bank",
    "account_number",
    "holder_name",
    "receiver_name",
    "receiver_personal_id",
    "receiver_kind",
    "receiver_relationship",
    "receiver_valid_until",
)


def list_values(
    commune: Commune, programme: Programme, kind: str, period: datetime.date
) -> QuerySet:
    current = PaymentMethodRegistration.objects.in_force_for(OuterRef("pk"), period)
    return (
        list_enrolments(commune, programme, kind, period)
        .annotate(
            amount=Subquery(entitlement_in_force(period).values("amount")[:1]),
            bank=Subquery(current.values("account__bank__short_name")),
            account_number=Subquery(current.values("account__number")),
            holder_name=Subquery(current.values("account__holder_name")),
            receiver_name=Subquery(current.values("representative__person__full_name")),
            receiver_personal_id=Subquery(current.values("representative__person__personal_id")),
            receiver_kind=Subquery(current.values("representative__kind")),
            receiver_relationship=Subquery(current.values("representative__relationship")),
            receiver_valid_until=Subquery(current.values("representative__valid_until")),
            village_then=village_name_in(commune, period),
        )
        .order_by(_sort_key(), "person_id", "pk")
        .values_list(*FIELDS)
    )


def _entry(row: tuple) -> Entry:
    """The part of a list row the changes sheet and the staleness check compare."""
    pk, person_id, sort_name, name = row[0], row[1], row[2], row[3]
    personal_id, bank, account, receiver = row[7], row[12], row[13], row[15]
    return Entry(
        sort_name, person_id, pk, name, personal_id or "", receiver or "", bank or "", account or ""
    )


def list_entries(
    commune: Commune, programme: Programme, kind: str, period: datetime.date
) -> Iterator[Entry]:
    """The list's rows as they would be built now, in list order (streamed)."""
    for row in list_values(commune, programme, kind, period).iterator(chunk_size=CHUNK):
        yield _entry(row)


def _note(amount: int | None, valid_until, period: datetime.date) -> str:
    notes = []
    if amount is None:
        notes.append("Chưa có mức hưởng")
    if valid_until is not None and valid_until < period:
        notes.append(f"Ủy quyền hết hạn {valid_until:%d/%m/%Y}")
    return "; ".join(notes)


@dataclass
class ListFigures:
    rows: int = 0
    total: int = 0
    changes: dict[str, int] = field(default_factory=dict)


def _rows(
    values: Iterable[tuple],
    kind: str,
    period: datetime.date,
    *,
    figures: ListFigures,
    tracker: ChangeTracker,
    snapshot: SnapshotWriter | None,
    progress: Callable[[int], None] | None,
) -> Iterator[list[Any]]:
    for number, row in enumerate(values, start=1):
        (
            pk,
            person_id,
            sort_name,
            name,
            birth_date,
            birth_year,
            gender,
            personal_id,
            village,
            category,
            status,
            amount,
            bank,
            account,
            holder,
            receiver,
            receiver_personal_id,
            receiver_kind,
            relationship,
            valid_until,
        ) = row
        entry = _entry(row)
        tracker.see(entry)
        if snapshot is not None:
            snapshot.write(entry)
        figures.rows = number
        figures.total += amount or 0
        cells: list[Any] = [
            number,
            name,
            birth_date or birth_year,
            GENDER_WORDS.get(gender, gender),
            personal_id,
            village,
            category,
            amount,
        ]
        if kind == REPRESENTATIVE:
            kind_word = KIND_WORDS.get(receiver_kind, "")
            cells += [
                receiver,
                receiver_personal_id,
                f"{relationship} ({kind_word})" if relationship else kind_word,
            ]
        cells += [bank, account, holder, _note(amount, valid_until, period)]
        if progress is not None and number % CHUNK == 0:
            progress(number)
        yield cells


def _change_rows(tracker: ChangeTracker, figures: ListFigures) -> Iterator[list[Any]]:
    """Read only once the list's rows are written: the tracker has seen them all."""
    changes: list[Change] = tracker.finish()
    figures.changes = {k: sum(1 for c in changes if c.kind == k) for k in CHANGE_WORDS}
    if tracker.has_previous and not changes:
        yield [None, "Không có thay đổi"]
    for number, change in enumerate(changes, start=1):
        entry = change.entry
        before, after = change.before, change.after
        yield [
            number,
            CHANGE_WORDS[change.kind],
            entry.full_name,
            entry.personal_id,
            entry.receiver,
            before.bank if before else None,
            before.account if before else None,
            after.bank if after else None,
            after.account if after else None,
        ]


def write_registration_list(
    target: str | IO[bytes],
    *,
    commune: Commune,
    programme: Programme,
    kind: str,
    period: datetime.date,
    dated: datetime.date,
    previous: Iterable[Entry] | None = None,
    previous_label: str = "",
    snapshot: IO[bytes] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ListFigures:
    """Write one list (and its changes sheet) to ``target``; returns rows, total and changes.

    ``previous`` are the entries of the last sent list of the same kind, in
    list order (``None``: no list was sent before); ``previous_label`` names
    it on the changes sheet. ``snapshot``, when given, receives this list's
    own entries for the next month.
    """
    figures = ListFigures()
    tracker = ChangeTracker(previous)
    writer = SnapshotWriter(snapshot) if snapshot is not None else None
    columns = list_columns(commune, programme, kind)
    values = list_values(commune, programme, kind, period).iterator(chunk_size=CHUNK)
    main = Sheet(
        name="Danh sách",
        columns=columns,
        rows=_rows(
            values,
            kind,
            period,
            figures=figures,
            tracker=tracker,
            snapshot=writer,
            progress=progress,
        ),
        document=list_document(commune, programme, kind, period, dated),
    )
    changes = Sheet(
        name="Thay đổi",
        columns=CHANGE_COLUMNS,
        rows=_change_rows(tracker, figures),
        document=changes_document(
            commune, programme, kind, period, dated, None if previous is None else previous_label
        ),
    )
    write_xlsx(target, [main, changes])
    if writer is not None:
        writer.close()
    return figures
