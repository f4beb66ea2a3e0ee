"""The registration lists as generated files: requested, built, sent through the gate.

- :func:`request_registration_lists` asks for a commune's month of lists, two
  per programme (own account, representatives), built by the one job runner
  (:mod:`documents.jobs`); :func:`request_monthly_lists` is the beat's job on
  the 1st for every commune. A list nobody is on in the month is not
  requested at all — there is nothing to sign — and the page says so
  (:func:`empty_lists`); should the last person leave a list between its
  request and its build, the build stops with that message instead of
  writing an empty list (the record is failed, and may be tried again).
- :func:`build_registration_list` is the lists' builder, registered with the
  runner (from ``RegistrationConfig.ready``) with the lists' download name and
  who may see them: the money roles, the paying office once a list was sent.
  Its changes sheet compares with :func:`last_sent`.
- :func:`approve_lists` is the leader's approval of the month's lists (the
  cycle's rule: the leader's role, not the person who asked for them), which
  :func:`withdraw_list_approval` takes back until a list is sent.
- :func:`mark_sent` records a finished list as sent — refused before the
  leader approved it, while it is not the latest build, while the data changed since it was built, or while anyone
  on it is unverified or has a blocking finding (the gate). From then on it is
  the reference of the next month's changes sheet. :func:`withdraw_sent` takes
  a mark recorded by mistake back, the same day, by the person who made it.
"""

from __future__ import annotations

import contextlib
import datetime
import itertools

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.models import Commune, Programme
from core import roles
from core.access import prepared_by, require_actor
from core.db import whole_results_planned
from core.rules.money import format_amount
from core.rules.months import first_of_month
from core.rules.reasons import ReasonError, clean_reason
from documents import jobs
from documents import services as files
from documents.builders import Access, Built, NothingToBuild, builder, once_sent
from documents.jobs import Job
from documents.models import Event, GeneratedFile
from documents.services import FileError, Wanted
from registration.listchanges import Entry, read_snapshot
from registration.lists import (
    list_counts,
    list_enrolments,
    list_entries,
    write_registration_list,
)
from registration.quality.gate import Blocker, registrations_in_force, submission_blockers

LIST_KINDS = GeneratedFile.REGISTRATION_KINDS

# The paying office sees a list once it was sent to it; the money roles, every list.
LIST_ACCESS = Access(
    roles=roles.CAN_SEE_LISTS,
    limited_roles=roles.SEES_SENT_LISTS_ONLY,
    limited=once_sent,
)


class ListBlocked(FileError):
    """A list cannot be sent while these people are unverified or have a blocking finding."""

    def __init__(self, message: str, blockers: list[Blocker]) -> None:
        super().__init__(message)
        self.blockers = blockers


def list_file_name(generated: GeneratedFile) -> str:
    """``ds-ncc-tu-nhan-15307-2027-01.xlsx``: what a downloaded list is called."""
    who = "tu-nhan" if generated.kind == GeneratedFile.Kind.REGISTRATION_SELF else "nhan-thay"
    programme = generated.programme.code.lower() if generated.programme_id else "chung"
    return f"ds-{programme}-{who}-{generated.commune.code}-{generated.period:%Y-%m}.xlsx"


def request_registration_lists(
    commune: Commune, period: datetime.date, *, actor, queue: bool = True
) -> list[GeneratedFile]:
    """The registration lists of a commune and month: two per programme, queued to
    build, less the lists nobody is on (:func:`empty_lists`).

    A list already queued or running for the same commune, month, kind and
    programme is returned as it is instead of a new one.
    """
    if period.day != 1:
        raise FileError(_("Kỳ của danh sách phải là ngày đầu tháng."))
    files.check_commune_open(commune, period)
    counts = list_counts(commune, period)
    wanted = [
        Wanted(kind, programme=programme, parameters={"programme": programme.code})
        for programme in Programme.objects.running_in(period).order_by("order", "code")
        for kind in LIST_KINDS
        if counts.get((programme.pk, kind))
    ]
    if not wanted:
        return []
    return files.request_files(commune, period, wanted, actor=actor, queue=queue)


def empty_message(period: datetime.date) -> str:
    return _("Không có đối tượng nào trong danh sách tháng %(month)s") % {
        "month": period.strftime("%m/%Y")
    }


def empty_lists(commune: Commune, period: datetime.date) -> list[tuple[Programme, str]]:
    """The (programme, kind) lists of the month nobody is on, in page order: no file
    is made for them. A programme that does not exist yet in the month
    (``Programme.starts_from``) has no list at all, not even an empty one."""
    counts = list_counts(commune, period)
    return [
        (programme, kind)
        for programme in Programme.objects.running_in(period).order_by("order", "code")
        for kind in LIST_KINDS
        if not counts.get((programme.pk, kind))
    ]


def last_sent(generated: GeneratedFile) -> GeneratedFile | None:
    """The list the changes sheet compares with: the latest sent of the same kind, not later."""
    return (
        GeneratedFile.objects.filter(
            once_sent(),
            commune_id=generated.commune_id,
            kind=generated.kind,
            programme_id=generated.programme_id,
            period__lte=generated.period,
        )
        .exclude(pk=generated.pk)
        .order_by("-period", "-sent_at")
        .first()
    )


@builder(GeneratedFile.Kind.REGISTRATION_SELF, file_name=list_file_name, access=LIST_ACCESS)
@builder(
    GeneratedFile.Kind.REGISTRATION_REPRESENTATIVE, file_name=list_file_name, access=LIST_ACCESS
)
def build_registration_list(generated: GeneratedFile, job: Job) -> Built:
    """One list and its changes sheet (against the last sent list), with the
    snapshot of its rows the next month's changes sheet and the gate read."""
    reference = last_sent(generated)
    expected = list_enrolments(
        generated.commune, generated.programme, generated.kind, generated.period
    ).count()
    if not expected:
        # Nobody is on it any more (they left since the request): nothing to sign.
        raise NothingToBuild(empty_message(generated.period))
    out = job.temporary_file()
    snap = job.temporary_file()
    with whole_results_planned():
        previous_handle = reference.snapshot.open("rb") if reference else None
        try:
            previous: list[Entry] | None = None
            label = ""
            if reference is not None:
                previous = read_snapshot(previous_handle)  # type: ignore[assignment]
                label = _("ngày %(sent)s (kỳ %(period)s)") % {
                    "sent": timezone.localtime(reference.sent_at).strftime("%d/%m/%Y"),
                    "period": reference.period.strftime("%m/%Y"),
                }
            figures = write_registration_list(
                out,
                commune=generated.commune,
                programme=generated.programme,
                kind=generated.kind,
                period=generated.period,
                dated=job.today,
                previous=previous,
                previous_label=label,
                snapshot=snap,
                progress=job.rows_progress(expected),
            )
        finally:
            if previous_handle is not None:
                previous_handle.close()
    return Built(
        out,
        ".xlsx",
        rows=figures.rows,
        total=figures.total,
        parameters={
            "changes": figures.changes,
            "compared_with": reference.pk if reference else None,
        },
        snapshot=snap,
    )


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


def _may_be_sent(locked: GeneratedFile) -> None:
    """Approved by the leader, the latest build, still current, and nobody on it held
    back by the gate."""
    if locked.approved_at is None:
        # As a cycle is sent only once approved (payments.services.cycles.WORKFLOW).
        raise FileError(_("Danh sách chưa được lãnh đạo phê duyệt: chưa ghi nhận gửi được."))
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
                "Chưa gửi được: %(count)s người trong danh sách chưa được công an xác thực "
                "hoặc có lỗi dữ liệu chặn."
            )
            % {"count": format_amount(len(blockers), unit=False)},
            blockers,
        )


def mark_sent(generated: GeneratedFile, *, actor) -> GeneratedFile:
    """Record that a finished list was sent; it becomes the next changes sheet's reference."""
    if generated.kind not in LIST_KINDS:
        raise FileError(_("Chỉ danh sách đăng ký được ghi nhận gửi ở đây."))
    return files.mark_sent(generated, actor=actor, check=_may_be_sent)


def build_registration_lists_now(
    commune: Commune, period: datetime.date, *, actor=None, today: datetime.date | None = None
) -> list[GeneratedFile]:
    """Request and build the lists in this process (the management command); the
    lists nobody is on are not made (:func:`empty_lists`)."""
    requested = request_registration_lists(commune, period, actor=actor, queue=False)
    built = []
    for generated in requested:
        # A failure is on the record (status, error) and in the log; go on with the others.
        with contextlib.suppress(Exception):
            jobs.build_generated_file(generated.pk, today=today)
        built.append(GeneratedFile.objects.select_related("programme").get(pk=generated.pk))
    return built


def active_communes():
    """Communes that still exist on their own (a merged one's lists are its successor's)."""
    return Commune.objects.filter(merged_into__isnull=True).order_by("code")


def request_monthly_lists(today: datetime.date | None = None) -> int:
    """The beat's job on the 1st: this month's lists for every active commune.

    A commune that already has this month's lists (built, or under way) is
    skipped, so a redelivered beat message builds nothing twice; a commune
    whose lists are all empty gets no record, and a second run finds them
    empty again. Returns the number of lists requested.
    """
    period = first_of_month(today or timezone.localdate())
    already = GeneratedFile.objects.filter(period=period, kind__in=LIST_KINDS).exclude(
        status=GeneratedFile.Status.FAILED
    )
    count = 0
    for commune in active_communes().exclude(pk__in=already.values("commune_id")):
        count += len(request_registration_lists(commune, period, actor=None))
    return count


def files_of(commune: Commune, period: datetime.date):
    """The lists page: a commune's registration lists of one month, newest first per list."""
    return (
        GeneratedFile.objects.filter(commune=commune, period=period, kind__in=LIST_KINDS)
        .select_related("programme", "requested_by", "approved_by", "sent_by", "commune")
        # "-kind": registration_self before registration_representative, as on paper.
        .order_by("programme__order", "programme__code", "-kind", "-requested_at", "-pk")
    )


# --- the leader's approval ----------------------------------------------------


def latest_lists(commune: Commune, period: datetime.date) -> list[GeneratedFile]:
    """The latest finished build of each list of the month (the one that may be sent)."""
    latest: dict[tuple[int | None, str], GeneratedFile] = {}
    for generated in files_of(commune, period).filter(status=GeneratedFile.Status.DONE):
        latest.setdefault((generated.programme_id, generated.kind), generated)
    return list(latest.values())


def awaiting_approval(commune: Commune, period: datetime.date) -> list[GeneratedFile]:
    """The lists the leader is asked to approve: latest builds, neither approved nor sent."""
    return [f for f in latest_lists(commune, period) if f.approved_at is None and f.sent_at is None]


def approved_unsent(commune: Commune, period: datetime.date) -> list[GeneratedFile]:
    """The month's approved lists not sent yet: the approval the leader may withdraw."""
    return list(files_of(commune, period).filter(approved_at__isnull=False, sent_at__isnull=True))


def _month_label(period: datetime.date) -> str:
    return period.strftime("%m/%Y")


def approve_lists(
    commune: Commune,
    period: datetime.date,
    *,
    actor,
    expected: set[int] | None = None,
) -> list[GeneratedFile]:
    """The leader approves the month's lists awaiting approval, at once; from then on
    the officer may mark them sent. The rule of the cycle's approval: the leader's
    role, never the person who asked for the lists. ``expected``: the lists the
    leader was shown; one of them no longer awaiting (built again meanwhile, approved by
    someone else) is refused rather than approving what nobody looked at; the
    lists shown are approved, not others (a user limited to some programmes sees
    and approves theirs)."""
    require_actor(actor, roles.CAN_APPROVE_LISTS)
    if getattr(actor, "pk", None) is None:
        # An approval is a person's: the schedule or the system never approves.
        raise FileError(_("Chỉ lãnh đạo phê duyệt được danh sách."))
    with transaction.atomic():
        Commune.objects.select_for_update().get(pk=commune.pk)
        pending = awaiting_approval(commune, period)
        if not pending:
            raise FileError(
                _("Không có danh sách nào của tháng %(month)s chờ phê duyệt.")
                % {"month": _month_label(period)}
            )
        if expected is not None and not expected <= {f.pk for f in pending}:
            raise FileError(
                _(
                    "Các danh sách tháng %(month)s đã thay đổi từ khi mở trang xác nhận "
                    "(lập lại hoặc đã được phê duyệt): hãy xem lại rồi phê duyệt."
                )
                % {"month": _month_label(period)}
            )
        if expected is not None:
            pending = [f for f in pending if f.pk in expected]
        if any(prepared_by(f.requested_by_id, actor) for f in pending):
            raise FileError(_("Người lập danh sách không tự phê duyệt được."))
        now = timezone.now()
        GeneratedFile.objects.filter(pk__in=[f.pk for f in pending]).update(
            approved_at=now, approved_by=actor
        )
        Event.objects.bulk_create(
            Event(
                kind=Event.Kind.LIST_APPROVED,
                actor=actor,
                commune_id=commune.pk,
                generated_file=f,
                at=now,
                data={"checksum": f.checksum, "rows": f.rows, "total": f.total_amount},
            )
            for f in pending
        )
    return list(files_of(commune, period).filter(pk__in=[f.pk for f in pending]))


def withdraw_list_approval(
    commune: Commune,
    period: datetime.date,
    *,
    actor,
    reason: str,
    expected: set[int] | None = None,
) -> list[GeneratedFile]:
    """The leader takes back the approval of the month's lists not sent yet (a list
    already sent stays sent); the event log keeps who, when and why. ``expected``:
    the lists the leader was shown (all of them when ``None``); one of them sent or
    withdrawn meanwhile is refused."""
    require_actor(actor, roles.CAN_APPROVE_LISTS)
    try:
        reason = clean_reason(reason)
    except ReasonError as exc:
        raise FileError(str(exc)) from None
    with transaction.atomic():
        Commune.objects.select_for_update().get(pk=commune.pk)
        approved = approved_unsent(commune, period)
        if not approved:
            raise FileError(
                _(
                    "Không có danh sách nào của tháng %(month)s đã phê duyệt mà chưa gửi: "
                    "không có gì để rút."
                )
                % {"month": _month_label(period)}
            )
        if expected is not None:
            if not expected <= {f.pk for f in approved}:
                raise FileError(
                    _(
                        "Các danh sách tháng %(month)s đã thay đổi từ khi mở trang xác nhận "
                        "(đã gửi, hoặc phê duyệt đã được rút): hãy xem lại."
                    )
                    % {"month": _month_label(period)}
                )
            approved = [f for f in approved if f.pk in expected]
        now = timezone.now()
        Event.objects.bulk_create(
            Event(
                kind=Event.Kind.LIST_APPROVAL_WITHDRAWN,
                actor=actor,
                commune_id=commune.pk,
                generated_file=f,
                at=now,
                data={
                    "reason": reason,
                    "approved_at": f.approved_at.isoformat(),
                    "approved_by": f.approved_by_id,
                },
            )
            for f in approved
        )
        GeneratedFile.objects.filter(pk__in=[f.pk for f in approved]).update(
            approved_at=None, approved_by=None
        )
    return approved


def withdraw_sent(generated: GeneratedFile, *, actor) -> GeneratedFile:
    """Take back a "sent" mark recorded by mistake (same person, same local day)."""
    require_actor(actor, roles.CAN_BUILD_LISTS)
    return files.withdraw_sent(generated, actor=actor)
