"""What a user does with generated files, whatever their kind: request, retry, download, send.

- :func:`request_files` records the wanted files of a commune and month and
  queues their jobs; a file of the same kind (and programme) already queued
  or running is returned as it is instead — a double click builds nothing
  twice: the commune row is locked, and a partial unique constraint backs it.
- :func:`retry_generated_file` queues a failed job again.
- :func:`record_download` logs every download (the files hold personal data).
- :func:`mark_sent` records that a finished file went to the paying office,
  after the owning app's own check (the registration lists' gate and
  approval); a sent file never changes: building the period again makes a
  new record.
- :func:`withdraw_sent` takes back a "sent" mark recorded by mistake: only
  the person who recorded it, only the same (local) day.

The apps that make files wrap these with their own rules
(``registration.listfiles``, ``payments.cyclefiles``, ``reports.reportfiles``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.models import Commune, Programme, merged_commune_problem
from core.dates import local_day
from core.templatetags.vn import full_name
from documents import tasks
from documents.models import Event, GeneratedFile


class FileError(Exception):
    """An operation on a generated file that cannot be done, with a message for the user."""


@dataclass(frozen=True)
class Wanted:
    """One file to request: its kind, programme (for the per-programme kinds) and parameters."""

    kind: str
    programme: Programme | None = None
    parameters: dict = field(default_factory=dict)


def _actor(actor):
    """The user who acted, or ``None`` for the schedule (no saved user)."""
    return actor if getattr(actor, "pk", None) else None


def check_commune_open(commune: Commune, period: datetime.date) -> None:
    """No file is built for a merged commune's month on or after its merger (its
    months before stay buildable and downloadable)."""
    problem = merged_commune_problem(commune, period)
    if problem:
        raise FileError(problem)


def request_files(
    commune: Commune,
    period: datetime.date,
    wanted: Sequence[Wanted],
    *,
    actor,
    queue: bool = True,
) -> list[GeneratedFile]:
    """The wanted files of a commune and month, each queued to build, in the order asked.

    A file of the same kind and programme already queued or running is returned
    as it is instead of a new one.
    """
    actor = _actor(actor)
    check_commune_open(commune, period)
    with transaction.atomic():
        # Requests for one commune are taken one at a time: the second finds the first's jobs.
        Commune.objects.select_for_update().get(pk=commune.pk)
        active = {
            (f.kind, f.programme_id): f
            for f in GeneratedFile.objects.select_for_update().filter(
                commune=commune,
                period=period,
                kind__in={w.kind for w in wanted},
                status__in=GeneratedFile.ACTIVE_STATUSES,
            )
        }
        files = []
        for item in wanted:
            existing = active.get((item.kind, item.programme.pk if item.programme else None))
            if existing is not None:
                files.append(existing)
                continue
            created = GeneratedFile.objects.create(
                kind=item.kind,
                commune=commune,
                programme=item.programme,
                period=period,
                parameters=item.parameters,
                requested_by=actor,
            )
            if queue:
                tasks.queue_build(created.pk)
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
        tasks.queue_build(locked.pk)
    return locked


@transaction.atomic
def record_download(generated: GeneratedFile, *, actor) -> Event:
    """Log a download of a finished file (who, when, which bytes)."""
    if generated.status != GeneratedFile.Status.DONE:
        raise FileError(_("Tệp chưa lập xong."))
    return Event.objects.create(
        kind=Event.Kind.FILE_DOWNLOADED,
        actor=_actor(actor),
        commune_id=generated.commune_id,
        generated_file=generated,
        data={"checksum": generated.checksum},
    )


@transaction.atomic
def mark_sent(
    generated: GeneratedFile,
    *,
    actor,
    check: Callable[[GeneratedFile], None] | None = None,
) -> GeneratedFile:
    """Record that a finished file was sent, once; ``check`` (given the locked
    record) raises :class:`FileError` when the owning app's rules refuse it."""
    locked = GeneratedFile.objects.select_for_update().get(pk=generated.pk)
    if locked.status != GeneratedFile.Status.DONE:
        raise FileError(_("Chỉ gửi được tệp đã lập xong."))
    if locked.sent_at is not None:
        raise FileError(_("Tệp này đã được ghi nhận là đã gửi."))
    if check is not None:
        check(locked)
    locked.sent_at = timezone.now()
    locked.sent_by = _actor(actor)
    locked.save(update_fields=["sent_at", "sent_by"])
    Event.objects.create(
        kind=Event.Kind.LIST_SENT,
        actor=_actor(actor),
        commune_id=locked.commune_id,
        generated_file=locked,
        data={"checksum": locked.checksum, "rows": locked.rows, "total": locked.total_amount},
    )
    return locked


def sent_mark_withdrawable(generated: GeneratedFile, actor, today: datetime.date) -> bool:
    """Whether a page offers ``actor`` to take the "sent" mark back: the person who
    recorded it, the same local day (:func:`withdraw_sent` checks it again, locked)."""
    return (
        generated.sent_at is not None
        and generated.sent_by_id is not None
        and generated.sent_by_id == getattr(actor, "pk", None)
        and local_day(generated.sent_at) == today
    )


@transaction.atomic
def withdraw_sent(generated: GeneratedFile, *, actor, today: datetime.date | None = None):
    """Take back a "sent" mark recorded by mistake: by whoever recorded it, the same
    local day, while no later list was compared with it. The file is as before
    it was marked (an approved list stays approved); the event log keeps both."""
    today = today or timezone.localdate()
    locked = GeneratedFile.objects.select_for_update().get(pk=generated.pk)
    if locked.sent_at is None:
        raise FileError(_("Tệp này chưa được ghi nhận là đã gửi."))
    if locked.sent_by_id is None or locked.sent_by_id != getattr(actor, "pk", None):
        raise FileError(
            _("Chỉ người đã ghi nhận gửi (%(who)s) mới rút được dấu đã gửi.")
            % {"who": full_name(locked.sent_by) if locked.sent_by else _("lịch tự động")}
        )
    sent_on = local_day(locked.sent_at)
    if sent_on != today:
        raise FileError(
            _("Chỉ rút được dấu đã gửi trong ngày đã ghi nhận (%(day)s): hôm nay đã là ngày khác.")
            % {"day": f"{sent_on:%d/%m/%Y}"}
        )
    if GeneratedFile.objects.filter(parameters__compared_with=locked.pk).exists():
        raise FileError(
            _("Đã có danh sách lập sau so sánh với lần gửi này: không rút được dấu đã gửi.")
        )
    Event.objects.create(
        kind=Event.Kind.LIST_SENT_WITHDRAWN,
        actor=_actor(actor),
        commune_id=locked.commune_id,
        generated_file=locked,
        data={"sent_at": locked.sent_at.isoformat(), "checksum": locked.checksum},
    )
    locked.sent_at = None
    locked.sent_by = None
    locked.save(update_fields=["sent_at", "sent_by"])
    return locked
