"""The exchange with the national population database, as files.

The population database is not online for a commune: the police export the
people to check, have them checked, and bring back the same rows with a
result. :class:`FileExchange` is the one small interface; a live connector
would implement the same two methods. The file comes back through the shared
reader (:mod:`documents.spreadsheet`), so title rows, a moved header or a
signature block added by hand do not matter. Layout:
``docs/verification-batch.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.models import Commune, IdentityCheck, Person, Verification
from beneficiaries.models.checks import check_problem, verification_filter, with_verification
from beneficiaries.services import record_check
from core.rules.names import fold_name
from desk.exporter import desk_document
from documents.spreadsheet import (
    DataRow,
    HeaderNames,
    RowError,
    Table,
    WorkbookError,
    clean_text,
    missing_columns,
    read_table,
    shown,
    too_long,
)
from documents.xlsx import Column, Sheet, write_xlsx

PERSON_COLUMNS = (
    Column("Mã hồ sơ", "int", 10),
    Column("Họ và tên", "text", 26),
    Column("Ngày sinh", "text", 12),
    Column("Giới tính", "text", 8),
    Column("Số CCCD", "id", 15),
    Column("Thôn", "text", 16),
)
RESULT_COLUMNS = (
    Column("Kết quả", "text", 14),
    Column("Trường khác", "text", 22),
    Column("Họ tên theo CSDL", "text", 26),
    Column("Ngày sinh theo CSDL", "text", 14),
    Column("Giới tính theo CSDL", "text", 10),
    Column("Số định danh theo CSDL", "id", 15),
    Column("Nơi thường trú theo CSDL", "text", 26),
    Column("Ghi chú", "text", 20),
)
RESULT_WORDS = {
    "KHOP": IdentityCheck.Result.MATCH,
    "KHONG KHOP": IdentityCheck.Result.MISMATCH,
    "KHONG TIM THAY": IdentityCheck.Result.NOT_FOUND,
    "DA CHET": IdentityCheck.Result.DEAD,
    "CHET": IdentityCheck.Result.DEAD,
}
H_ID = "Mã hồ sơ"
H_RESULT = "Kết quả"
H_FIELDS = "Trường khác"
H_NOTE = "Ghi chú"
#: Population-database columns -> keys of ``IdentityCheck.population_values``.
POPULATION_COLUMNS = (
    ("full_name", "Họ tên theo CSDL"),
    ("birth", "Ngày sinh theo CSDL"),
    ("gender", "Giới tính theo CSDL"),
    ("personal_id", "Số định danh theo CSDL"),
    ("residence", "Nơi thường trú theo CSDL"),
)
#: Every column of the batch, named by its own header; the import reads the id and the results.
NAMES = HeaderNames({column.header: [column.header] for column in PERSON_COLUMNS + RESULT_COLUMNS})
REQUIRED = (H_ID, *(column.header for column in RESULT_COLUMNS))
NOTE_MAX = 300  # IdentityCheck.note
FIELD_WORDS = {
    "HO TEN": "full_name",
    "HO VA TEN": "full_name",
    "NGAY SINH": "birth_date",
    "GIOI TINH": "gender",
    "CCCD": "personal_id",
    "SO CCCD": "personal_id",
    "THON": "village",
    "NOI THUONG TRU": "village",
}


@dataclass
class BatchResult:
    checks: int = 0
    skipped: int = 0  # rows returned without a result: not checked yet
    by_result: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


def people_to_check(commune: Commune):
    """Everyone not verified now: never checked, edited since, or not matched."""
    people = with_verification(Person.objects.filter(commune=commune, date_of_death__isnull=True))
    # Listed positively: an exclude() over the annotations would drop the NULLs
    # of people never checked.
    wanted = (
        verification_filter(Verification.NEVER)
        | verification_filter(Verification.STALE)
        | verification_filter(Verification.MISMATCH)
        | verification_filter(Verification.NOT_FOUND)
    )
    return people.filter(wanted).select_related("village")


class FileExchange:
    """Batches out as .xlsx, results back from the same rows."""

    def export_batch(self, commune: Commune, target: str | IO[bytes]) -> int:
        rows = (
            [
                person.pk,
                person.full_name,
                person.birth_display,
                person.get_gender_display(),
                person.personal_id,
                person.village.name if person.village else "",
                *([None] * len(RESULT_COLUMNS)),
            ]
            for person in people_to_check(commune).order_by("sort_name", "pk")
        )
        sheet = Sheet(
            name="Cần xác thực",
            columns=PERSON_COLUMNS + RESULT_COLUMNS,
            rows=rows,
            document=desk_document(
                commune,
                _("DANH SÁCH ĐỀ NGHỊ XÁC THỰC THÔNG TIN VỚI CƠ SỞ DỮ LIỆU QUỐC GIA VỀ DÂN CƯ"),
                timezone.localdate(),
                addressees=[f"Công an xã {commune.name}"],
            ),
        )
        return write_xlsx(target, [sheet])

    @transaction.atomic
    def import_results(
        self, source: str | Path | IO[bytes], *, commune: Commune, actor
    ) -> BatchResult:
        """Validate every row first; any error and no check is recorded."""
        result = BatchResult()
        try:
            table = read_table(source, NAMES, keys=[H_ID], data=[H_ID, H_RESULT])
            missing = table.missing(REQUIRED)
            if missing:
                raise missing_columns(table.sheet, missing)
        except WorkbookError as exc:
            result.errors.append(RowError("", None, None, "", exc.message))
            return result
        people = _people(table, commune)
        if len({p.commune_id for p in people.values()}) > 1:
            result.errors.append(
                RowError(
                    table.sheet,
                    None,
                    None,
                    "",
                    _("Tệp có người của nhiều xã: mỗi tệp chỉ cho một xã."),
                )
            )
            return result
        planned = []
        for row in table.rows:
            check = _checked_row(table, row, people, result)
            if check is not None:
                planned.append(check)
        if result.errors:
            return result
        for person, outcome, differing, population, note in planned:
            record_check(
                person,
                result=outcome,
                actor=actor,
                differing_fields=differing,
                population_values=population,
                note=note,
                source=IdentityCheck.Source.BATCH,
            )
            result.checks += 1
            result.by_result[outcome] = result.by_result.get(outcome, 0) + 1
        return result


def _people(table: Table, commune: Commune | None) -> dict[int, Person]:
    """The people the file's ids name (of ``commune`` when given), in one query."""
    ids = [table.cell(row, H_ID) for row in table.rows]
    scope = Person.objects.filter(pk__in=[pk for pk in ids if isinstance(pk, int)])
    if commune is not None:
        scope = scope.filter(commune=commune)
    return {person.pk: person for person in scope.select_related("village")}


def _checked_row(table: Table, row: DataRow, people: dict[int, Person], result: BatchResult):
    """``(person, result, differing fields, population values, note)``, or ``None``.

    ``None`` for a row without a result yet (skipped) and for a wrong row
    (its errors added to ``result``).
    """
    errors_before = len(result.errors)

    def error(header: str, message: str) -> None:
        value = shown(table.cell(row, header))
        result.errors.append(RowError(table.sheet, row.number, header, value, message))

    for col in row.long_cells:
        header = next((name for name, at in table.columns.items() if at == col), None)
        if header is not None:
            error(header, too_long(str(row.cells[col])))  # type: ignore[arg-type]
    pk = table.cell(row, H_ID)
    person = people.get(pk) if isinstance(pk, int) else None  # type: ignore[arg-type]
    if person is None:
        error(H_ID, _("Mã hồ sơ không có trong sổ của xã."))
        return None
    word = clean_text(table.cell(row, H_RESULT))
    if not word:
        result.skipped += 1
        return None
    outcome = RESULT_WORDS.get(fold_name(word))
    if outcome is None:
        error(
            H_RESULT,
            _("Kết quả «%(value)s» không hợp lệ (Khớp, Không khớp, Không tìm thấy, Đã chết).")
            % {"value": word},
        )
        return None
    differing = []
    for written in clean_text(table.cell(row, H_FIELDS)).split(","):
        key = fold_name(written)
        if key and key not in FIELD_WORDS:
            error(H_FIELDS, _("Trường «%(value)s» không rõ.") % {"value": written.strip()})
        elif key:
            differing.append(FIELD_WORDS[key])
    problem = check_problem(outcome, differing, personal_id=person.personal_id)
    if problem:
        error(H_FIELDS if outcome == IdentityCheck.Result.MISMATCH else H_RESULT, problem)
    note = clean_text(table.cell(row, H_NOTE))
    message = too_long(note, NOTE_MAX)
    if message is not None:
        error(H_NOTE, message)
    if len(result.errors) > errors_before:
        return None
    population = {
        key: clean_text(table.cell(row, header))
        for key, header in POPULATION_COLUMNS
        if clean_text(table.cell(row, header))
    }
    return person, outcome, differing, population, note
