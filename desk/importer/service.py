"""The registry import: rows read from a workbook, checked against the database,
then written in one transaction with bulk operations. A bad file changes nothing.

- :class:`Planner` looks every row's people, enrolments, amounts,
  representatives, accounts and registrations up in bulk (a few queries per
  chunk of rows, never one per row) and works out what would change; rows
  that clash with the database get an error.
- :func:`_write` writes a chunk's plan with COPY and the history rows, each
  carrying the import's change reason.
- :func:`run_import` drives both for an :class:`ImportBatch` and is what the
  command, the Celery tasks and the admin call: validation plans every row and
  writes nothing; the write (after the officer's confirmation) plans and
  writes chunk by chunk as the reader hands rows over, in one transaction that
  is rolled back if any error turns up.
"""

from __future__ import annotations

import contextlib
import datetime
from collections import Counter
from collections.abc import Callable
from typing import BinaryIO

from django.conf import settings
from django.core.files.base import File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from accounts.models import Bank, PaymentAccount
from amounts.models import Entitlement
from beneficiaries.models import (
    Beneficiary,
    Category,
    Commune,
    EnrolmentCondition,
    ImportBatch,
    Person,
    Programme,
    Province,
    Representative,
    Village,
    merged_commune_problem,
)
from core import roles
from core.access import require_actor
from core.bulk import bulk_insert_with_history
from desk.importer.plan import (
    CHANGED,
    CHUNK_ROWS,
    ERROR,
    NEW,
    UNCHANGED,
    ImportPlan,
)
from desk.importer.planner import Planner
from desk.importer.reader import read_workbook
from desk.importer.readproc import read_in_child
from desk.importer.rows import ImportRow, Issue, Reference
from documents.checksum import sha256_of
from documents.spreadsheet import WorkbookError, declared_rows
from registration.models import PaymentMethodRegistration

BATCH_SIZE = 1000


class ImportRefused(Exception):
    """An import that cannot go on, with a message for the officer."""


def _check_open(commune: Commune) -> None:
    """A merged commune takes no import from its merger on (import into the new one)."""
    problem = merged_commune_problem(commune, timezone.localdate())
    if problem:
        raise ImportRefused(problem)


def _begin_write(commune: Commune) -> None:
    """In the caller's transaction: lock the commune, and do not wait for the WAL."""
    # One import per commune at a time: two writers would both create the same people.
    Commune.objects.select_for_update().get(pk=commune.pk)
    if connection.vendor == "postgresql":
        # Do not wait for the WAL flush at commit (about 4 s per 100,000 rows). A
        # crash in that instant loses the import and its batch record together,
        # consistently; the officer imports again.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            # Django's foreign keys are deferred to the commit, where a million
            # checks would run after the reading is over; checked statement by
            # statement they run while the child process still reads.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _write(plan: ImportPlan, *, actor, reason: str, written: Counter) -> None:
    """Write one plan's (or one chunk's) objects with their history, parents first."""
    history = {"default_user": actor, "default_change_reason": reason, "batch_size": BATCH_SIZE}
    insert = {"user": actor, "reason": reason, "batch_size": BATCH_SIZE}
    bulk_insert_with_history(plan.villages, Village, **insert)
    bulk_insert_with_history(plan.new_people, Person, **insert)
    if plan.changed_people:
        bulk_update_with_history(
            list(plan.changed_people.values()),
            Person,
            sorted(plan.changed_person_fields | {"updated_at"}),
            **history,
        )
    bulk_insert_with_history(plan.new_enrolments, Beneficiary, **insert)
    bulk_insert_with_history(plan.new_conditions, EnrolmentCondition, **insert)
    if plan.changed_enrolments:
        bulk_update_with_history(
            list(plan.changed_enrolments.values()), Beneficiary, ["decision_number"], **history
        )
    bulk_insert_with_history(plan.new_entitlements, Entitlement, **insert)
    if plan.changed_entitlements:
        bulk_update_with_history(
            list(plan.changed_entitlements.values()),
            Entitlement,
            ["amount", "coefficient", "basis"],
            **history,
        )
    bulk_insert_with_history(plan.new_representatives, Representative, **insert)
    if plan.changed_representatives:
        bulk_update_with_history(
            list(plan.changed_representatives.values()),
            Representative,
            ["kind", "relationship"],
            **history,
        )
    bulk_insert_with_history(plan.new_accounts, PaymentAccount, **insert)
    # Retire before adding: one current registration per beneficiary is a constraint.
    if plan.retired_registrations:
        bulk_update_with_history(
            list(plan.retired_registrations.values()),
            PaymentMethodRegistration,
            ["is_current"],
            **history,
        )
    if plan.changed_registrations:
        bulk_update_with_history(
            list(plan.changed_registrations.values()),
            PaymentMethodRegistration,
            ["method", "representative", "account", "requested_on"],
            **history,
        )
    bulk_insert_with_history(plan.new_registrations, PaymentMethodRegistration, **insert)
    written.update(
        villages=len(plan.villages),
        people_created=len(plan.new_people),
        people_updated=len(plan.changed_people),
        enrolments_created=len(plan.new_enrolments),
        entitlements_created=len(plan.new_entitlements),
        representatives_created=len(plan.new_representatives),
        accounts_created=len(plan.new_accounts),
        registrations_created=len(plan.new_registrations),
    )


def _issue_dict(issue: Issue) -> dict:
    return {
        "sheet": issue.sheet,
        "row": issue.row,
        "column": issue.column,
        "value": issue.value,
        "message": issue.message,
        "level": issue.level,
    }


def _preview_rows(preview: list[list], issues: list[Issue], sheets: list[str]) -> list[list]:
    """Every row of the file in file order: the planned ones and those the reader refused."""
    rows = list(preview)
    seen = {(r[0], r[1]) for r in rows}
    for issue in issues:
        if (
            issue.level == "error"
            and issue.row is not None
            and (issue.sheet, issue.row) not in seen
        ):
            seen.add((issue.sheet, issue.row))
            rows.append([issue.sheet, issue.row, "", "", ERROR, "", "", "", None, "", "", ""])
    order = {name: index for index, name in enumerate(sheets)}
    rows.sort(key=lambda r: (order.get(r[0], len(order)), r[1]))
    return rows


def reference_from_database() -> Reference:
    """The reference data the reader reads against, as the database holds it now.

    Active banks only. Built once per import, so the reading itself (in this
    process or a child) never queries.
    """
    return Reference.from_rows(
        programmes=Programme.objects.values(
            "code", "name", "short_name", "amount_mode", "synonyms"
        ),
        categories=(
            {**row, "programme": row.pop("programme__code")}
            for row in Category.objects.values(
                "code", "name", "short_name", "coefficient", "programme__code"
            )
        ),
        banks=Bank.objects.filter(active=True).values(
            "bin", "code", "short_name", "name", "kind", "synonyms"
        ),
        provinces=Province.objects.values_list("code", flat=True),
    )


def create_batch(
    upload: BinaryIO, *, name: str, commune: Commune, actor, sheet: str = ""
) -> ImportBatch:
    """Record an uploaded workbook before anything is read from it."""
    require_actor(actor, roles.CAN_EDIT_REGISTRY)
    _check_open(commune)
    checksum = sha256_of(upload)
    upload.seek(0, 2)
    size = upload.tell()
    upload.seek(0)
    batch = ImportBatch(
        commune=commune,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
        original_name=name[:255],
        checksum=checksum,
        size=size,
        sheet=sheet,
    )
    batch.file.save(f"{checksum[:16]}.xlsx", File(upload, name=name), save=False)
    batch.save()
    return batch


def run_import(
    batch: ImportBatch,
    *,
    actor,
    commit: bool,
    today: datetime.date | None = None,
    progress: Callable[[int], None] | None = None,
    parallel: bool | None = None,
) -> ImportBatch:
    """Validate a batch's workbook and, when asked and clean, write it.

    The batch ends ``invalid`` (errors, nothing written), ``validated`` (clean,
    nothing written yet) or ``committed``. Rows are planned, and when writing
    written, chunk by chunk as the reader hands them over, in one transaction
    that is rolled back if any error turns up, so a bad file still changes
    nothing. Large files are read in a child process (``parallel``, by default
    from ``IMPORT_PARALLEL_READ_MB``) while this one plans and writes.
    """
    today = today or timezone.localdate()
    reference = reference_from_database()
    if not commit:
        batch.status = ImportBatch.Status.VALIDATING
        ImportBatch.objects.filter(pk=batch.pk).update(status=batch.status, progress=1)
    if parallel is None:
        parallel = batch.size >= settings.IMPORT_PARALLEL_READ_MB * 1024 * 1024
    planner = Planner(commune=batch.commune, today=today, known_provinces=reference.known_provinces)
    written: Counter = Counter()
    writing = [commit]

    pending: list[ImportRow] = []

    def plan_and_write() -> None:
        plan = planner.add(pending)
        pending.clear()
        if writing[0]:
            if plan.errors:
                writing[0] = False  # the transaction will be rolled back: stop writing
            else:
                _write(plan, actor=actor, reason=batch.change_reason, written=written)
        planner.take()

    def consume(rows: list[ImportRow]) -> None:
        pending.extend(rows)
        if len(pending) >= CHUNK_ROWS:
            plan_and_write()

    read_rows = read_in_child if parallel else read_workbook
    # Validation writes nothing and runs outside a transaction, so that the
    # progress it reports is seen by the page polling it.
    scope = transaction.atomic() if commit else contextlib.nullcontext()
    try:
        with scope:
            if commit:
                _begin_write(batch.commune)
            read = read_rows(
                batch.file.path,
                reference=reference,
                today=today,
                sheet=batch.sheet or None,
                on_rows=consume,
                progress=progress,
            )
            plan_and_write()
            issues = [*read.issues, *planner.plan.issues]
            errors = [i for i in issues if i.level == "error"]
            batch.rows_total = sum(planner.counts.values())
            batch.created_count = planner.counts[NEW]
            batch.updated_count = planner.counts[CHANGED]
            batch.unchanged_count = planner.counts[UNCHANGED]
            batch.error_count = len(errors)
            batch.warning_count = len(issues) - len(errors)
            batch.issues = [_issue_dict(i) for i in issues]
            batch.summary = {
                "rows": _preview_rows(planner.preview, issues, list(read.sheets)),
                "new_villages": planner.plan.new_villages,
                "unknown_columns": list(read.unknown_columns),
                "sheets": list(read.sheets),
                "totals": {
                    "people": len(planner.people_in_file),
                    "enrolments": sum(planner.counts.values()) - planner.counts[ERROR],
                    "amount": planner.amount_per_month,
                },
            }
            batch.progress = 100
            if commit and not errors:
                # The batch record and the rows it wrote commit together, or neither.
                batch.summary["written"] = dict(written)
                batch.status = ImportBatch.Status.COMMITTED
                batch.committed_at = timezone.now()
                batch.save()
                return batch
            if commit:
                transaction.set_rollback(True)
    except WorkbookError as exc:
        batch.status = ImportBatch.Status.INVALID
        batch.issues = [
            _issue_dict(Issue(batch.sheet or "", None, None, "", str(exc.message), "error"))
        ]
        batch.error_count = 1
        batch.progress = 100
        batch.save()
        return batch
    batch.status = ImportBatch.Status.INVALID if errors else ImportBatch.Status.VALIDATED
    batch.save()
    return batch


def request_commit(batch: ImportBatch, *, actor) -> ImportBatch:
    """The officer confirms a validated import; a second click finds it already under way.

    Only moves the state; :mod:`desk.importer.jobs` queues the writing (on commit).
    """
    require_actor(actor, roles.CAN_EDIT_REGISTRY)
    _check_open(batch.commune)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportBatch.Status.VALIDATED:
            raise ImportRefused(
                _("Lần nhập này đang ở trạng thái «%(status)s»: không thể xác nhận ghi.")
                % {"status": locked.get_status_display()}
            )
        locked.status = ImportBatch.Status.WRITING
        locked.progress = 0
        locked.save(update_fields=["status", "progress"])
    return locked


@transaction.atomic
def retry_batch(batch: ImportBatch, *, actor) -> ImportBatch:
    """A failed import (its worker died or the file could not be read) is read again from the
    start. Only moves the state; :mod:`desk.importer.jobs` queues the reading (on commit)."""
    require_actor(actor, roles.CAN_EDIT_REGISTRY)
    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status != ImportBatch.Status.FAILED:
        raise ImportRefused(
            _("Lần nhập này đang ở trạng thái «%(status)s»: chỉ thử lại được lần nhập bị lỗi.")
            % {"status": locked.get_status_display()}
        )
    locked.status = ImportBatch.Status.PENDING
    locked.progress = 0
    locked.failure = ""
    locked.save(update_fields=["status", "progress", "failure"])
    return locked


@transaction.atomic
def cancel_batch(batch: ImportBatch, *, actor) -> ImportBatch:
    require_actor(actor, roles.CAN_EDIT_REGISTRY)
    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status not in (ImportBatch.Status.VALIDATED, ImportBatch.Status.INVALID):
        raise ImportRefused(_("Chỉ hủy được lần nhập chưa ghi."))
    locked.status = ImportBatch.Status.CANCELLED
    locked.save(update_fields=["status"])
    return locked


def mark_failed(batch_pk: int, message: str) -> None:
    ImportBatch.objects.filter(pk=batch_pk).exclude(status=ImportBatch.Status.COMMITTED).update(
        status=ImportBatch.Status.FAILED, failure=message[:2000], progress=100
    )


def progress_writer(batch: ImportBatch) -> Callable[[int], None]:
    """A callback that stores reading progress (up to 90 %; planning and writing follow)."""
    with batch.file.open("rb") as handle:
        # The rows the workbook declares, to turn rows read into a percentage.
        total = declared_rows(handle)
    last = {"percent": 0}

    def write(rows_read: int) -> None:
        if not total:
            return
        percent = min(90, max(1, rows_read * 90 // total))
        if percent >= last["percent"] + 5:
            last["percent"] = percent
            ImportBatch.objects.filter(pk=batch.pk).update(progress=percent)

    return write
