"""Turning a sheet's data rows into typed rows and issues, one row at a time.

A row is read in steps, in the order its columns are read by people: the
person, the enrolment, the receiver, the account, the phone; then the
duplicates inside the file. Every step reports its own issues; a row with
an error yields no :class:`~desk.importer.rows.ImportRow`. Value
forms: ``docs/domain/import-layout.md``.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from core.rules.names import fold_name
from desk.importer.account import AccountFields, read_account
from desk.importer.context import SheetContext
from desk.importer.enrolment import EnrolmentFields, read_enrolment
from desk.importer.person import PersonFields, read_person, read_phone
from desk.importer.receiver import ReceiverFields, read_receiver
from desk.importer.rows import ImportRow
from documents.spreadsheet import (
    DataRow,
    DateError,
    cell_date,
    cell_text,
    is_blank,
    is_totals,
    shown,
    too_long,
)


class RowParser(SheetContext):
    """Turns the data rows of one sheet into ImportRow objects and issues."""

    def feed(self, data_row: DataRow) -> None:
        """Parse one row of the table; a row without any data is only noted."""
        row = data_row.cells
        cols = self.cols
        if not any(row[col] is not None for col in cols.data):
            filled = [value for value in row if value is not None]
            if filled and not (len(filled) == 1 and row[cols.number] is not None):
                self.warning(
                    data_row.number,
                    None,
                    " | ".join(cell_text(value) for value in filled),
                    _(
                        "Dòng không có ngày sinh, số CCCD, diện đối tượng và mức trợ cấp: bỏ qua "
                        "(coi là dòng tiêu đề nhóm hoặc ghi chú)."
                    ),
                )
            return
        self.state.result.data_rows += 1
        self._parse(data_row)

    def looks_like_data(self, row: Sequence[object]) -> bool:
        """Whether a row after the end of the list has a name, a personal ID and an amount."""
        cols = self.cols
        length = len(row)
        return all(
            col < length and not is_blank(row[col])
            for col in (cols.name, cols.personal_id, cols.amount)
        ) and not any(
            isinstance(row[col], str) and is_totals(row[col])  # type: ignore[arg-type]
            for col in cols.lead
            if col < length
        )

    def _parse(self, data_row: DataRow) -> None:
        r, row = data_row.number, data_row.cells
        start = len(self.issues)
        self._long_cells(data_row)
        person = read_person(self, r, row, data_row.stored[self.cols.name])
        enrolment = read_enrolment(self, r, row)
        receiver = read_receiver(self, r, row, person.personal_id)
        account = read_account(self, r, row, receiver, person.full_name)
        phone = read_phone(self, r, row)
        conditions = self._conditions(r, row)
        if person.personal_id is not None:
            self._duplicates(
                r,
                person.personal_id,
                person.full_name,
                enrolment.category,
                row[self.cols.personal_id],
            )
        if any(issue.level == "error" for issue in self.issues[start:]):
            return
        note = self.text(row[self.cols.note])
        imported = _import_row(self.sheet, r, person, enrolment, receiver, account, phone, note)
        imported.old_commune = self.text(row[self.cols.old_commune])
        imported.start_month = enrolment.start_month
        imported.conditions = conditions
        self.state.result.rows.append(imported)

    def _conditions(self, r: int, row: Sequence[object]) -> tuple:
        """The declared conditions of the row: a document and its date, both or neither."""
        cols, found = self.cols, []
        for kind, document_col, date_col, document_field, date_field in (
            (
                "no_pension",
                cols.no_pension_document,
                cols.no_pension_date,
                "no_pension_document",
                "no_pension_date",
            ),
            (
                "poor_household",
                cols.poor_household_document,
                cols.poor_household_date,
                "poor_household_document",
                "poor_household_date",
            ),
        ):
            document = self.text(row[document_col]) if row[document_col] is not None else ""
            raw_date = row[date_col]
            try:
                day = cell_date(raw_date)
            except DateError:
                self.error(
                    r,
                    date_field,
                    raw_date,
                    _("Ngày của giấy tờ không đọc được: ghi dạng dd/mm/yyyy."),
                )
                continue
            if document and day is None:
                self.error(
                    r,
                    date_field,
                    raw_date,
                    _("Ghi ngày của giấy tờ “%(document)s”.") % {"document": document},
                )
            elif day is not None and not document:
                self.error(r, document_field, "", _("Có ngày nhưng chưa ghi tên/số giấy tờ."))
            elif day is not None and day > self.today:
                self.error(r, date_field, raw_date, _("Ngày của giấy tờ ở tương lai."))
            elif document:
                found.append((kind, document, day))
        return tuple(found)

    def _long_cells(self, data_row: DataRow) -> None:
        for col in data_row.long_cells:
            name = self.cols.by_col.get(col)
            if name is not None:
                value = data_row.cells[col]
                self.error(data_row.number, name, shown(value), too_long(value))  # type: ignore[arg-type]

    def _duplicates(
        self, r: int, personal_id: str, full_name: str, category: str | None, raw_id: object
    ) -> None:
        """The same personal ID with another name, or the same enrolment twice, in the file."""
        state = self.state
        seen = state.seen_people.get(personal_id)
        if seen is None:
            state.seen_people[personal_id] = (full_name, self.sheet, r)
        elif (
            full_name
            and seen[0]
            and seen[0] != full_name
            and fold_name(seen[0]) != fold_name(full_name)
        ):
            self.error(
                r,
                "personal_id",
                raw_id,
                _(
                    "Số CCCD %(number)s đã ghi cho người khác (%(name)s) ở dòng %(row)d, "
                    "trang “%(sheet)s”."
                )
                % {"number": personal_id, "name": seen[0], "row": seen[2], "sheet": seen[1]},
            )
        if category is None:
            return
        key = (personal_id, category)
        first = state.seen_enrolments.get(key)
        if first is None:
            state.seen_enrolments[key] = (self.sheet, r)
            return
        self.error(
            r,
            "personal_id",
            raw_id,
            _(
                "Trùng với dòng %(row)d (trang “%(sheet)s”): cùng số CCCD %(number)s và cùng "
                "diện %(category)s."
            )
            % {"row": first[1], "sheet": first[0], "number": personal_id, "category": category},
        )


def _import_row(
    sheet: str,
    r: int,
    person: PersonFields,
    enrolment: EnrolmentFields,
    receiver: ReceiverFields,
    account: AccountFields,
    phone: str,
    note: str,
) -> ImportRow:
    """The typed row, once every step found it without error."""
    return ImportRow(
        sheet=sheet,
        row=r,
        full_name=person.full_name,
        birth_date=person.birth_date,
        birth_year=person.birth_year,  # type: ignore[arg-type]
        gender=person.gender,  # type: ignore[arg-type]
        personal_id=person.personal_id,
        village=person.village,
        programme_code=enrolment.programme,  # type: ignore[arg-type]
        category_code=enrolment.category,  # type: ignore[arg-type]
        amount=enrolment.amount,
        coefficient=enrolment.coefficient,
        decision_number=enrolment.decision_number,
        method=receiver.method,
        ewallet=account.ewallet,
        receiver_kind=receiver.receiver,
        rep_name=receiver.rep_name,
        rep_personal_id=receiver.rep_personal_id,
        relationship=receiver.relationship,
        account_number=account.number,
        bank_bin=account.bank_bin,
        account_holder=account.holder,
        phone=phone,
        note=note,
    )
