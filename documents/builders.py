"""What each kind of generated file is: its builder, its download name, who sees it.

The job runner (:mod:`documents.jobs`) builds every file the same way — claim,
progress and heartbeat, store, checksum — but what goes into a file is known
only to the app that makes it: the registration lists (``registration``), a
payment cycle's bank files and post-office lists (``payments``), the monthly
report (``reports``). Those apps sit above this one, so they register here,
from their ``AppConfig.ready``, and the runner, the download and the progress
views look the kind up::

    @builder(GeneratedFile.Kind.MONTHLY_REPORT, file_name=report_file_name, access=REPORT_ACCESS)
    def build_monthly_report(generated: GeneratedFile, job: Job) -> Built: ...

A builder is handed a :class:`Job` (the claimed attempt: its temporary files,
its progress and heartbeat), writes into the job's temporary files and returns
what it :class:`Built`; the runner stores it, only if its attempt still owns
the record.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.access import has_any_role
from documents.models import GeneratedFile

PROGRESS_STEP = 5  # percent: fewer writes while rows stream
ROWS_SHARE = 95  # the last 5 % are the storing


@dataclass(frozen=True)
class Built:
    """A finished build: the file (written, at any position), its figures, and what
    the record keeps of it (``parameters`` are merged into the record's)."""

    out: IO[bytes]
    suffix: str
    rows: int
    total: int
    parameters: dict = field(default_factory=dict)
    snapshot: IO[bytes] | None = None


class NothingToBuild(Exception):
    """A builder found nothing to write (a list nobody is on any more): the record
    is failed with this message for the user, not as a fault of the system."""


@dataclass(frozen=True)
class Access:
    """Who may see the files of a kind.

    ``roles`` see them (any other role gets a 403). A user whose only such roles
    are in ``limited_roles`` sees only the files matching ``limited()`` — the
    paying office sees a list once sent, a cycle's files once the cycle was
    submitted; the others are a 404 to them, as if they did not exist.
    ``limited`` is a function because its condition may be a subquery on the
    owning app's models.
    """

    roles: frozenset[str]
    limited_roles: frozenset[str] = frozenset()
    limited: Callable[[], Q] | None = None
    # For a user limited to some programmes (``beneficiaries.access.programme_ids_for``):
    # the files of this kind they see, given the programmes' ids. The default
    # keeps the files of those programmes, so a file without a programme (it
    # covers every programme) is not theirs; a kind whose files cover a whole
    # payment cycle says when such a file holds only their programmes.
    within_programmes: Callable[[list[int]], Q] | None = None

    def programme_condition(self, programme_ids: list[int] | None) -> Q:
        """``Q()`` for a user who sees every programme, else the files of theirs."""
        if programme_ids is None:
            return Q()
        if self.within_programmes is not None:
            return self.within_programmes(programme_ids)
        return Q(programme_id__in=programme_ids)

    def condition_for(self, user) -> Q | None:
        """``None``: the user may not see this kind; ``Q()``: every file of it;
        otherwise the condition the files they see meet."""
        if not has_any_role(user, self.roles):
            return None
        if self.limited is None or has_any_role(user, self.roles - self.limited_roles):
            return Q()
        return self.limited()


def once_sent() -> Q:
    """The files recorded as sent to the paying office (``documents.services.mark_sent``)."""
    return Q(sent_at__isnull=False)


def heartbeat_interval() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.GENERATED_FILE_HEARTBEAT_SECONDS)


def owned(generated: GeneratedFile) -> QuerySet[GeneratedFile]:
    """The record, as long as this attempt of the job still owns it."""
    return GeneratedFile.objects.filter(
        pk=generated.pk, attempt=generated.attempt, status=GeneratedFile.Status.RUNNING
    )


class Job:
    """One attempt at building a claimed file: what a builder is handed.

    Temporary files and folders live under ``MEDIA_ROOT/tmp`` until the built
    file is stored. Progress goes to the record in steps of
    :data:`PROGRESS_STEP` percent, with a heartbeat, and the heartbeat alone at
    least every ``GENERATED_FILE_HEARTBEAT_SECONDS`` while the builder reports rows.
    """

    def __init__(
        self, generated: GeneratedFile, *, today: datetime.date, stack: contextlib.ExitStack
    ) -> None:
        self.generated = generated
        self.today = today
        self._stack = stack
        self._percent = generated.progress
        self._beaten = timezone.now()

    def _folder(self) -> str:
        folder = os.path.join(settings.MEDIA_ROOT, "tmp")
        os.makedirs(folder, exist_ok=True)
        return folder

    def temporary_file(self) -> IO[bytes]:
        return self._stack.enter_context(tempfile.TemporaryFile(dir=self._folder()))

    def temporary_folder(self) -> Path:
        return Path(self._stack.enter_context(tempfile.TemporaryDirectory(dir=self._folder())))

    def percent(self, value: int) -> None:
        """Record ``value`` percent done (and a heartbeat)."""
        self._percent = value
        self._write(progress=value)

    def beat(self) -> None:
        """A heartbeat, if the last one is older than the interval."""
        if timezone.now() - self._beaten >= heartbeat_interval():
            self._write()

    def rows_progress(self, expected: int) -> Callable[[int], None]:
        """A callback taking the rows written so far, out of ``expected``."""

        def write(rows: int) -> None:
            percent = min(ROWS_SHARE, rows * ROWS_SHARE // expected) if expected else 0
            if percent >= self._percent + PROGRESS_STEP:
                self.percent(percent)
            else:
                self.beat()

        return write

    def _write(self, **fields) -> None:
        self._beaten = timezone.now()
        owned(self.generated).update(heartbeat_at=self._beaten, **fields)


Builder = Callable[[GeneratedFile, Job], Built]


@dataclass(frozen=True)
class FileKind:
    kind: str
    build: Builder
    file_name: Callable[[GeneratedFile], str]
    access: Access


BUILDERS: dict[str, FileKind] = {}


def builder(kind: str, *, file_name: Callable[[GeneratedFile], str], access: Access):
    """Register the decorated function as the builder of ``kind``, with the name its
    files are downloaded under and who may see them."""

    def register(build: Builder) -> Builder:
        known = BUILDERS.get(kind)
        if known is not None and _origin(known.build) != _origin(build):
            raise ImproperlyConfigured(
                f"Generated files of kind {kind!r} already have a builder: {_origin(known.build)}"
            )
        BUILDERS[kind] = FileKind(kind, build, file_name, access)
        return build

    return register


def _origin(function: Callable) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def kind_of(kind: str) -> FileKind:
    """The registered kind, or an error naming it (its app did not register it)."""
    try:
        return BUILDERS[kind]
    except KeyError:
        raise ImproperlyConfigured(
            f"No builder is registered for generated files of kind {kind!r}"
        ) from None


def file_name(generated: GeneratedFile) -> str:
    """What the file is called when downloaded (``ds-ncc-tu-nhan-15307-2027-01.xlsx``)."""
    return kind_of(generated.kind).file_name(generated)
