"""What the parsing of a sheet's rows shares: the read's state, the columns, the issues.

:class:`ReadState` is one read of a workbook (the result every sheet adds
to, the people and enrolments seen so far for the duplicate checks);
:class:`SheetContext` is one sheet's share of it, handed to the field
parsers (person, enrolment, receiver, account) so that they report issues
located by field name without knowing where the columns are.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from desk.importer.layout import Layout
from desk.importer.lookups import Lookups
from desk.importer.rows import Issue, ReadResult, Reference
from documents.spreadsheet import cell_text, clean_text

#: Fields whose value makes a row a data row (not a group heading or a note).
_FIELDS_OF_DATA = ("birth_date", "birth_male", "birth_female", "personal_id", "amount", "category")
#: Fields that make a row a person's, whatever its first cells say ("Tống Công Bình").
_FIELDS_OF_PERSON = ("personal_id", "birth_date", "birth_male", "birth_female")


@dataclass
class ReadState:
    """One read of a workbook: the result, the reference lookups, what was seen so far."""

    reference: Reference
    today: datetime.date
    result: ReadResult = field(default_factory=ReadResult)
    #: (personal ID, category) -> (sheet, row)
    seen_enrolments: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)
    #: personal ID -> (full name, sheet, row)
    seen_people: dict[str, tuple[str, str, int]] = field(default_factory=dict)
    lookups: Lookups = field(init=False)

    def __post_init__(self) -> None:
        self.lookups = Lookups(self.reference)


class Columns:
    """The column of each field in a sheet's padded rows.

    A field the sheet lacks points at the row's last cell, always ``None``
    (see :class:`~documents.spreadsheet.DataRow`), so parsers read every
    field the same way.
    """

    def __init__(self, layout: Layout) -> None:
        index = {name: col for col, name in layout.columns.items()}
        self.by_col = dict(layout.columns)
        self.width = max(layout.columns) + 1
        absent = self.width

        def col(name: str) -> int:
            return index.get(name, absent)

        self.number = col("row_number")
        self.name = col("full_name")
        self.birth = col("birth_date")
        self.birth_male = col("birth_male")
        self.birth_female = col("birth_female")
        self.split_birth = "birth_male" in index and "birth_female" in index
        self.gender = col("gender")
        self.male = col("male")
        self.female = col("female")
        self.marks = "male" in index and "female" in index
        self.personal_id = col("personal_id")
        self.village = col("village")
        self.programme = col("programme")
        self.category = col("category")
        self.amount = col("amount")
        self.coefficient = col("coefficient")
        self.decision = col("decision_number")
        self.start_month = col("start_month")
        self.method = col("method")
        self.receiver = col("receiver_kind")
        self.rep_name = col("rep_name")
        self.rep_id = col("rep_personal_id")
        self.relationship = col("relationship")
        self.account = col("account_number")
        self.bank = col("bank")
        self.holder = col("account_holder")
        self.phone = col("phone")
        self.note = col("note")
        self.old_commune = col("old_commune")
        self.no_pension_document = col("no_pension_document")
        self.no_pension_date = col("no_pension_date")
        self.poor_household_document = col("poor_household_document")
        self.poor_household_date = col("poor_household_date")
        self.data = [index[name] for name in _FIELDS_OF_DATA if name in index]
        self.person = [index[name] for name in _FIELDS_OF_PERSON if name in index]
        # Totals are written in the first cells: row number, name, or merged across them.
        self.lead = sorted(
            {c for c in (self.number, self.name) if c != absent} | set(range(min(3, self.width)))
        )


class SheetContext:
    """One sheet's parsing: where its fields are, its issues, its cleaned texts."""

    def __init__(self, state: ReadState, sheet: str, layout: Layout, legacy: str | None) -> None:
        self.state = state
        self.sheet = sheet
        self.titles = layout.titles
        self.cols = Columns(layout)
        self.legacy = legacy
        self.today = state.today
        self.reference = state.reference
        self.lookups = state.lookups
        self.issues = state.result.issues
        self.texts: dict[str, str] = {}

    def error(self, row: int, name: str, value: object, message: str) -> None:
        self.issues.append(
            Issue(self.sheet, row, self.titles.get(name), cell_text(value), str(message), "error")
        )

    def warning(self, row: int, name: str | None, value: object, message: str) -> None:
        self.issues.append(
            Issue(
                self.sheet,
                row,
                self.titles.get(name) if name else None,
                cell_text(value),
                str(message),
                "warning",
            )
        )

    def text(self, value: object) -> str:
        """A text cell cleaned up (NFC, single spaces, formula escape undone); numbers as written."""
        if value.__class__ is not str:
            return clean_text(value)
        cleaned = self.texts.get(value)  # type: ignore[arg-type]
        if cleaned is None:
            cleaned = clean_text(value)
            if len(self.texts) < 100_000:
                self.texts[value] = cleaned  # type: ignore[index]
        return cleaned
