"""What an import would write: the plan of each row and of the whole chunk.

Shared by the :mod:`~desk.importer.planner` that fills it and the
:mod:`~desk.importer.service` that writes it; nothing here queries.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from accounts.models import PaymentAccount
from amounts.models import Entitlement
from beneficiaries.models import (
    Beneficiary,
    Commune,
    EnrolmentCondition,
    Person,
    Representative,
    Village,
)
from core.rules.names import fold_name as _fold_name
from desk.importer.rows import ImportRow, Issue
from registration.models import PaymentMethodRegistration

CHUNK = 2000
# Rows planned and written together: large enough that per-chunk queries and
# COPY statements do not add up, small enough to keep memory flat.
CHUNK_ROWS = 2000


@lru_cache(maxsize=65536)
def fold_name(text: str) -> str:
    """Names, villages and banks repeat across rows: fold each text once."""
    return _fold_name(text)


COL_ID = "Số CCCD"
# Written on each registration an import creates (a constant: not translated per row).
FORM_REFERENCE = "Nhập từ danh sách"
COL_NAME = "Họ và tên"
COL_START = "Tháng bắt đầu hưởng"

# Row statuses shown in the preview.
NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"
# Where a row's start month comes from: the file, the month of the import (the
# column blank or absent), or the registry (the enrolment exists already).
FROM_FILE, DEFAULT, REGISTRY = "file", "default", "registry"


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class RowPlan:
    row: ImportRow
    status: str = UNCHANGED
    changes: list[str] = field(default_factory=list)
    #: The enrolment's first month and where it comes from (``FROM_FILE``, …).
    start_month: datetime.date | None = None
    start_source: str = ""
    #: Who the row is about (a personal ID, or name, year and village), for the totals.
    person_key: tuple = ()

    def change(self, text: str) -> None:
        self.changes.append(text)
        if self.status == UNCHANGED:
            self.status = CHANGED


@dataclass
class ImportPlan:
    """What an import would write, and why not when it has errors."""

    commune: Commune
    month: datetime.date
    rows: list[RowPlan]
    issues: list[Issue]
    new_villages: list[str] = field(default_factory=list)
    # Objects to write, in dependency order.
    villages: list[Village] = field(default_factory=list)
    new_people: list[Person] = field(default_factory=list)
    changed_people: dict[int, Person] = field(default_factory=dict)
    changed_person_fields: set[str] = field(default_factory=set)
    new_enrolments: list[Beneficiary] = field(default_factory=list)
    new_conditions: list[EnrolmentCondition] = field(default_factory=list)
    changed_enrolments: dict[int, Beneficiary] = field(default_factory=dict)
    new_entitlements: list[Entitlement] = field(default_factory=list)
    changed_entitlements: dict[int, Entitlement] = field(default_factory=dict)
    new_representatives: list[Representative] = field(default_factory=list)
    changed_representatives: dict[int, Representative] = field(default_factory=dict)
    new_accounts: list[PaymentAccount] = field(default_factory=list)
    retired_registrations: dict[int, PaymentMethodRegistration] = field(default_factory=dict)
    new_registrations: list[PaymentMethodRegistration] = field(default_factory=list)
    changed_registrations: dict[int, PaymentMethodRegistration] = field(default_factory=dict)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "warning"]
