"""The reconciliation of a cycle as a sheet: "Đối soát kỳ chi trả tháng mm/yyyy".

One table, in the official layout (``docs/documents.md``): for each group — the
accounts, each bank, cash at the paying point, at home, the whole cycle — its
figures (number of payments and đồng), then its checks with the difference and
"Khớp"/"Lệch"; then the cycle-wide checks (stored figures, files) and what the
next cycle re-issued. Every row is numbered and names its group, so the table can
be filtered by group in a spreadsheet. The same rows make the monthly report's
sheet "Đối soát".
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import IO, Any

from django.utils import timezone

from core.rules.money import format_amount
from documents.official import REPORT, official_document
from documents.xlsx import Column, Document, Sheet, write_xlsx
from payments.reconciliation import Check, Reconciliation

SHEET_NAME = "Đối soát"
COLUMNS = (
    Column("STT", "int", 5),
    # "Qua tài khoản — Vietcombank" on one line.
    Column("Nhóm", "text", 25),
    Column("Khoản mục, phép đối chiếu", "text", 42),
    Column("Số khoản", "int", 8),
    Column("Số tiền (đồng)", "money", 13),
    Column("Chênh lệch (đồng)", "money", 12),
    Column("Đối chiếu", "text", 11),
)
AGREE, DIFFER = "Khớp", "Lệch"
CYCLE_WIDE = "Kiểm tra chung"
REISSUED = "Chi lại ở kỳ sau"


def reconciliation_title(period: datetime.date) -> str:
    return f"ĐỐI SOÁT KỲ CHI TRẢ THÁNG {period:%m/%Y}"


def reconciliation_file_name(rec: Reconciliation) -> str:
    """``doi-soat-15307-2023-09.xlsx``."""
    return f"doi-soat-{rec.cycle.commune.code}-{rec.cycle.period:%Y-%m}.xlsx"


def verdict(rec: Reconciliation) -> str:
    """``Tất cả 21 phép đối chiếu đều khớp.`` or how many differ."""
    checks = rec.all_checks
    if rec.ok:
        return f"Tất cả {len(checks)} phép đối chiếu đều khớp."
    return f"{rec.differences} trên {len(checks)} phép đối chiếu bị lệch (cột “Đối chiếu”)."


def summary_lines(rec: Reconciliation) -> list[str]:
    cycle = rec.cycle
    lines = [
        f"Xã {cycle.commune.name}, trạng thái kỳ: {cycle.get_status_display()}; "
        f"số liệu lúc {timezone.localtime(rec.at):%H:%M ngày %d/%m/%Y}",
        verdict(rec),
    ]
    if rec.partial:
        lines.append(
            "Chỉ gồm các khoản của chương trình người lập được xem: không đối chiếu với "
            "tổng của kỳ và các tệp chi trả."
        )
    return lines


def _check_row(group: str, check: Check) -> list[Any]:
    return [
        None,
        group,
        check.label,
        None,
        None,
        check.difference,
        AGREE if check.ok else f"{DIFFER}{_count_words(check)}",
    ]


def _count_words(check: Check) -> str:
    if not check.count_difference:
        return ""
    return f" {format_amount(check.count_difference, unit=False)} khoản"


def reconciliation_rows(rec: Reconciliation) -> Iterator[list[Any]]:
    """The table's rows, numbered, each with its group's name."""
    rows: list[list[Any]] = []
    for group in rec.groups:
        for _key, label, figure in group.figures:
            rows.append([None, group.label, label, figure.count, figure.amount, None, None])
        rows += [_check_row(group.label, c) for c in group.checks]
    rows += [_check_row(CYCLE_WIDE, c) for c in rec.checks]
    if rec.reissued is not None:
        again = rec.reissued
        rows.append(
            [
                None,
                REISSUED,
                "Các tháng không chi trả được ở kỳ này (chuyển khoản lỗi, không nhận)",
                again.not_paid.count,
                again.not_paid.amount,
                None,
                None,
            ]
        )
        rows.append(
            [
                None,
                REISSUED,
                f"Đã chi lại ở kỳ tháng {again.cycle.period:%m/%Y} "
                f"({again.cycle.get_status_display().lower()})",
                again.payments,
                again.amount,
                None,
                None,
            ]
        )
    for number, row in enumerate(rows, start=1):
        row[0] = number
        yield row


def reconciliation_document(rec: Reconciliation, dated: datetime.date) -> Document:
    return official_document(
        rec.cycle.commune,
        title=reconciliation_title(rec.cycle.period),
        summary_lines=summary_lines(rec),
        dated=dated,
        symbol=REPORT,
    )


def reconciliation_sheet(rec: Reconciliation, *, document: Document) -> Sheet:
    return Sheet(name=SHEET_NAME, columns=COLUMNS, rows=reconciliation_rows(rec), document=document)


def write_reconciliation(
    target: str | IO[bytes], rec: Reconciliation, *, dated: datetime.date
) -> None:
    """The reconciliation as its own signed document (preparer, accountant, leader)."""
    write_xlsx(target, [reconciliation_sheet(rec, document=reconciliation_document(rec, dated))])
