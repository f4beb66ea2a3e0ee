"""The one job runner of generated files: claim, build, progress and heartbeat, store.

Whatever the kind — a registration list, a cycle's bank files, the monthly
report — a job runs the same way:

- :func:`claim` takes the record for this run: a new ``attempt``, status
  ``running``, a first heartbeat. A queued record, or a running one whose
  worker died (the broker delivers the message again), is taken; a done or
  failed one is left alone.
- The kind's builder (registered in :mod:`documents.builders`) writes the file
  outside any long transaction, so the progress and the heartbeat it writes
  through its :class:`~documents.builders.Job` are seen by the page polling them.
- :func:`store_built_file` stores the result — file named with its checksum,
  figures, state — only if this attempt still owns the record: a late write
  from an attempt that was overtaken is ignored.
- A job that fails is recorded failed with its error (and raised again for the
  log); one whose worker died silently is found by its stale heartbeat
  (:func:`fail_stale_jobs`, every few minutes and when its progress is read)
  and recorded failed, so it can be tried again.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from typing import IO

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.builders import Job, NothingToBuild, file_name, kind_of, owned
from documents.checksum import sha256_of
from documents.models import GeneratedFile

logger = logging.getLogger(__name__)


def claim(pk: int) -> GeneratedFile | None:
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
        generated.heartbeat_at = timezone.now()
        generated.save(update_fields=["status", "attempt", "progress", "heartbeat_at"])
    return generated


def build_claimed(
    generated: GeneratedFile, *, today: datetime.date | None = None
) -> GeneratedFile | None:
    """Build a claimed record with its kind's builder and store the result;
    ``None`` when a later attempt took the record over meanwhile."""
    build = kind_of(generated.kind).build
    with contextlib.ExitStack() as stack:
        built = build(generated, Job(generated, today=today or timezone.localdate(), stack=stack))
        return store_built_file(
            generated,
            built.out,
            suffix=built.suffix,
            rows=built.rows,
            total=built.total,
            parameters=built.parameters,
            snapshot=built.snapshot,
        )


def build_generated_file(pk: int, *, today: datetime.date | None = None) -> GeneratedFile | None:
    """Run the job of a generated file; returns it done, or ``None`` when there was nothing to do.

    A failure is recorded on the record (and raised again for the caller's log);
    a builder's :class:`~documents.builders.NothingToBuild` is recorded with its
    own message and not raised.
    """
    generated = claim(pk)
    if generated is None:
        return None
    try:
        return build_claimed(generated, today=today)
    except NothingToBuild as nothing:
        owned(generated).update(
            status=GeneratedFile.Status.FAILED, progress=100, error=str(nothing)
        )
        return None
    except Exception as exc:
        logger.exception("generated file %s failed", pk)
        owned(generated).update(
            status=GeneratedFile.Status.FAILED,
            progress=100,
            error=_("Lỗi hệ thống khi lập tệp (%(error)s). Hãy thử lại.")
            % {"error": type(exc).__name__},
        )
        raise


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
    checksum = sha256_of(out)
    with transaction.atomic():
        locked = owned(generated).select_for_update().first()
        if locked is None:
            logger.warning(
                "generated file %s: attempt %s overtaken", generated.pk, generated.attempt
            )
            return None
        stem = file_name(generated)[: -len(suffix)]
        locked.file.save(f"{stem}-{checksum[:12]}{suffix}", File(out), save=False)
        if snapshot is not None:
            snapshot.seek(0)
            locked.snapshot.save(f"{stem}-{checksum[:12]}.tsv.gz", File(snapshot), save=False)
        locked.rows = rows
        locked.total_amount = total
        locked.checksum = checksum
        locked.parameters = {**locked.parameters, **parameters}
        locked.status = GeneratedFile.Status.DONE
        locked.progress = 100
        locked.finished_at = timezone.now()
        locked.heartbeat_at = locked.finished_at
        locked.save()
    return locked


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.GENERATED_FILE_STALE_SECONDS)


def fail_stale_jobs(
    files: QuerySet[GeneratedFile] | None = None, *, now: datetime.datetime | None = None
) -> int:
    """Record as failed (and so retryable) every running job whose heartbeat is
    older than ``GENERATED_FILE_STALE_SECONDS``: its worker died. Returns how many.

    Should the worker come back after all, its result is not stored: the record
    is no longer running.
    """
    cutoff = (now or timezone.now()) - stale_after()
    files = GeneratedFile.objects.all() if files is None else files
    minutes = max(1, int(stale_after().total_seconds()) // 60)
    return files.filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, requested_at__lt=cutoff),
        status=GeneratedFile.Status.RUNNING,
    ).update(
        status=GeneratedFile.Status.FAILED,
        progress=100,
        error=_(
            "Việc lập tệp đã dừng giữa chừng (không có tín hiệu trong %(minutes)d phút). "
            "Hãy thử lại."
        )
        % {"minutes": minutes},
    )
