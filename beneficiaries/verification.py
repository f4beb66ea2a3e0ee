"""The exchange with the national population database, as files.

The population database is not online for a commune: the police export the
people to check, have them checked, and bring back the same rows with a
result. :class:`FileExchange` is the one small interface; a live connector
would implement the same two methods. Layout: ``docs/verification-batch.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from beneficiaries.exporter import title_lines
from beneficiaries.models import Commune, IdentityCheck, Person, Verification
from beneficiaries.models.checks import check_problem, verification_filter, with_verification
from beneficiaries.rules.names import fold_name
from beneficiaries.services import record_check
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
    errors: list[str] = field(default_factory=list)


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
            title_lines=title_lines(
                commune,
                _("DANH SÁCH ĐỀ NGHỊ XÁC THỰC THÔNG TIN VỚI CƠ SỞ DỮ LIỆU QUỐC GIA VỀ DÂN CƯ"),
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
            workbook = load_workbook(source, read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a file that is not .xlsx
            result.errors.append(_("Không đọc được tệp: cần tệp Excel .xlsx do hệ thống xuất ra."))
            return result
        rows = list(workbook.active.iter_rows(values_only=True))
        workbook.close()
        headers = [c.header for c in PERSON_COLUMNS + RESULT_COLUMNS]
        start = next(
            (i for i, row in enumerate(rows) if list(row[: len(headers)]) == headers), None
        )
        if start is None:
            result.errors.append(_("Không thấy dòng tiêu đề cột của danh sách xác thực."))
            return result
        ids = [row[0] for row in rows[start + 1 :] if row and isinstance(row[0], int)]
        scope = Person.objects.filter(pk__in=ids).select_related("village")
        if commune is not None:
            scope = scope.filter(commune=commune)
        people = {p.pk: p for p in scope}
        if len({p.commune_id for p in people.values()}) > 1:
            result.errors.append(_("Tệp có người của nhiều xã: mỗi tệp chỉ cho một xã."))
            return result
        planned = []
        for number, row in enumerate(rows[start + 1 :], start=start + 2):
            if not any(row):
                continue
            values = dict(zip(headers, row, strict=False))
            where = _("Dòng %(row)s") % {"row": number}
            person = people.get(values["Mã hồ sơ"]) if isinstance(values["Mã hồ sơ"], int) else None
            if person is None:
                result.errors.append(f"{where}: " + _("mã hồ sơ không có trong sổ của xã."))
                continue
            if values["Kết quả"] in (None, ""):
                result.skipped += 1
                continue
            outcome = RESULT_WORDS.get(fold_name(str(values["Kết quả"] or "")))
            if outcome is None:
                result.errors.append(
                    f"{where}: "
                    + _(
                        "kết quả «%(value)s» không hợp lệ (Khớp, Không khớp, Không tìm thấy, Đã chết)."
                    )
                    % {"value": values["Kết quả"] or ""}
                )
                continue
            differing = []
            for word in str(values["Trường khác"] or "").split(","):
                key = fold_name(word)
                if key and key not in FIELD_WORDS:
                    result.errors.append(
                        f"{where}: " + _("trường «%(value)s» không rõ.") % {"value": word.strip()}
                    )
                elif key:
                    differing.append(FIELD_WORDS[key])
            problem = check_problem(outcome, differing)
            if problem:
                result.errors.append(f"{where}: {problem}")
                continue
            population = {
                key: str(values[header])
                for key, header in (
                    ("full_name", "Họ tên theo CSDL"),
                    ("birth", "Ngày sinh theo CSDL"),
                    ("gender", "Giới tính theo CSDL"),
                    ("personal_id", "Số định danh theo CSDL"),
                    ("residence", "Nơi thường trú theo CSDL"),
                )
                if values[header] not in (None, "")
            }
            planned.append((person, outcome, differing, population, str(values["Ghi chú"] or "")))
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
