"""Generated files: requested, built by a background job, downloaded, sent.

- :func:`request_registration_lists` records one :class:`GeneratedFile` per
  list (two per programme) and queues the job; a second request while the
  first is queued or running gets the same records (a double click builds
  nothing twice: the commune row is locked, and a partial unique constraint
  backs it).
- :func:`build_generated_file` is what the job runs. It claims the record
  (a new ``attempt``), builds the file outside any long transaction so the
  progress it writes is seen by the page polling it, and stores the result
  only if its attempt still owns the record. Rerunning a ``running`` record
  (a worker died) starts over cleanly; a ``done`` one is never rebuilt.
- :func:`mark_sent` marks a finished list as sent (refused while anyone on it
  is unverified or has a blocking finding: the gate); from then on it is the
  reference of the next month's changes sheet. A finished file never changes:
  building the period again makes a new record.
- :func:`record_download` logs every download (the files hold personal data).
"""

from __future__ import annotations

import contextlib
import datetime
import itertools
import logging
import os
import tempfile
from collections.abc import Callable
from typing import IO

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.importer.service import sha256_of
from beneficiaries.models import Commune, Programme
from beneficiaries.quality.gate import Blocker, registrations_in_force, submission_blockers
from payments.services.cycles import due_date
from registration.listchanges import Entry, read_snapshot
from registration.lists import list_enrolments, list_entries, write_registration_list
from reports.models import Event, GeneratedFile
from reports.monthly import write_monthly_report
from yenson.db import whole_results_planned

logger = logging.getLogger(__name__)

PROGRESS_STEP = 5


class FileError(Exception):
    """An operation on a generated file that cannot be done, with a message for the user."""


class ListBlocked(FileError):
    """A list cannot be sent while these people are unverified or have a blocking finding."""

    def __init__(self, message: str, blockers: list[Blocker]) -> None:
        super().__init__(message)
        self.blockers = blockers


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _queue(pk: int) -> None:
    from reports.tasks import build_generated_file_task  # the task module imports this one

    transaction.on_commit(lambda: build_generated_file_task.delay(pk))


def request_registration_lists(
    commune: Commune, period: datetime.date, *, actor, queue: bool = True
) -> list[GeneratedFile]:
    """The registration lists of a commune and month: two per programme, queued to build.

    A list already queued or running for the same commune, month, kind and
    programme is returned as it is instead of a new one.
    """
    if period.day != 1:
        raise FileError(_("Kỳ của danh sách phải là ngày đầu tháng."))
    actor = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        # Requests for one commune are taken one at a time: the second finds the first's jobs.
        Commune.objects.select_for_update().get(pk=commune.pk)
        active = {
            (f.kind, f.programme_id): f
            for f in GeneratedFile.objects.select_for_update().filter(
                commune=commune,
                period=period,
                kind__in=GeneratedFile.REGISTRATION_KINDS,
                status__in=GeneratedFile.ACTIVE_STATUSES,
            )
        }
        files = []
        for programme in Programme.objects.order_by("order", "code"):
            for kind in GeneratedFile.REGISTRATION_KINDS:
                existing = active.get((kind, programme.pk))
                if existing is not None:
                    files.append(existing)
                    continue
                created = GeneratedFile.objects.create(
                    kind=kind,
                    commune=commune,
                    programme=programme,
                    period=period,
                    parameters={"programme": programme.code},
                    requested_by=actor,
                )
                if queue:
                    _queue(created.pk)
                files.append(created)
    return files


def retry_generated_file(generated: GeneratedFile, *, actor) -> GeneratedFile:
    """Queue a failed job again."""
    with transaction.atomic():
        locked = GeneratedFile.objects.select_for_update().get(pk=generated.pk)
        if locked.status != GeneratedFile.Status.FAILED:
            raise FileError(_("Chỉ lập lại được tệp bị lỗi."))
        if (
            GeneratedFile.objects.filter(
                commune_id=locked.commune_id,
                period=locked.period,
                kind=locked.kind,
                programme_id=locked.programme_id,
                status__in=GeneratedFile.ACTIVE_STATUSES,
            )
            .exclude(pk=locked.pk)
            .exists()
        ):
            raise FileError(_("Tệp này đang được lập lại trong một yêu cầu khác."))
        locked.status = GeneratedFile.Status.QUEUED
        locked.progress = 0
        locked.error = ""
        locked.save(update_fields=["status", "progress", "error"])
        _queue(locked.pk)
    return locked


def _claim(pk: int) -> GeneratedFile | None:
    """Take the record for this run (queued, or running after a dead worker)."""
    with transaction.atomic():
        generated = (
            GeneratedFile.objects.select_for_update(of=("self",))
            .select_related("commune", "programme")
            .get(pk=pk)
        )
        if generated.status not in GeneratedFile.ACTIVE_STATUSES:
            return None  # done, failed, or a redelivered message after the end
        generated.status = GeneratedFile.Status.RUNNING
        generated.attempt += 1
        generated.progress = 0
        generated.save(update_fields=["status", "attempt", "progress"])
    return generated


def _owned(generated: GeneratedFile):
    return GeneratedFile.objects.filter(
        pk=generated.pk, attempt=generated.attempt, status=GeneratedFile.Status.RUNNING
    )


def last_sent(generated: GeneratedFile) -> GeneratedFile | None:
    """The list the changes sheet compares with: the latest sent of the same kind, not later."""
    return (
        GeneratedFile.objects.filter(
            commune_id=generated.commune_id,
            kind=generated.kind,
            programme_id=generated.programme_id,
            sent_at__isnull=False,
            period__lte=generated.period,
        )
        .exclude(pk=generated.pk)
        .order_by("-period", "-sent_at")
        .first()
    )


def _progress_writer(generated: GeneratedFile, expected: int) -> Callable[[int], None]:
    last = {"percent": 0}

    def write(rows: int) -> None:
        if not expected:
            return
        percent = min(95, rows * 95 // expected)
        if percent >= last["percent"] + PROGRESS_STEP:
            last["percent"] = percent
            _owned(generated).update(progress=percent)

    return write


def _sha256(handle: IO[bytes]) -> str:
    return sha256_of(handle)


def file_name(generated: GeneratedFile) -> str:
    """``ds-ncc-tu-nhan-15307-2027-01.xlsx``: what the downloaded file is called."""
    if generated.kind in GeneratedFile.CYCLE_KINDS:
        from payments.cyclefiles import file_name as cycle_file_name

        return cycle_file_name(generated)
    if generated.kind == GeneratedFile.Kind.MONTHLY_REPORT:
        return f"bao-cao-thang-{generated.commune.code}-{generated.period:%Y-%m}.xlsx"
    who = "tu-nhan" if generated.kind == GeneratedFile.Kind.REGISTRATION_SELF else "nhan-thay"
    programme = generated.programme.code.lower() if generated.programme_id else "chung"
    return f"ds-{programme}-{who}-{generated.commune.code}-{generated.period:%Y-%m}.xlsx"


def build_generated_file(pk: int, *, today: datetime.date | None = None) -> GeneratedFile | None:
    """Run the job of a generated file; returns it done, or ``None`` when there was nothing to do.

    A failure is recorded on the record (and raised again for the caller's log).
    """
    generated = _claim(pk)
    if generated is None:
        return None
    try:
        if generated.kind in GeneratedFile.CYCLE_KINDS:
            # A payment cycle's files (the module imports this one: imported here).
            from payments.cyclefiles import build_cycle_file

            return build_cycle_file(generated, today=today or timezone.localdate())
        return _build(generated, today=today or timezone.localdate())
    except Exception as exc:
        logger.exception("generated file %s failed", pk)
        _owned(generated).update(
            status=GeneratedFile.Status.FAILED,
            progress=100,
            error=_("Lỗi hệ thống khi lập tệp (%(error)s). Hãy thử lại.")
            % {"error": type(exc).__name__},
        )
        raise


def _build(generated: GeneratedFile, *, today: datetime.date) -> GeneratedFile | None:
    if generated.kind == GeneratedFile.Kind.MONTHLY_REPORT:
        return _build_monthly_report(generated, today=today)
    reference = last_sent(generated)
    expected = list_enrolments(
        generated.commune, generated.programme, generated.kind, generated.period
    ).count()
    folder = os.path.join(settings.MEDIA_ROOT, "tmp")
    os.makedirs(folder, exist_ok=True)
    with (
        tempfile.TemporaryFile(dir=folder) as out,
        tempfile.TemporaryFile(dir=folder) as snap,
        whole_results_planned(),
    ):
        previous_handle = reference.snapshot.open("rb") if reference else None
        try:
            previous: list[Entry] | None = None
            label = ""
            if reference is not None:
                previous = read_snapshot(previous_handle)  # type: ignore[assignment]
                label = _("NGÀY %(sent)s (KỲ %(period)s)") % {
                    "sent": timezone.localtime(reference.sent_at).strftime("%d/%m/%Y"),
                    "period": reference.period.strftime("%m/%Y"),
                }
            figures = write_registration_list(
                out,
                commune=generated.commune,
                programme=generated.programme,
                kind=generated.kind,
                period=generated.period,
                dated=today,
                previous=previous,
                previous_label=label,
                snapshot=snap,
                progress=_progress_writer(generated, expected),
            )
        finally:
            if previous_handle is not None:
                previous_handle.close()
        snap.seek(0)
        return store_built_file(
            generated,
            out,
            suffix=".xlsx",
            rows=figures.rows,
            total=figures.total,
            parameters={
                "changes": figures.changes,
                "compared_with": reference.pk if reference else None,
            },
            snapshot=snap,
        )


def _build_monthly_report(
    generated: GeneratedFile, *, today: datetime.date
) -> GeneratedFile | None:
    def progress(percent: int) -> None:
        _owned(generated).update(progress=percent)

    folder = os.path.join(settings.MEDIA_ROOT, "tmp")
    os.makedirs(folder, exist_ok=True)
    with tempfile.TemporaryFile(dir=folder) as out:
        figures = write_monthly_report(
            out, commune=generated.commune, period=generated.period, dated=today, progress=progress
        )
        return store_built_file(
            generated,
            out,
            suffix=".xlsx",
            rows=figures.rows,
            total=figures.total,
            parameters={
                "cycle": figures.cycle_id,
                "account_people": figures.account_people,
                "account_amount": figures.account_amount,
                "not_cashless": figures.not_cashless,
            },
        )


def store_built_file(
    generated: GeneratedFile,
    out: IO[bytes],
    *,
    suffix: str,
    rows: int,
    total: int,
    parameters: dict,
    snapshot: IO[bytes] | None = None,
) -> GeneratedFile | None:
    """Store a finished build — file (named with its checksum), figures, state —
    only if this attempt still owns the record; ``None`` when a later attempt
    took it over (a worker thought dead came back): that one's result stands."""
    checksum = _sha256(out)
    with transaction.atomic():
        locked = _owned(generated).select_for_update().first()
        if locked is None:
            return None
        stem = file_name(generated)[: -len(suffix)]
        locked.file.save(f"{stem}-{checksum[:12]}{suffix}", File(out), save=False)
        if snapshot is not None:
            locked.snapshot.save(f"{stem}-{checksum[:12]}.tsv.gz", File(snapshot), save=False)
        locked.rows = rows
        locked.total_amount = total
        locked.checksum = checksum
        locked.parameters = {**locked.parameters, **parameters}
        locked.status = GeneratedFile.Status.DONE
        locked.progress = 100
        locked.finished_at = timezone.now()
        locked.save()
    return locked


def _still_current(generated: GeneratedFile) -> bool:
    """Whether the list would be built the same now (people, receivers, accounts),
    compared row by row with the snapshot stored with the file, streamed."""
    if not generated.snapshot:
        return False
    now = list_entries(generated.commune, generated.programme, generated.kind, generated.period)
    with generated.snapshot.open("rb") as handle, whole_results_planned():
        built = read_snapshot(handle)
        for before, after in itertools.zip_longest(built, now):
            if before != after:
                return False
    return True


@transaction.atomic
def mark_sent(generated: GeneratedFile, *, actor) -> GeneratedFile:
    """Record that a finished list was sent; it becomes the next changes sheet's reference."""
    locked = GeneratedFile.objects.select_for_update().get(pk=generated.pk)
    if locked.kind not in GeneratedFile.SENDABLE_KINDS:
        raise FileError(_("Chỉ danh sách đăng ký và báo cáo tháng được ghi nhận gửi ở đây."))
    if locked.status != GeneratedFile.Status.DONE:
        raise FileError(_("Chỉ gửi được tệp đã lập xong."))
    if locked.sent_at is not None:
        raise FileError(_("Tệp này đã được ghi nhận là đã gửi."))
    if locked.kind == GeneratedFile.Kind.MONTHLY_REPORT:
        # A report, not a payment list: no gate; the paying office sees it once sent.
        return _record_sent(locked, actor)
    newer = GeneratedFile.objects.filter(
        commune_id=locked.commune_id,
        period=locked.period,
        kind=locked.kind,
        programme_id=locked.programme_id,
        status=GeneratedFile.Status.DONE,
        requested_at__gt=locked.requested_at,
    )
    if newer.exists():
        raise FileError(_("Đã có bản lập sau của danh sách này: hãy gửi bản mới nhất."))
    if not _still_current(locked):
        raise FileError(
            _(
                "Dữ liệu đã thay đổi từ khi lập danh sách này (người, tài khoản hoặc người "
                "nhận thay): hãy lập lại danh sách rồi gửi."
            )
        )
    # The gate: nobody on the list unverified by the police or with a blocking
    # finding — checked on the data the file holds (just shown to be current).
    enrolments = list_enrolments(locked.commune, locked.programme, locked.kind, locked.period)
    blockers = submission_blockers(
        locked.commune,
        registrations_in_force(enrolments, locked.period),
        today=timezone.localdate(),
    )
    if blockers:
        raise ListBlocked(
            _(
                "Chưa gửi được: %(count)d người trong danh sách chưa được công an xác thực "
                "hoặc có lỗi dữ liệu chặn."
            )
            % {"count": len(blockers)},
            blockers,
        )
    return _record_sent(locked, actor)


def _record_sent(locked: GeneratedFile, actor) -> GeneratedFile:
    locked.sent_at = timezone.now()
    locked.sent_by = actor
    locked.save(update_fields=["sent_at", "sent_by"])
    Event.objects.create(
        kind=Event.Kind.LIST_SENT,
        actor=actor,
        commune_id=locked.commune_id,
        generated_file=locked,
        data={"checksum": locked.checksum, "rows": locked.rows, "total": locked.total_amount},
    )
    return locked


@transaction.atomic
def record_download(generated: GeneratedFile, *, actor) -> Event:
    """Log a download of a finished file (who, when, which bytes)."""
    if generated.status != GeneratedFile.Status.DONE:
        raise FileError(_("Tệp chưa lập xong."))
    return Event.objects.create(
        kind=Event.Kind.FILE_DOWNLOADED,
        actor=actor if getattr(actor, "pk", None) else None,
        commune_id=generated.commune_id,
        generated_file=generated,
        data={"checksum": generated.checksum},
    )


def build_registration_lists_now(
    commune: Commune, period: datetime.date, *, actor=None, today: datetime.date | None = None
) -> list[GeneratedFile]:
    """Request and build the lists in this process (the management command)."""
    files = request_registration_lists(commune, period, actor=actor, queue=False)
    built = []
    for generated in files:
        # A failure is on the record (status, error) and in the log; go on with the others.
        with contextlib.suppress(Exception):
            build_generated_file(generated.pk, today=today)
        built.append(GeneratedFile.objects.select_related("programme").get(pk=generated.pk))
    return built


def active_communes():
    """Communes that still exist on their own (a merged one's lists are its successor's)."""
    return Commune.objects.filter(merged_into__isnull=True).order_by("code")


def request_monthly_lists(today: datetime.date | None = None) -> int:
    """The beat's job on the 1st: this month's lists for every active commune.

    A commune that already has this month's lists (built, or under way) is
    skipped, so a redelivered beat message builds nothing twice. Returns the
    number of lists requested.
    """
    period = first_of_month(today or timezone.localdate())
    already = GeneratedFile.objects.filter(
        period=period, kind__in=GeneratedFile.REGISTRATION_KINDS
    ).exclude(status=GeneratedFile.Status.FAILED)
    count = 0
    for commune in active_communes().exclude(pk__in=already.values("commune_id")):
        count += len(request_registration_lists(commune, period, actor=None))
    return count


def files_of(commune: Commune, period: datetime.date):
    """The lists page: a commune's registration lists of one month, newest first per list."""
    return (
        GeneratedFile.objects.filter(
            commune=commune, period=period, kind__in=GeneratedFile.REGISTRATION_KINDS
        )
        .select_related("programme", "requested_by", "sent_by", "commune")
        # "-kind": registration_self before registration_representative, as on paper.
        .order_by("programme__order", "programme__code", "-kind", "-requested_at", "-pk")
    )


def request_monthly_report(
    commune: Commune, period: datetime.date, *, actor, queue: bool = True
) -> GeneratedFile:
    """The monthly report of a commune and month, queued to build.

    A report already queued or running for the same commune and month is
    returned as it is (the commune row is locked; a partial unique constraint
    backs it).
    """
    if period.day != 1:
        raise FileError(_("Kỳ của báo cáo phải là ngày đầu tháng."))
    actor = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        Commune.objects.select_for_update().get(pk=commune.pk)
        existing = GeneratedFile.objects.filter(
            commune=commune,
            period=period,
            kind=GeneratedFile.Kind.MONTHLY_REPORT,
            status__in=GeneratedFile.ACTIVE_STATUSES,
        ).first()
        if existing is not None:
            return existing
        created = GeneratedFile.objects.create(
            kind=GeneratedFile.Kind.MONTHLY_REPORT,
            commune=commune,
            period=period,
            requested_by=actor,
        )
        if queue:
            _queue(created.pk)
    return created


def build_monthly_report_now(
    commune: Commune, period: datetime.date, *, actor=None, today: datetime.date | None = None
) -> GeneratedFile:
    """Request and build the report in this process (the management command)."""
    generated = request_monthly_report(commune, period, actor=actor, queue=False)
    # A failure is on the record (status, error) and in the log.
    with contextlib.suppress(Exception):
        build_generated_file(generated.pk, today=today)
    return GeneratedFile.objects.select_related("commune").get(pk=generated.pk)


REPORT_DAYS_AHEAD = 3


def communes_due_for_report(today: datetime.date) -> list[Commune]:
    """Active communes whose deadline for this month is today or within
    :data:`REPORT_DAYS_AHEAD` days, with no report of the month (a failed one
    does not count: the next day's run tries again)."""
    period = first_of_month(today)
    has_report = GeneratedFile.objects.filter(
        period=period, kind=GeneratedFile.Kind.MONTHLY_REPORT
    ).exclude(status=GeneratedFile.Status.FAILED)
    candidates = active_communes().exclude(pk__in=has_report.values("commune_id"))
    return [
        commune
        for commune in candidates
        if 0 <= (due_date(commune, period) - today).days <= REPORT_DAYS_AHEAD
    ]


def request_due_monthly_reports(today: datetime.date | None = None) -> list[int]:
    """The beat's daily job: the month's report for each commune whose deadline is near.

    Returns the primary keys of the reports requested.
    """
    today = today or timezone.localdate()
    period = first_of_month(today)
    return [
        request_monthly_report(commune, period, actor=None).pk
        for commune in communes_due_for_report(today)
    ]
