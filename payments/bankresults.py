"""The banks' results, read back: every row validated first, then recorded all together or not at all.

A bank returns its copy of the bank file (.xlsx or .csv) with four more
columns: the result, its transaction reference, the date, the reason of a
failure. The file is read by the shared reader (:mod:`documents.spreadsheet`:
header wherever it is, the table up to its totals row); every row is checked
against its payment, and only when no row is wrong does each result go
through the rules of :func:`payments.services.results.record_result`
(paid/failed, idempotence, freeing months), recorded set-based by
:func:`payments.services.results_bulk.record_results`, in one transaction. A
row that says otherwise than a result recorded before (the bank corrects
itself) is a correction whose reason is the file: “Tệp kết quả <name>”. Layout:
``docs/bank-files.md``.

The command (``import_bank_results``) and the cycle's upload page
(:mod:`payments.bankuploads`) read a file the same way:
:func:`check_bank_results` validates and says what the file would record,
writing nothing (the page's preview); :func:`import_bank_results` validates
again and records.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.bulk import build
from core.rules.money import AmountError, format_amount
from core.rules.names import fold_name
from documents.spreadsheet import (
    DataRow,
    DateError,
    HeaderNames,
    RowError,
    Table,
    WorkbookError,
    cell_amount,
    cell_date,
    clean_text,
    read_table,
    too_long,
)
from payments.filerules import RESULT_FAILED, RESULT_PAID, RESULT_WORDS, parse_reference
from payments.models import Payment, PaymentCycle
from payments.services.results import (
    RECORDED,
    RESULT_STATES,
    ResultError,
    is_same_result,
    paid_date_problem,
    record_result,
    settled_refusal,
)
from payments.services.results_bulk import ResultInput, record_results

CHUNK = 2000

H_STT = "STT"
H_REFERENCE = "Mã thanh toán"
H_ACCOUNT = "Số tài khoản"
H_AMOUNT = "Số tiền (đồng)"
H_RESULT = "Kết quả"
H_BANK_REF = "Mã giao dịch ngân hàng"
H_DATE = "Ngày giao dịch"
H_REASON = "Lý do không thành công"
REQUIRED_HEADERS = (H_STT, H_REFERENCE, H_ACCOUNT, H_AMOUNT, H_RESULT, H_BANK_REF, H_DATE, H_REASON)
#: The columns read, each named by its own header (matched folded, in any order).
# The amount column of a bank list with deductions reads "Số tiền chi trả (đồng)".
NAMES = HeaderNames(
    {
        header: [header, "Số tiền chi trả (đồng)"] if header == H_AMOUNT else [header]
        for header in REQUIRED_HEADERS
    }
)
BANK_REF_MAX = 100
REASON_MAX = 300


@dataclass
class ImportSummary:
    rows: int = 0
    paid: int = 0
    paid_amount: int = 0
    failed: int = 0
    failed_amount: int = 0
    changed: int = 0
    unchanged: int = 0
    # Of the changed: a recorded result replaced (a correction, the file as its reason).
    corrected: int = 0
    skipped: int = 0  # rows without a result yet
    errors: list[RowError] = field(default_factory=list)
    # Each reason of the failed transfers, with how many and how much.
    reasons: dict[str, list[int]] = field(default_factory=dict)
    correction_reason: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total_amount(self) -> int:
        """What the file records, paid and failed: whole đồng."""
        return self.paid_amount + self.failed_amount

    def _count(self, item: _Planned) -> None:
        if item.status == Payment.Status.PAID:
            self.paid += 1
            self.paid_amount += item.amount
        else:
            self.failed += 1
            self.failed_amount += item.amount
            counted = self.reasons.setdefault(item.reason, [0, 0])
            counted[0] += 1
            counted[1] += item.amount

    def _tally(self, item: _Planned, *, changed: bool) -> None:
        """A row recorded: changed (a correction when it replaced a recorded result) or not."""
        if changed:
            self.changed += 1
            self.corrected += item.corrects
        else:
            self.unchanged += 1
        self._count(item)

    def _reset_counts(self) -> None:
        self.changed = self.unchanged = self.corrected = 0
        self.paid = self.failed = self.paid_amount = self.failed_amount = 0
        self.reasons = {}

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
            *(
                [
                    _("Trong đó %(n)s khoản sửa kết quả đã ghi trước (lý do: %(reason)s).")
                    % {
                        "n": format_amount(self.corrected, unit=False),
                        "reason": self.correction_reason,
                    }
                ]
                if self.corrected
                else []
            ),
            _("Thành công: %(n)s khoản, %(amount)s.")
            % {
                "n": format_amount(self.paid, unit=False),
                "amount": format_amount(self.paid_amount),
            },
            _("Không thành công: %(n)s khoản, %(amount)s.")
            % {
                "n": format_amount(self.failed, unit=False),
                "amount": format_amount(self.failed_amount),
            },
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
    # The result recorded already is this one (the same file again): nothing changes.
    unchanged: bool = False
    # Another result was recorded before: this row corrects it.
    corrects: bool = False


class _Rollback(Exception):
    pass


def correction_reason(filename: str) -> str:
    """The reason of the corrections a results file makes: the file itself."""
    return _("Tệp kết quả %(name)s") % {"name": filename}


def check_bank_results(
    source: str | Path | IO[bytes],
    *,
    filename: str,
    commune=None,
    cycle=None,
    programme_ids: list[int] | None = None,
    today: datetime.date | None = None,
) -> ImportSummary:
    """Validate every row and count what the file would record; write nothing.

    ``changed`` and ``unchanged`` say which results are new and which are
    recorded already (:func:`~payments.services.results.is_same_result`).
    """
    summary = ImportSummary(correction_reason=correction_reason(filename))
    _sheet, planned = _read(
        source, summary, filename=filename, commune=commune, cycle=cycle,
        programme_ids=programme_ids, today=today,
    )  # fmt: skip
    for item in planned:
        summary._count(item)
        if item.unchanged:
            summary.unchanged += 1
        else:
            summary.changed += 1
            summary.corrected += item.corrects
    return summary


def import_bank_results(
    source: str | Path | IO[bytes],
    *,
    filename: str,
    commune=None,
    cycle=None,
    programme_ids: list[int] | None = None,
    actor=None,
    today: datetime.date | None = None,
    one_by_one: bool = False,
) -> ImportSummary:
    """Validate every row; then record every result in one transaction, or nothing.

    With ``commune``, only that commune's payments are accepted; with
    ``cycle``, only that cycle's; with ``programme_ids``, only those
    programmes' (a user limited to some programmes). A row that differs from
    a result recorded before corrects it, “Tệp kết quả <filename>” as the
    correction's reason (by who may correct: ``actor``). The results are
    recorded set-based; ``one_by_one`` records them through ``record_result``
    row by row instead (the same outcome, slower: the benchmark's baseline).
    """
    summary = ImportSummary(correction_reason=correction_reason(filename))
    sheet, planned = _read(
        source, summary, filename=filename, commune=commune, cycle=cycle,
        programme_ids=programme_ids, today=today,
    )  # fmt: skip
    if summary.errors:
        return summary
    try:
        with transaction.atomic():
            write = _write_one_by_one if one_by_one else _write
            write(sheet, planned, summary, actor=actor)
    except _Rollback:
        summary._reset_counts()
    return summary


def _read(
    source: str | Path | IO[bytes],
    summary: ImportSummary,
    *,
    filename: str,
    commune,
    cycle,
    programme_ids: list[int] | None,
    today: datetime.date | None,
) -> tuple[str, list[_Planned]]:
    """The file's sheet and the results its rows record; every problem in ``summary.errors``."""
    today = today or timezone.localdate()
    try:
        table = read_table(source, NAMES, filename=filename, data=[H_REFERENCE])
    except WorkbookError as exc:
        summary.errors.append(RowError("", None, "", "", exc.message))
        return "", []
    scope = _Scope(commune=commune, cycle=cycle, programme_ids=programme_ids)
    planned = _validate(table, summary, scope=scope, today=today)
    if summary.errors:
        return table.sheet, []
    return table.sheet, planned


@dataclass(frozen=True)
class _Scope:
    """Whose payments a file may carry results for (``None``: any)."""

    commune: object = None
    cycle: PaymentCycle | None = None
    programme_ids: list[int] | None = None


# --- reading -------------------------------------------------------------------------


class _Row:
    """One row of the results file being checked: its cells by header, its errors."""

    def __init__(self, table: Table, row: DataRow, errors: list[RowError]) -> None:
        self.table, self.row, self.errors = table, row, errors
        self.number = row.number

    def cell(self, header: str) -> object:
        return self.table.cell(self.row, header)

    def text(self, header: str) -> str:
        return clean_text(self.cell(header))

    def error(self, header: str, message: str, value: object = None) -> None:
        shown = self.text(header) if value is None else clean_text(value)
        self.errors.append(RowError(self.table.sheet, self.number, header, shown, message))


def _validate(
    table: Table, summary: ImportSummary, *, scope: _Scope, today: datetime.date
) -> list[_Planned]:
    missing = table.missing(REQUIRED_HEADERS)
    for name in missing:
        summary.errors.append(
            RowError(table.sheet, table.header_row, name, "", _("Thiếu cột này."))
        )
    if missing:
        return []
    summary.rows = len(table.rows)
    wanted: dict[int, list[int]] = {}
    for row in table.rows:
        pk = parse_reference(clean_text(table.cell(row, H_REFERENCE)))
        if pk is not None:
            wanted.setdefault(pk, []).append(row.number)
    payments = _payments(list(wanted))
    planned: list[_Planned] = []
    for data_row in table.rows:
        row = _Row(table, data_row, summary.errors)
        payment = _payment_of(row, wanted, payments, scope)
        if payment is None:
            continue
        item = _checked(row, payment, summary, today)
        if item is not None:
            planned.append(item)
    return planned


def _payment_of(
    row: _Row, wanted: dict[int, list[int]], payments: dict[int, dict], scope: _Scope
) -> dict | None:
    """The payment the row's reference names, when the row may carry its result."""
    pk = parse_reference(row.text(H_REFERENCE))
    if pk is None:
        row.error(
            H_REFERENCE, _("Mã thanh toán phải có dạng ASXH và 8 chữ số (ví dụ ASXH00001234).")
        )
        return None
    if len(wanted[pk]) > 1 and wanted[pk][0] != row.number:
        row.error(
            H_REFERENCE,
            _("Mã thanh toán trùng với dòng %(row)d: mỗi khoản chỉ một dòng.")
            % {"row": wanted[pk][0]},
        )
        return None
    payment = payments.get(pk)
    commune = scope.commune
    if payment is None or (commune is not None and payment["commune_id"] != commune.pk):
        row.error(
            H_REFERENCE,
            _("Không có khoản chi trả mang mã này")
            + (_(" ở xã %(name)s.") % {"name": commune.name} if commune is not None else "."),
        )
        return None
    if scope.cycle is not None and payment["cycle_id"] != scope.cycle.pk:
        row.error(
            H_REFERENCE,
            _(
                "Khoản này thuộc kỳ chi trả tháng %(month)s, không thuộc kỳ đang nhập "
                "(tháng %(cycle)s)."
            )
            % {"month": f"{payment['period']:%m/%Y}", "cycle": f"{scope.cycle.period:%m/%Y}"},
        )
        return None
    if scope.programme_ids is not None and payment["programme_id"] not in scope.programme_ids:
        row.error(
            H_REFERENCE,
            _("Khoản này thuộc chương trình bạn không được giao: không ghi kết quả được."),
        )
        return None
    if payment["method"] != Payment.Method.ACCOUNT:
        row.error(
            H_REFERENCE,
            _(
                "Khoản này chi bằng tiền mặt (%(method)s), không qua ngân hàng: kết quả do bưu điện ghi."
            )
            % {"method": Payment.Method(payment["method"]).label.lower()},
        )
        return None
    if payment["status"] == Payment.Status.SETTLED:
        row.error(H_REFERENCE, settled_refusal())
        return None
    if payment["cycle_status"] not in RESULT_STATES:
        row.error(
            H_REFERENCE,
            _("Kỳ chi trả tháng %(month)s đang “%(status)s”: chỉ ghi kết quả cho kỳ đã gửi.")
            % {
                "month": f"{payment['period']:%m/%Y}",
                "status": PaymentCycle.Status(payment["cycle_status"]).label,
            },
        )
        return None
    return payment


def _checked(
    row: _Row, payment: dict, summary: ImportSummary, today: datetime.date
) -> _Planned | None:
    """The result the row records, or ``None`` (not answered yet, or an error reported)."""
    problems_before = len(row.errors)
    _check_amount_and_account(row, payment)
    word = row.text(H_RESULT)
    if not word:
        if len(row.errors) == problems_before:
            summary.skipped += 1
        return None
    status = RESULT_WORDS.get(fold_name(word))
    if status is None:
        row.error(H_RESULT, _("Kết quả phải là “Thành công” hoặc “Không thành công”."))
        return None
    paid_on = _paid_on(row, payment, status, today)
    reason = row.text(H_REASON)
    if status == RESULT_FAILED and not reason:
        row.error(H_REASON, _("Khoản không thành công cần ghi lý do."), value="")
    bank_ref = row.text(H_BANK_REF)
    for header, text, limit in (
        (H_BANK_REF, bank_ref, BANK_REF_MAX),
        (H_REASON, reason, REASON_MAX),
    ):
        message = too_long(text, limit)
        if message is not None:
            row.error(header, message)
    if len(row.errors) > problems_before:
        return None
    recorded = Payment.Status.PAID if status == RESULT_PAID else Payment.Status.FAILED
    paid_on = paid_on if status == RESULT_PAID else None
    unchanged = is_same_result(
        build(
            Payment,
            status=payment["status"],
            paid_on=payment["paid_on"],
            reference=payment["reference"],
        ),
        status=recorded,
        paid_on=paid_on,
        reference=bank_ref,
    )
    return _Planned(
        row=row.number,
        payment_id=payment["pk"],
        amount=payment["amount"],
        status=recorded,
        paid_on=paid_on,
        reference=bank_ref,
        reason=reason,
        unchanged=unchanged,
        corrects=not unchanged and payment["status"] in RECORDED,
    )


def _check_amount_and_account(row: _Row, payment: dict) -> None:
    try:
        amount = cell_amount(row.cell(H_AMOUNT))
    except AmountError as exc:
        row.error(H_AMOUNT, str(exc.message))
        amount = None
    if amount is not None and amount != payment["amount"]:
        row.error(
            H_AMOUNT,
            _("Số tiền khác khoản chi trả (%(amount)s).")
            % {"amount": format_amount(payment["amount"])},
        )
    account_cell = row.cell(H_ACCOUNT)
    if isinstance(account_cell, float):
        row.error(
            H_ACCOUNT,
            _("Số tài khoản bị Excel đổi thành số (mất chữ số): hãy để ô ở dạng văn bản."),
        )
    elif clean_text(account_cell).replace(" ", "") != payment["account_number"]:
        row.error(
            H_ACCOUNT,
            _("Số tài khoản khác tài khoản của khoản chi trả (%(account)s).")
            % {"account": payment["account_number"]},
        )


def _paid_on(row: _Row, payment: dict, status: str, today: datetime.date) -> datetime.date | None:
    """The transaction date: required for a success, never after today or before the month."""
    try:
        paid_on = cell_date(row.cell(H_DATE))
    except DateError:
        row.error(H_DATE, _("Ngày không hợp lệ: hãy ghi dạng dd/mm/yyyy."))
        return None
    if paid_on is None:
        if status == RESULT_PAID:
            row.error(H_DATE, _("Khoản thành công cần ngày giao dịch."), value="")
        return None
    problem = paid_date_problem(paid_on, payment["period"], today=today)
    if problem:
        row.error(H_DATE, problem)
    return paid_on


def _payments(pks: list[int]) -> dict[int, dict]:
    found: dict[int, dict] = {}
    for start in range(0, len(pks), CHUNK):
        for row in Payment.objects.filter(pk__in=pks[start : start + CHUNK]).values(
            "pk",
            "method",
            "amount",
            "account_number",
            "status",
            "paid_on",
            "reference",
            "cycle_id",
            "cycle__status",
            "cycle__period",
            "cycle__commune_id",
            "beneficiary__programme_id",
        ):
            found[row["pk"]] = {
                "pk": row["pk"],
                "method": row["method"],
                "amount": row["amount"],
                "account_number": row["account_number"],
                "status": row["status"],
                "paid_on": row["paid_on"],
                "reference": row["reference"],
                "cycle_id": row["cycle_id"],
                "cycle_status": row["cycle__status"],
                "period": row["cycle__period"],
                "commune_id": row["cycle__commune_id"],
                "programme_id": row["beneficiary__programme_id"],
            }
    return found


# --- writing -------------------------------------------------------------------------


def _refusal(sheet: str, item: _Planned, refusal: Exception) -> RowError:
    if isinstance(refusal, PermissionDenied):
        message = (
            _("Người dùng không được sửa kết quả đã ghi của khoản này.")
            if item.corrects
            else _("Người dùng không được ghi kết quả chuyển khoản.")
        )
    else:
        message = str(refusal)
    return RowError(sheet, item.row, H_RESULT, "", message)


def _write(sheet: str, planned: list[_Planned], summary: ImportSummary, *, actor) -> None:
    """Record the rows set-based (:func:`~payments.services.results_bulk.record_results`)."""
    outcomes = record_results(
        [
            ResultInput(
                payment_id=item.payment_id,
                status=item.status,
                paid_on=item.paid_on,
                reference=item.reference,
                reason=item.reason,
            )
            for item in planned
        ],
        actor=actor,
        correction=summary.correction_reason,
    )
    for item, outcome in zip(planned, outcomes, strict=True):
        if not isinstance(outcome, bool):
            summary.errors.append(_refusal(sheet, item, outcome))
            continue
        summary._tally(item, changed=outcome)
    if summary.errors:
        raise _Rollback


def _write_one_by_one(
    sheet: str, planned: list[_Planned], summary: ImportSummary, *, actor
) -> None:
    """Record the rows one by one through ``record_result``: the measured baseline."""
    for item in planned:
        try:
            _payment, changed = record_result(
                Payment(pk=item.payment_id),
                status=item.status,
                actor=actor,
                paid_on=item.paid_on,
                reference=item.reference,
                reason=item.reason,
                correction=summary.correction_reason,
            )
        except (ResultError, PermissionDenied) as exc:
            summary.errors.append(_refusal(sheet, item, exc))
            continue
        summary._tally(item, changed=changed)
    if summary.errors:
        raise _Rollback
