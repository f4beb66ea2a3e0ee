"""The exchange with the banks, as files: one bank file per bank out, results back.

Banks are not online for a commune: the commune sends each bank a file of
the transfers to make (.xlsx with the official layout, to sign, and .csv,
to load) and the bank returns the same rows with a result.
:class:`BankFileExchange` is the one small interface: a live connector would
implement the same two methods (``export``, ``import_results``) and nothing
else would change. Layouts: ``docs/bank-files.md``.

Every result goes through :func:`payments.services.results.record_result`
(the rules of paid/failed, idempotence, freeing months): the import only reads
the file, validates every row first, and writes nothing when one is wrong.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from beneficiaries.rules.money import AmountError, format_amount, parse_amount
from beneficiaries.rules.names import fold_name
from documents.official import official_document
from documents.xlsx import Column, Sheet, unescape_text, write_csv, write_xlsx
from payments.filerules import (
    RESULT_FAILED,
    RESULT_PAID,
    RESULT_WORDS,
    parse_reference,
    payment_reference,
    transfer_content,
)
from payments.models import Bank, Payment, PaymentCycle, PaymentMonth
from payments.services.results import RESULT_STATES, ResultError, record_result

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
RESULT_COLUMNS = (
    Column("Kết quả", "text", 16),
    Column("Mã giao dịch ngân hàng", "id", 20),
    Column("Ngày giao dịch", "date", 12),
    Column("Lý do không thành công", "text", 30),
)
TOTALS_LABEL = "Tổng cộng"

H_STT = "STT"
H_REFERENCE = "Mã thanh toán"
H_ACCOUNT = "Số tài khoản"
H_AMOUNT = "Số tiền (đồng)"
H_RESULT = "Kết quả"
H_BANK_REF = "Mã giao dịch ngân hàng"
H_DATE = "Ngày giao dịch"
H_REASON = "Lý do không thành công"
REQUIRED_HEADERS = (H_STT, H_REFERENCE, H_ACCOUNT, H_AMOUNT, H_RESULT, H_BANK_REF, H_DATE, H_REASON)


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
        from payments.filerules import months_label

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


def bank_batches(cycle: PaymentCycle) -> list[BankBatch]:
    """The banks of a cycle's account payments, with their counts and totals."""
    figures = (
        Payment.objects.filter(cycle=cycle, method=Payment.Method.ACCOUNT)
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
        Payment.objects.filter(cycle=cycle, method=Payment.Method.ACCOUNT, bank=bank)
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
    )


@dataclass(frozen=True)
class ExportedFile:
    path: Path
    bank: Bank
    rows: int
    total: int


@dataclass(frozen=True)
class RowError:
    """One problem of a results file, located for the user (row 1-based, as in Excel)."""

    sheet: str
    row: int | None
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = _("Dòng %(row)s") % {"row": self.row} if self.row else _("Tệp")
        column = f", cột «{self.column}»" if self.column else ""
        value = f" (giá trị «{self.value}»)" if self.value else ""
        return f"{where}{column}{value}: {self.message}"


@dataclass
class ImportSummary:
    rows: int = 0
    paid: int = 0
    paid_amount: int = 0
    failed: int = 0
    failed_amount: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0  # rows without a result yet
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        return [
            _(
                "Đọc %(rows)d dòng: %(changed)d thay đổi, %(unchanged)d không đổi, %(skipped)d chưa có kết quả."
            )
            % {
                "rows": self.rows,
                "changed": self.changed,
                "unchanged": self.unchanged,
                "skipped": self.skipped,
            },
            _("Thành công: %(n)d khoản, %(amount)s.")
            % {"n": self.paid, "amount": format_amount(self.paid_amount)},
            _("Không thành công: %(n)d khoản, %(amount)s.")
            % {"n": self.failed, "amount": format_amount(self.failed_amount)},
        ]


@dataclass
class _Planned:
    row: int
    payment_id: int
    amount: int
    status: str
    paid_on: datetime.date | None
    reference: str
    reason: str


class _Rollback(Exception):
    pass


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return f"{value:%d/%m/%Y}"
    return unescape_text(str(value).strip())


def _date(value: Any) -> datetime.date | None:
    """A cell's date, or ``None`` when it cannot be read (``ValueError`` for a wrong one)."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
    raise ValueError(text)


def _read_rows(source: str | Path | IO[bytes], filename: str) -> tuple[str, list[tuple]]:
    """(sheet name, rows as tuples) of an .xlsx or .csv file; ``ValueError`` when unreadable."""
    if filename.lower().endswith(".csv"):
        raw = source.read() if hasattr(source, "read") else Path(source).read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError(_("Tệp CSV phải mã hóa UTF-8.")) from None
        return "CSV", [tuple(row) for row in csv.reader(io.StringIO(text))]
    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not .xlsx
        raise ValueError(_("Không đọc được tệp: cần tệp .xlsx hoặc .csv.")) from None
    try:
        sheet = workbook.worksheets[0]
        return sheet.title, list(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


class BankFileExchange:
    """Transfers out as one .xlsx and one .csv per bank; results back from the same rows."""

    def export(
        self,
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

    def import_results(
        self,
        source: str | Path | IO[bytes],
        *,
        filename: str,
        commune=None,
        actor=None,
        today: datetime.date | None = None,
    ) -> ImportSummary:
        """Validate every row; then record every result in one transaction, or nothing."""
        today = today or timezone.localdate()
        summary = ImportSummary()
        try:
            sheet, rows = _read_rows(source, filename)
        except ValueError as exc:
            summary.errors.append(RowError("", None, "", "", str(exc)))
            return summary
        planned = self._validate(sheet, rows, summary, commune=commune, today=today)
        if summary.errors:
            return summary
        try:
            with transaction.atomic():
                self._write(sheet, planned, summary, actor=actor)
        except _Rollback:
            summary.changed = summary.unchanged = 0
            summary.paid = summary.failed = summary.paid_amount = summary.failed_amount = 0
        return summary

    # --- reading ---------------------------------------------------------------

    def _validate(
        self, sheet: str, rows: list[tuple], summary: ImportSummary, *, commune, today
    ) -> list[_Planned]:
        errors = summary.errors
        header_at = next(
            (
                i
                for i, row in enumerate(rows)
                if {H_STT, H_REFERENCE} <= {_text(c) for c in row if c is not None}
            ),
            None,
        )
        if header_at is None:
            errors.append(
                RowError(
                    sheet, None, "", "", _("Không thấy dòng tiêu đề cột (STT, Mã thanh toán…).")
                ),
            )
            return []
        header = [_text(c) for c in rows[header_at]]
        missing = [h for h in REQUIRED_HEADERS if h not in header]
        for name in missing:
            errors.append(RowError(sheet, header_at + 1, name, "", _("Thiếu cột này.")))
        if missing:
            return []
        col = {name: header.index(name) for name in REQUIRED_HEADERS}

        table: list[tuple[int, tuple]] = []
        for index in range(header_at + 1, len(rows)):
            row = rows[index]
            if not any(_text(c) for c in row):
                continue
            cell = row[col[H_STT]] if len(row) > col[H_STT] else None
            if fold_name(_text(cell)).startswith("TONG CONG"):
                break  # the totals row ends the table; signatures follow
            table.append((index + 1, row))
        summary.rows = len(table)

        def get(row: tuple, name: str) -> Any:
            return row[col[name]] if len(row) > col[name] else None

        wanted: dict[int, list[int]] = {}
        for number, row in table:
            pk = parse_reference(_text(get(row, H_REFERENCE)))
            if pk is not None:
                wanted.setdefault(pk, []).append(number)
        payments = self._payments(list(wanted))
        planned: list[_Planned] = []
        for number, row in table:

            def error(column: str, message: str, value: Any = None, *, number=number, row=row):
                shown = _text(get(row, column) if value is None else value)
                errors.append(RowError(sheet, number, column, shown, message))

            text_ref = _text(get(row, H_REFERENCE))
            pk = parse_reference(text_ref)
            if pk is None:
                error(
                    H_REFERENCE,
                    _("Mã thanh toán phải có dạng ASXH và 8 chữ số (ví dụ ASXH00001234)."),
                )
                continue
            if len(wanted[pk]) > 1 and wanted[pk][0] != number:
                error(
                    H_REFERENCE,
                    _("Mã thanh toán trùng với dòng %(row)d: mỗi khoản chỉ một dòng.")
                    % {"row": wanted[pk][0]},
                )
                continue
            payment = payments.get(pk)
            if payment is None or (commune is not None and payment["commune_id"] != commune.pk):
                error(
                    H_REFERENCE,
                    _("Không có khoản chi trả mang mã này")
                    + (
                        _(" ở xã %(name)s.") % {"name": commune.name}
                        if commune is not None
                        else "."
                    ),
                )
                continue
            if payment["method"] != Payment.Method.ACCOUNT:
                error(
                    H_REFERENCE,
                    _(
                        "Khoản này chi bằng tiền mặt (%(method)s), không qua ngân hàng: kết quả do bưu điện ghi."
                    )
                    % {"method": Payment.Method(payment["method"]).label.lower()},
                )
                continue
            if payment["cycle_status"] not in RESULT_STATES:
                error(
                    H_REFERENCE,
                    _(
                        "Kỳ chi trả tháng %(month)s đang “%(status)s”: chỉ ghi kết quả cho kỳ đã gửi."
                    )
                    % {
                        "month": f"{payment['period']:%m/%Y}",
                        "status": PaymentCycle.Status(payment["cycle_status"]).label,
                    },
                )
                continue
            problems_before = len(errors)
            try:
                amount = parse_amount(get(row, H_AMOUNT))
            except AmountError as exc:
                error(H_AMOUNT, str(exc.message))
                amount = None
            if amount is not None and amount != payment["amount"]:
                error(
                    H_AMOUNT,
                    _("Số tiền khác khoản chi trả (%(amount)s).")
                    % {"amount": format_amount(payment["amount"])},
                )
            account_cell = get(row, H_ACCOUNT)
            if isinstance(account_cell, float):
                error(
                    H_ACCOUNT,
                    _("Số tài khoản bị Excel đổi thành số (mất chữ số): hãy để ô ở dạng văn bản."),
                )
            elif _text(account_cell).replace(" ", "") != payment["account_number"]:
                error(
                    H_ACCOUNT,
                    _("Số tài khoản khác tài khoản của khoản chi trả (%(account)s).")
                    % {"account": payment["account_number"]},
                )
            word = _text(get(row, H_RESULT))
            if not word:
                if len(errors) == problems_before:
                    summary.skipped += 1
                continue
            status = RESULT_WORDS.get(fold_name(word))
            if status is None:
                error(H_RESULT, _("Kết quả phải là “Thành công” hoặc “Không thành công”."))
                continue
            paid_on = None
            date_cell = get(row, H_DATE)
            if _text(date_cell):
                try:
                    paid_on = _date(date_cell)
                except ValueError:
                    error(H_DATE, _("Ngày không hợp lệ: hãy ghi dạng dd/mm/yyyy."))
                else:
                    if paid_on > today:
                        error(H_DATE, _("Ngày giao dịch sau hôm nay."))
                    elif paid_on < payment["period"]:
                        error(
                            H_DATE,
                            _("Ngày giao dịch trước tháng của kỳ chi trả (%(month)s).")
                            % {"month": f"{payment['period']:%m/%Y}"},
                        )
            elif status == RESULT_PAID:
                error(H_DATE, _("Khoản thành công cần ngày giao dịch."), value="")
            reason = _text(get(row, H_REASON))
            if status == RESULT_FAILED and not reason:
                error(H_REASON, _("Khoản không thành công cần ghi lý do."), value="")
            bank_ref = _text(get(row, H_BANK_REF))
            if len(bank_ref) > 100:
                error(H_BANK_REF, _("Mã giao dịch dài quá 100 ký tự."))
            if len(reason) > 300:
                error(H_REASON, _("Lý do dài quá 300 ký tự."))
            if len(errors) > problems_before:
                continue
            planned.append(
                _Planned(
                    row=number,
                    payment_id=pk,
                    amount=payment["amount"],
                    status=Payment.Status.PAID if status == RESULT_PAID else Payment.Status.FAILED,
                    paid_on=paid_on if status == RESULT_PAID else None,
                    reference=bank_ref,
                    reason=reason,
                )
            )
        return planned

    @staticmethod
    def _payments(pks: list[int]) -> dict[int, dict]:
        found: dict[int, dict] = {}
        for start in range(0, len(pks), CHUNK):
            for row in Payment.objects.filter(pk__in=pks[start : start + CHUNK]).values(
                "pk",
                "method",
                "amount",
                "account_number",
                "cycle__status",
                "cycle__period",
                "cycle__commune_id",
            ):
                found[row["pk"]] = {
                    "method": row["method"],
                    "amount": row["amount"],
                    "account_number": row["account_number"],
                    "cycle_status": row["cycle__status"],
                    "period": row["cycle__period"],
                    "commune_id": row["cycle__commune_id"],
                }
        return found

    # --- writing ---------------------------------------------------------------

    def _write(self, sheet: str, planned: list[_Planned], summary: ImportSummary, *, actor) -> None:
        for item in planned:
            try:
                _payment, changed = record_result(
                    Payment(pk=item.payment_id),
                    status=item.status,
                    actor=actor,
                    paid_on=item.paid_on,
                    reference=item.reference,
                    reason=item.reason,
                )
            except ResultError as exc:
                summary.errors.append(RowError(sheet, item.row, H_RESULT, "", str(exc)))
                continue
            except PermissionDenied:
                summary.errors.append(
                    RowError(
                        sheet,
                        item.row,
                        H_RESULT,
                        "",
                        _("Người dùng không được ghi kết quả chuyển khoản."),
                    )
                )
                continue
            if changed:
                summary.changed += 1
            else:
                summary.unchanged += 1
            if item.status == Payment.Status.PAID:
                summary.paid += 1
                summary.paid_amount += item.amount
            else:
                summary.failed += 1
                summary.failed_amount += item.amount
        if summary.errors:
            raise _Rollback
