"""What the reader produces (rows, issues, the result) and the reference data it reads against.

:class:`Reference` is built once per import from the database
(:func:`desk.importer.service.reference_from_database`) or, in
tests, from the shipped CSV files, both through :meth:`Reference.from_rows`,
so the reader itself never queries anything.
Its mappings are keyed by :func:`~documents.spreadsheet.fold_key`, the
same folding the reader applies to cells.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from desk.importer.values import bank_keys
from documents.spreadsheet import RowError, fold_key

Level = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Issue(RowError):
    """A problem found in the file, located for the user: the reader's row error with a level.

    ``row`` is the Excel row number (1-based) or ``None`` for a problem of a
    whole column or sheet; ``column`` is the header as written in the file;
    ``value`` the cell as written; ``message`` Vietnamese, naming the rule. A
    warning is shown but does not stop the import.
    """

    level: Level = "error"


@dataclass(slots=True)
class ImportRow:
    """One enrolment read from a row without errors, with typed, normalised values.

    Only rows without errors are returned: the import writes nothing when
    any error exists, so a row with errors never needs to be typed.
    ``coefficient`` is ``None`` when the file gives none (the service takes
    the category's) and for fixed-amount programmes (NCC), where it is
    ignored with a warning. ``bank_bin`` is ``None`` and ``account_number``
    and ``account_holder`` are ``""`` unless ``method`` is ``"account"``: an
    account written on a cash row is ignored with a warning on that row.
    ``account_holder`` is folded (``NGUYEN VAN AN``), ``""`` when not given.
    """

    sheet: str
    row: int
    full_name: str
    birth_date: datetime.date | None
    birth_year: int
    gender: Literal["M", "F"]
    personal_id: str | None
    village: str
    programme_code: str
    category_code: str
    amount: int
    coefficient: Decimal | None
    decision_number: str
    method: Literal["account", "cash", "home"]
    ewallet: bool
    receiver_kind: Literal["self", "proxy", "guardian"]
    rep_name: str
    rep_personal_id: str | None
    relationship: str
    account_number: str
    bank_bin: str | None
    account_holder: str
    phone: str
    note: str
    #: "Xã cũ": the old commune (name or code) a row of a merged commune comes from.
    old_commune: str = ""
    #: Declared conditions with their document: ``(kind, document, date)``.
    conditions: tuple[tuple[str, str, datetime.date], ...] = ()
    #: "Tháng bắt đầu hưởng": the first month of a new enrolment; ``None`` when blank
    #: (the month of the import).
    start_month: datetime.date | None = None


@dataclass
class ReadResult:
    """Rows without errors, every issue, the sheets read and the columns ignored.

    ``data_rows`` counts the data rows seen, with or without errors, so a
    caller can say "120 dòng, 3 dòng có lỗi". ``encoding`` is ``"TCVN3"`` or
    ``"VNI"`` when the file was converted from a legacy encoding.
    """

    rows: list[ImportRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    data_rows: int = 0
    encoding: str | None = None

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.level == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.level == "warning"]


CategoryRef = tuple[str, str]
"""``(category_code, programme_code)``."""


def split_synonyms(value: object) -> tuple[str, ...]:
    """``"NHNo&PTNT; Nông nghiệp"`` -> the names; the reference data keeps them, editable."""
    return tuple(part.strip() for part in str(value or "").split(";") if part.strip())


@dataclass(frozen=True)
class Reference:
    """The reference data a file is read against, keyed by folded text.

    ``categories`` maps a folded code, name or short name to every category
    it names: usually one, several when two categories share a short name;
    the row's programme then decides, and the reader reports an ambiguity
    otherwise. ``banks`` maps folded names to ``(bin, is_ewallet)``; keys
    that name several banks (``KEB Hana`` has two BINs) are left out of it
    and listed in ``ambiguous_banks`` instead, so the user is asked to
    write the bank more precisely. ``category_coefficients`` (category code
    -> coefficient) and ``coefficient_programmes`` (programmes paid as base
    level x coefficient) let the reader warn about a coefficient that
    differs from the category's. Mappings are plain dicts: do not mutate.
    """

    categories: Mapping[str, tuple[CategoryRef, ...]]
    programmes: Mapping[str, str]
    banks: Mapping[str, tuple[str, bool]]
    known_provinces: frozenset[str]
    category_coefficients: Mapping[str, Decimal] = field(default_factory=dict)
    coefficient_programmes: frozenset[str] = frozenset()
    ambiguous_banks: frozenset[str] = frozenset()

    @classmethod
    def from_rows(
        cls,
        *,
        programmes: Iterable[Mapping[str, object]],
        categories: Iterable[Mapping[str, object]],
        banks: Iterable[Mapping[str, object]],
        provinces: Iterable[str],
    ) -> Reference:
        """Build the lookups from plain rows (CSV dicts or ``values()`` of the models).

        ``programmes``: ``code``, ``name``, ``short_name``, ``amount_mode``;
        ``categories``: ``code``, ``name``, ``short_name``, ``programme``
        (its code), ``coefficient`` (``Decimal``, text or empty); ``banks``:
        ``bin``, ``code`` (VietQR), ``short_name``, ``name``, ``kind``; programmes
        and banks may carry ``synonyms`` (``;``-separated, from the reference data).
        """
        programme_map: dict[str, str] = {}
        coefficient_programmes: set[str] = set()
        for row in programmes:
            code = str(row["code"])
            if row.get("amount_mode") == "coefficient":
                coefficient_programmes.add(code)
            words = (code, row["name"], row["short_name"], *split_synonyms(row.get("synonyms")))
            for word in words:
                key = fold_key(str(word))
                if key:
                    programme_map.setdefault(key, code)

        category_map: dict[str, list[CategoryRef]] = {}
        coefficients: dict[str, Decimal] = {}
        for row in categories:
            ref = (str(row["code"]), str(row["programme"]))
            coefficient = row.get("coefficient")
            if coefficient not in (None, ""):
                coefficients[ref[0]] = Decimal(str(coefficient))
            for word in (row["code"], row["name"], row["short_name"]):
                key = fold_key(str(word))
                if key and ref not in category_map.setdefault(key, []):
                    category_map[key].append(ref)

        bank_map, ambiguous = _bank_lookup(banks)
        return cls(
            categories={key: tuple(sorted(refs)) for key, refs in category_map.items()},
            programmes=programme_map,
            banks=bank_map,
            known_provinces=frozenset(str(code) for code in provinces),
            category_coefficients=coefficients,
            coefficient_programmes=frozenset(coefficient_programmes),
            ambiguous_banks=ambiguous,
        )


def _bank_lookup(
    banks: Iterable[Mapping[str, object]],
) -> tuple[dict[str, tuple[str, bool]], frozenset[str]]:
    """Folded bank keys -> (BIN, e-wallet), and the keys that name several banks.

    Primary keys (the whole short name, VietQR code, BIN, full name or
    synonym) win over keys derived by dropping prefixes and legal forms, so
    a derived key never makes an exact name ambiguous. Two banks sharing a
    key of the same rank make it ambiguous.
    """
    primary: dict[str, set[tuple[str, bool]]] = {}
    derived: dict[str, set[tuple[str, bool]]] = {}
    for row in banks:
        target = (str(row["bin"]), row.get("kind") == "e-wallet")
        words = [row["short_name"], row["code"], row["bin"], row["name"]]
        words += split_synonyms(row.get("synonyms"))
        for word in words:
            keys = bank_keys(str(word))
            if not keys:
                continue
            primary.setdefault(keys[0], set()).add(target)
            for key in keys[1:]:
                derived.setdefault(key, set()).add(target)
    lookup: dict[str, tuple[str, bool]] = {}
    ambiguous: set[str] = set()
    for key, targets in derived.items():
        if key in primary:
            continue
        if len(targets) == 1:
            lookup[key] = next(iter(targets))
        else:
            ambiguous.add(key)
    for key, targets in primary.items():
        if len(targets) == 1:
            lookup[key] = next(iter(targets))
        else:
            ambiguous.add(key)
    return lookup, frozenset(ambiguous)
