"""The bank files of a cycle: one .xlsx (to sign) and one .csv (to load) per bank.

Rows are the cycle's account payments at that bank, by the beneficiary's
name, streamed from the database; the .xlsx carries the official layout, the
.csv a last totals line. Only an approved cycle (or later) has files: a draft
still changes. Layout: ``docs/bank-files.md``.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from accounts.models import Bank
from core.rules.names import fold_name
from documents.official import official_document
from documents.xlsx import Column, Sheet, write_csv, write_xlsx
from payments.filerules import months_label, payment_reference, transfer_content
from payments.models import Payment, PaymentCycle, PaymentMonth

CHUNK = 2000
EXPORTABLE = (
    PaymentCycle.Status.APPROVED,
    PaymentCycle.Status.SUBMITTED,
    PaymentCycle.Status.PAID,
    PaymentCycle.Status.CLOSED,
)

BANK_COLUMNS = (
    Column("STT", "int", 6),
    Column("Mã thanh toán", "id", 14),
    Column("Số tài khoản", "id", 19),
    Column("Tên chủ tài khoản", "text", 24),
    Column("Mã BIN ngân hàng", "id", 9),
    Column("Ngân hàng", "text", 12),
    Column("Số tiền (đồng)", "money", 13),
    Column("Nội dung chuyển khoản", "text", 30),
    Column("Họ tên đối tượng", "text", 24),
    Column("Các tháng", "text", 16),
)
BANK_AMOUNT_COLUMN = 6
TOTALS_LABEL = "Tổng cộng"
# What a bank file or a post office list holds: a payment a recovery took whole
# (settled) sends nothing, so it is on neither.
SENDS_MONEY = ~Q(status=Payment.Status.SETTLED)


class ExportError(Exception):
    """A cycle whose files cannot be made, with a message for the user."""


def require_exportable(cycle: PaymentCycle) -> None:
    """Only an approved cycle (or later) has files: a draft still changes."""
    if cycle.status not in EXPORTABLE:
        raise ExportError(
            _(
                "Kỳ chi trả tháng %(month)s đang “%(status)s”: chỉ lập tệp chi trả khi kỳ "
                "đã được phê duyệt."
            )
            % {"month": f"{cycle.period:%m/%Y}", "status": cycle.get_status_display()}
        )


class MonthLabels:
    """The months each payment of a cycle covers, as text.

    Most payments pay the cycle's month alone: only the others are kept (one
    streamed query), so memory does not grow with the cycle.
    """

    def __init__(self, cycle: PaymentCycle) -> None:
        self.default = f"{cycle.period:%m/%Y}"
        self.special: dict[int, str] = {}
        lines = (
            PaymentMonth.objects.filter(payment__cycle=cycle)
            .order_by("payment_id", "month", "kind")
            .values_list("payment_id", "month", "kind")
            .iterator(chunk_size=5000)
        )
        current: int | None = None
        found: list[tuple[datetime.date, str]] = []
        for payment_id, month, kind in itertools.chain(lines, [(None, None, None)]):
            if payment_id != current:
                if current is not None and found != [(cycle.period, "regular")]:
                    self.special[current] = months_label(found)
                current, found = payment_id, []
            if payment_id is not None:
                found.append((month, kind))

    def __getitem__(self, payment_id: int) -> str:
        return self.special.get(payment_id, self.default)


@dataclass
class BankBatch:
    """One bank's part of a cycle."""

    bank: Bank
    rows: int
    total: int


def transfers(cycle: PaymentCycle) -> QuerySet[Payment]:
    """The payments the bank files hold: one rule for the files and their figures."""
    return Payment.objects.filter(SENDS_MONEY, cycle=cycle, method=Payment.Method.ACCOUNT)


def bank_batches(cycle: PaymentCycle) -> list[BankBatch]:
    """The banks of a cycle's account payments, with their counts and totals."""
    figures = (
        transfers(cycle)
        .values("bank_id")
        .annotate(rows=Count("pk"), total=Sum("amount"))
        .order_by()
    )
    by_bank = {f["bank_id"]: f for f in figures}
    banks = Bank.objects.filter(pk__in=by_bank).order_by("short_name", "bin")
    return [BankBatch(b, by_bank[b.pk]["rows"], by_bank[b.pk]["total"]) for b in banks]


def bank_rows(
    cycle: PaymentCycle,
    bank: Bank,
    labels: MonthLabels,
    *,
    progress: Callable[[int], None] | None = None,
) -> Iterator[list[Any]]:
    """One bank's transfers, by the beneficiary's name (streamed)."""
    values = (
        transfers(cycle)
        .filter(bank=bank)
        .order_by("beneficiary__person__sort_name", "pk")
        .values_list(
            "pk",
            "account_number",
            "account_holder_name",
            "amount",
            "beneficiary__person__full_name",
        )
        .iterator(chunk_size=CHUNK)
    )
    for number, (pk, account, holder, amount, name) in enumerate(values, start=1):
        if progress is not None and number % CHUNK == 0:
            progress(CHUNK)
        yield [
            number,
            payment_reference(pk),
            account,
            holder,
            bank.bin,
            bank.short_name,
            amount,
            transfer_content(cycle.period, pk),
            name,
            labels[pk],
        ]


def _with_totals(rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
    """The CSV's rows and, last, its totals row (the .xlsx has the official one)."""
    count = total = 0
    for row in rows:
        count += 1
        total += row[BANK_AMOUNT_COLUMN]
        yield row
    totals: list[Any] = [None] * len(BANK_COLUMNS)
    totals[0] = TOTALS_LABEL
    totals[1] = f"{count} khoản"
    totals[BANK_AMOUNT_COLUMN] = total
    yield totals


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold_name(text).lower()).strip("-") or "ngan-hang"


def bank_file_stem(cycle: PaymentCycle, bank: Bank) -> str:
    """``ck-970405-agribank-15307-2023-09``."""
    return f"ck-{bank.bin}-{_slug(bank.short_name)}-{cycle.commune.code}-{cycle.period:%Y-%m}"


def bank_document(cycle: PaymentCycle, bank: Bank, dated: datetime.date):
    return official_document(
        cycle.commune,
        title="DANH SÁCH CHI TRẢ TRỢ CẤP HẰNG THÁNG QUA TÀI KHOẢN",
        summary_lines=[
            f"Tháng {cycle.period:%m} năm {cycle.period:%Y}",
            f"{bank.name} ({bank.short_name}, mã BIN {bank.bin})",
        ],
        dated=dated,
        total_columns=(BANK_AMOUNT_COLUMN,),
        addressees=[bank.name],
    )


@dataclass(frozen=True)
class ExportedFile:
    path: Path
    bank: Bank
    rows: int
    total: int


def export_bank_files(
    cycle: PaymentCycle,
    folder: Path,
    *,
    dated: datetime.date,
    labels: MonthLabels | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[ExportedFile]:
    """Write each bank's .xlsx and .csv into ``folder``; returns them with figures."""
    require_exportable(cycle)
    labels = labels or MonthLabels(cycle)
    exported = []
    for batch in bank_batches(cycle):
        stem = bank_file_stem(cycle, batch.bank)
        xlsx = folder / f"{stem}.xlsx"
        sheet = Sheet(
            name=batch.bank.short_name,
            columns=BANK_COLUMNS,
            rows=bank_rows(cycle, batch.bank, labels, progress=progress),
            document=bank_document(cycle, batch.bank, dated),
        )
        rows = write_xlsx(str(xlsx), [sheet])
        exported.append(ExportedFile(xlsx, batch.bank, rows, batch.total))
        target = folder / f"{stem}.csv"
        with target.open("w", encoding="utf-8", newline="") as handle:
            write_csv(handle, BANK_COLUMNS, _with_totals(bank_rows(cycle, batch.bank, labels)))
        exported.append(ExportedFile(target, batch.bank, batch.rows, batch.total))
    return exported
