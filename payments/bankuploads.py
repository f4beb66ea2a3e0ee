"""A bank's results file brought in on a cycle's page: upload → check → confirm.

The same reading as the ``import_bank_results`` command
(:class:`payments.bankfiles.BankFileExchange`, :mod:`payments.bankresults`),
bound to one cycle: a row of another cycle, commune or (for a user limited to
some programmes) programme is an error like any other.

- :func:`upload_results` keeps the file and checks every row, writing no
  result: a file with any error is refused whole (its problems kept for the
  page and :func:`write_error_workbook`); a good one waits for confirmation,
  with what it would record (paid, failed and why, the amounts).
- :func:`apply_results` records a checked file through
  :func:`payments.services.results.record_result`, checking it again first
  (the cycle may have moved on since), once: the upload row is locked and a
  recorded upload is never recorded again.
"""

from __future__ import annotations

import datetime
from typing import IO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.access import programme_ids_for
from core import roles
from core.access import require_actor
from core.rules.money import format_amount
from documents.checksum import sha256_of
from documents.spreadsheet import RowError
from documents.xlsx import Column, Sheet, fitted_width, write_xlsx
from payments.bankfiles import BankFileExchange
from payments.bankresults import ImportSummary
from payments.models import BankResultsUpload, PaymentCycle
from payments.services.results import RESULT_STATES

ISSUES_KEPT = 5000  # a whole wrong file (another bank's layout) stops here


class UploadError(Exception):
    """An upload or a confirmation refused, with a message for the user."""


def cycle_takes_results(cycle: PaymentCycle) -> bool:
    """Results are recorded for a cycle sent to the paying office and not yet closed."""
    return cycle.status in RESULT_STATES


def _check_cycle(cycle: PaymentCycle) -> None:
    if not cycle_takes_results(cycle):
        raise UploadError(
            _(
                "Kỳ chi trả tháng %(month)s đang “%(status)s”: chỉ nhận kết quả ngân hàng "
                "cho kỳ đã gửi hoặc đã chi trả."
            )
            % {"month": f"{cycle.period:%m/%Y}", "status": cycle.get_status_display()}
        )


def _issues(errors: list[RowError]) -> list[dict]:
    return [
        {
            "sheet": e.sheet,
            "row": e.row,
            "column": e.column or "",
            "value": e.value,
            "message": e.message,
        }
        for e in errors[:ISSUES_KEPT]
    ]


def _figures(summary: ImportSummary) -> dict:
    """What the page shows of a check or of a recording: counts and whole-đồng amounts."""
    return {
        "rows": summary.rows,
        "paid": summary.paid,
        "paid_amount": summary.paid_amount,
        "failed": summary.failed,
        "failed_amount": summary.failed_amount,
        "total_amount": summary.total_amount,
        "changed": summary.changed,
        "unchanged": summary.unchanged,
        "corrected": summary.corrected,
        "skipped": summary.skipped,
        "errors": len(summary.errors),
        "reasons": [
            {"reason": reason, "count": count, "amount": amount}
            for reason, (count, amount) in sorted(summary.reasons.items())
        ],
    }


def upload_results(
    cycle: PaymentCycle,
    handle: IO[bytes],
    *,
    name: str,
    actor,
    today: datetime.date | None = None,
) -> BankResultsUpload:
    """Keep the file and check it against the cycle; nothing is recorded yet."""
    require_actor(actor, roles.CAN_RECORD_BANK_RESULTS)
    _check_cycle(cycle)
    upload = BankResultsUpload(
        cycle=cycle,
        original_name=name[:255],
        checksum=sha256_of(handle),
        uploaded_by=actor,
        status=BankResultsUpload.Status.REFUSED,
    )
    upload.file.save(name, handle, save=False)
    with upload.file.open("rb") as stored:
        summary = BankFileExchange().check_results(
            stored,
            filename=name,
            commune=cycle.commune,
            cycle=cycle,
            programme_ids=programme_ids_for(actor),
            today=today,
        )
    upload.status = (
        BankResultsUpload.Status.CHECKED if summary.ok else BankResultsUpload.Status.REFUSED
    )
    upload.summary = _figures(summary)
    upload.issues = _issues(summary.errors)
    upload.save()
    return upload


@transaction.atomic
def apply_results(
    upload: BankResultsUpload, *, actor, today: datetime.date | None = None
) -> BankResultsUpload:
    """Record a checked file's results, once. The file is checked again first: if it
    is wrong now, nothing is recorded and the upload is refused with the reasons."""
    require_actor(actor, roles.CAN_RECORD_BANK_RESULTS)
    locked = BankResultsUpload.objects.select_for_update().get(pk=upload.pk)
    if locked.status == BankResultsUpload.Status.APPLIED:
        raise UploadError(
            _("Tệp này đã được ghi lúc %(when)s; không ghi lần nữa. Không có gì thay đổi.")
            % {"when": timezone.localtime(locked.applied_at).strftime("%H:%M %d/%m/%Y")}
        )
    if locked.status != BankResultsUpload.Status.CHECKED:
        raise UploadError(_("Tệp có lỗi nên không ghi kết quả nào. Hãy sửa tệp rồi tải lên lại."))
    cycle = PaymentCycle.objects.select_related("commune").get(pk=locked.cycle_id)
    _check_cycle(cycle)
    with locked.file.open("rb") as stored:
        summary = BankFileExchange().import_results(
            stored,
            filename=locked.original_name,
            commune=cycle.commune,
            cycle=cycle,
            programme_ids=programme_ids_for(actor),
            actor=actor,
            today=today,
        )
    locked.summary = _figures(summary)
    locked.issues = _issues(summary.errors)
    if summary.ok:
        locked.status = BankResultsUpload.Status.APPLIED
        locked.applied_by = actor
        locked.applied_at = timezone.now()
    else:
        locked.status = BankResultsUpload.Status.REFUSED
    locked.save()
    return locked


def uploads_of(cycle: PaymentCycle):
    """The results files brought in for a cycle, newest first."""
    return BankResultsUpload.objects.filter(cycle=cycle).select_related("uploaded_by", "applied_by")


ERROR_COLUMNS = ("Trang tính", "Dòng", "Cột", "Giá trị", "Lỗi")


def write_error_workbook(upload: BankResultsUpload, target: IO[bytes]) -> int:
    """The refused file's problems, one row each, in a workbook to fix the file by."""
    cycle = upload.cycle
    rows = [[i["sheet"], i["row"], i["column"], i["value"], i["message"]] for i in upload.issues]
    longest = [max((len(str(r[k] or "")) for r in rows), default=0) for k in range(5)]
    columns = [
        Column(ERROR_COLUMNS[0], width=fitted_width(longest[0], ERROR_COLUMNS[0], cap=16)),
        Column(ERROR_COLUMNS[1], kind="int", width=7),
        Column(ERROR_COLUMNS[2], width=fitted_width(longest[2], ERROR_COLUMNS[2], cap=24)),
        Column(ERROR_COLUMNS[3], width=fitted_width(longest[3], ERROR_COLUMNS[3], cap=24)),
        Column(ERROR_COLUMNS[4], width=fitted_width(longest[4], ERROR_COLUMNS[4], cap=60)),
    ]
    title = [
        _("KẾT QUẢ KIỂM TRA TỆP KẾT QUẢ NGÂN HÀNG “%(name)s”") % {"name": upload.original_name},
        _("Kỳ chi trả tháng %(month)s — xã %(commune)s")
        % {
            "month": f"{cycle.period:%m/%Y}",
            "commune": cycle.commune.name,
        },
        _("%(n)s lỗi: không ghi kết quả nào. Sửa các dòng dưới đây rồi tải lên lại.")
        % {"n": format_amount(len(rows), unit=False)},
    ]
    return write_xlsx(
        target,
        [Sheet(name=_("Lỗi"), columns=columns, rows=rows, title_lines=title, landscape=True)],
    )
