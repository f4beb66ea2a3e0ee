"""The registration lists page and the downloads page: build, follow, mark as sent, retry.

Thin: every file goes through :func:`documents.access.visible_files` (its
kind's rules: another commune's file, or one not sent yet to the paying
office, is a 404; a role that may not act a 403) and every action is one
service call. Downloading and following a job's progress are the one pair of
views of ``documents.views``, for every kind.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from beneficiaries.access import (
    commune_ids_for,
    communes_for,
    get_commune_for,
    page_commune,
    programme_ids_for,
)
from beneficiaries.deadlines import DeadlineBook
from beneficiaries.models import Commune
from core import roles
from core.access import has_any_role, require_role
from core.confirm import Confirmation, ReasonForm, Table, confirm, fingerprint
from core.rules.money import format_amount
from core.rules.months import first_of_month, read_month
from core.templatetags.vn import full_name
from core.widgets import MONTH_ERROR
from documents.access import visible_files
from documents.models import GeneratedFile
from documents.services import FileError, retry_generated_file, sent_mark_withdrawable
from registration import listfiles
from registration.quality.gate import blocker_lines
from reports import dashboard as figures
from reports import reportfiles
from reports.deadlines import sent_late


def _file_to_act_on(user, pk: int) -> GeneratedFile:
    """A list or report the user may send or retry: 404 unless they see it, 403 for
    a role that may not act (a cycle's files have their own page)."""
    require_role(user, roles.CAN_SEE_LISTS)
    files = GeneratedFile.objects.select_related("commune", "programme").filter(
        kind__in=GeneratedFile.SENDABLE_KINDS
    )
    generated = get_object_or_404(visible_files(user, files), pk=pk)
    require_role(user, roles.CAN_BUILD_LISTS)
    return generated


def _month(request: HttpRequest) -> datetime.date:
    """The month asked for (``thang``), else this month; a malformed one is said so."""
    value = request.GET.get("thang")
    period = read_month(value)
    if period is None and value:
        messages.error(request, MONTH_ERROR)
    return period or first_of_month(timezone.localdate())


def _page_url(commune: Commune, period: datetime.date) -> str:
    return f"{reverse('registration_lists')}?xa={commune.pk}&thang={period:%Y-%m}"


@login_required
def registration_lists(request: HttpRequest) -> HttpResponse:
    require_role(request.user, roles.CAN_SEE_LISTS)
    commune = page_commune(request.user, request.GET.get("xa"))
    period = _month(request)
    files = list(visible_files(request.user, listfiles.files_of(commune, period)))
    today = timezone.localdate()
    for generated in files:
        generated.withdrawable = sent_mark_withdrawable(generated, request.user, today)
    can_approve = has_any_role(request.user, roles.CAN_APPROVE_LISTS)
    return render(
        request,
        "reports/registration_lists.html",
        {
            "commune": commune,
            "communes": communes_for(request.user).order_by("name"),
            "period": period,
            "files": files,
            "empty": [
                {"programme": programme, "kind": GeneratedFile.Kind(kind).label}
                for programme, kind in listfiles.empty_lists(commune, period)
            ],
            "empty_message": listfiles.empty_message(period),
            "can_build": has_any_role(request.user, roles.CAN_BUILD_LISTS),
            "running": any(f.is_active for f in files),
            "can_approve": can_approve,
            "awaiting": (
                _visible(request.user, listfiles.awaiting_approval(commune, period))
                if can_approve
                else []
            ),
            "approved_unsent": (
                _visible(request.user, listfiles.approved_unsent(commune, period))
                if can_approve
                else []
            ),
        },
    )


@login_required
@require_POST
def registration_lists_build(request: HttpRequest) -> HttpResponse:
    require_role(request.user, roles.CAN_SEE_LISTS)
    commune = get_commune_for(request.user, request.POST.get("xa"))
    require_role(request.user, roles.CAN_BUILD_LISTS)
    period = read_month(request.POST.get("thang"))
    if period is None:
        messages.error(request, MONTH_ERROR)
        return redirect(f"{reverse('registration_lists')}?xa={commune.pk}")
    files = listfiles.request_registration_lists(commune, period, actor=request.user)
    if files:
        messages.success(
            request,
            _("Đã yêu cầu lập %(count)d danh sách tháng %(period)s.")
            % {"count": len(files), "period": period.strftime("%m/%Y")},
        )
    else:
        messages.info(request, listfiles.empty_message(period) + ".")
    return redirect(_page_url(commune, period))


def _file_token(generated: GeneratedFile) -> str:
    """What a file's confirmation page showed: its bytes, approval and sending."""
    return fingerprint(generated.pk, generated.checksum, generated.approved_at, generated.sent_at)


def _locked_file_token(pk: int) -> str:
    return _file_token(GeneratedFile.objects.select_for_update().get(pk=pk))


def _who_when(user, moment) -> str:
    if moment is None:
        return "—"
    return f"{full_name(user) or _('Lịch tự động')}, {timezone.localtime(moment):%d/%m/%Y %H:%M}"


def _file_facts(generated: GeneratedFile) -> list[tuple[str, str]]:
    facts = [
        (_("Xã"), generated.commune.name),
        (_("Tháng"), f"{generated.period:%m/%Y}"),
        (_("Tệp"), generated.get_kind_display()),
    ]
    if generated.programme_id:
        facts.append((_("Chương trình"), str(generated.programme)))
    if generated.rows is not None:
        facts.append((_("Số dòng"), format_amount(generated.rows, unit=False)))
    if generated.total_amount is not None:
        label = _("Tổng tiền/tháng") if generated.kind in listfiles.LIST_KINDS else _("Tổng tiền")
        facts.append((label, format_amount(generated.total_amount)))
    if generated.kind in listfiles.LIST_KINDS:
        facts.append((_("Phê duyệt"), _who_when(generated.approved_by, generated.approved_at)))
    if generated.sent_at is not None:
        facts.append((_("Đã gửi"), _who_when(generated.sent_by, generated.sent_at)))
    facts.append((_("Mã kiểm tra tệp"), generated.checksum[:12] or "—"))
    return facts


def _back_url(request: HttpRequest, generated: GeneratedFile) -> str:
    came_from = request.POST.get("from") or request.GET.get("from")
    if came_from == "downloads":
        return f"{reverse('downloads')}?xa={generated.commune_id}"
    if came_from == "report":
        return (
            f"{reverse('monthly_report')}?xa={generated.commune_id}&thang={generated.period:%m/%Y}"
        )
    return _page_url(generated.commune, generated.period)


def _report_send_refusal(request: HttpRequest, exc: Exception) -> None:
    messages.error(request, str(exc))
    if isinstance(exc, listfiles.ListBlocked):
        # Who blocks and why, one message each.
        for line in blocker_lines(exc.blockers):
            messages.warning(request, line)


STALE_FILE = gettext_lazy(
    "Trang xác nhận đã cũ: tệp đã thay đổi từ khi mở trang (bấm hai lần, hoặc người "
    "khác vừa thao tác)."
)


@login_required
def generated_file_mark_sent(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that a list or the monthly report was sent: confirmation page, then once."""
    generated = _file_to_act_on(request.user, pk)
    is_report = generated.kind == GeneratedFile.Kind.MONTHLY_REPORT
    # The lists go through their approval and gate; the report has neither.
    send = reportfiles.mark_sent if is_report else listfiles.mark_sent
    warnings = []
    if not is_report and generated.approved_at is None:
        warnings.append(_("Danh sách chưa được lãnh đạo phê duyệt: chưa ghi nhận gửi được."))
    back = _back_url(request, generated)

    def act(_data: dict) -> str:
        send(generated, actor=request.user)
        return _("Đã ghi nhận %(file)s đã gửi.") % {"file": generated}

    return confirm(
        request,
        Confirmation(
            title=_("Ghi nhận đã gửi: %(file)s") % {"file": generated},
            intro=_(
                "Ghi nhận tệp này đã gửi cho cơ quan chi trả: từ đó cơ quan chi trả thấy tệp, "
                "và tệp không thay đổi nữa. Nhầm thì chỉ người ghi nhận rút lại được, trong "
                "ngày hôm nay."
            ),
            facts=_file_facts(generated),
            button=_("Ghi nhận đã gửi"),
            back=back,
            token=_file_token(generated),
            warnings=warnings,
            hidden={"from": request.GET.get("from") or request.POST.get("from", "")},
        ),
        current=lambda: _locked_file_token(generated.pk),
        act=act,
        stale=str(STALE_FILE),
        errors=(FileError,),
        report=_report_send_refusal,
    )


@login_required
def generated_file_withdraw_sent(request: HttpRequest, pk: int) -> HttpResponse:
    """Take back a "sent" mark recorded by mistake: confirmation page, then once."""
    generated = _file_to_act_on(request.user, pk)
    withdraw = (
        reportfiles.withdraw_sent
        if generated.kind == GeneratedFile.Kind.MONTHLY_REPORT
        else listfiles.withdraw_sent
    )

    def act(_data: dict) -> str:
        withdraw(generated, actor=request.user)
        return _("Đã rút dấu đã gửi của %(file)s.") % {"file": generated}

    return confirm(
        request,
        Confirmation(
            title=_("Rút dấu đã gửi: %(file)s") % {"file": generated},
            intro=_(
                "Rút dấu đã gửi ghi nhầm: tệp trở lại chưa gửi (danh sách đã phê duyệt vẫn giữ "
                "phê duyệt). Chỉ người đã ghi nhận gửi làm được, trong ngày đã ghi nhận."
            ),
            facts=_file_facts(generated),
            button=_("Rút dấu đã gửi"),
            back=_back_url(request, generated),
            token=_file_token(generated),
            danger=True,
            hidden={"from": request.GET.get("from") or request.POST.get("from", "")},
        ),
        current=lambda: _locked_file_token(generated.pk),
        act=act,
        stale=str(STALE_FILE),
        errors=(FileError,),
    )


def _lists_token(files: list[GeneratedFile]) -> str:
    return fingerprint(*sorted((f.pk, f.checksum, f.approved_at, f.sent_at) for f in files))


def _lists_table(files: list[GeneratedFile], *, caption: str) -> Table:
    # The figures come before the long list names: on a phone they show without scrolling.
    return Table(
        caption=caption,
        header=[
            _("Chương trình"),
            _("Số dòng"),
            _("Tổng tiền/tháng"),
            _("Danh sách"),
            _("Lập lúc"),
        ],
        rows=[
            [
                f.programme.short_name,
                format_amount(f.rows or 0, unit=False),
                format_amount(f.total_amount or 0),
                f.get_kind_display(),
                f"{timezone.localtime(f.finished_at or f.requested_at):%d/%m/%Y %H:%M}",
            ]
            for f in files
        ],
        numeric=frozenset({1, 2}),
    )


def _lists_facts(commune: Commune, period: datetime.date, files) -> list[tuple[str, str]]:
    return [
        (_("Xã"), commune.name),
        (_("Tháng"), f"{period:%m/%Y}"),
        (_("Số danh sách"), format_amount(len(files), unit=False)),
        (_("Tổng số dòng"), format_amount(sum(f.rows or 0 for f in files), unit=False)),
        (_("Tổng tiền/tháng"), format_amount(sum(f.total_amount or 0 for f in files))),
    ]


def _lists_month(request: HttpRequest) -> tuple[Commune, datetime.date]:
    """The commune and month of the lists an approval is about (GET or POST)."""
    require_role(request.user, roles.CAN_SEE_LISTS)
    commune = get_commune_for(request.user, request.POST.get("xa") or request.GET.get("xa"))
    require_role(request.user, roles.CAN_APPROVE_LISTS)
    period = read_month(request.POST.get("thang") or request.GET.get("thang"))
    if period is None:
        raise Http404
    return commune, period


@login_required
def registration_lists_approve(request: HttpRequest) -> HttpResponse:
    """The leader approves the month's lists: confirmation page, then once."""
    commune, period = _lists_month(request)
    pending = _visible(request.user, listfiles.awaiting_approval(commune, period))
    month = f"{period:%m/%Y}"
    warnings = []
    if not pending:
        warnings.append(
            _("Không có danh sách nào của tháng %(month)s chờ phê duyệt.") % {"month": month}
        )
    if any(f.is_active for f in listfiles.files_of(commune, period)):
        warnings.append(_("Có danh sách đang được lập: phê duyệt sau khi lập xong sẽ đủ hơn."))

    def act(_data: dict) -> str:
        approved = listfiles.approve_lists(
            commune, period, actor=request.user, expected={f.pk for f in pending}
        )
        return _("Đã phê duyệt %(count)s danh sách tháng %(month)s.") % {
            "count": format_amount(len(approved), unit=False),
            "month": month,
        }

    return confirm(
        request,
        Confirmation(
            title=_("Phê duyệt danh sách đăng ký tháng %(month)s") % {"month": month},
            intro=_(
                "Phê duyệt các danh sách dưới đây: từ đó công chức có thể ghi nhận đã gửi cho "
                "cơ quan chi trả. Danh sách lập lại sau khi phê duyệt cần phê duyệt lại."
            ),
            facts=_lists_facts(commune, period, pending),
            button=_("Phê duyệt"),
            back=_page_url(commune, period),
            token=_lists_token(pending),
            tables=[_lists_table(pending, caption=_("Các danh sách chờ phê duyệt"))],
            warnings=warnings,
            hidden={"xa": str(commune.pk), "thang": f"{period:%Y-%m}"},
        ),
        current=lambda: _lists_token(
            _locked(_visible(request.user, listfiles.awaiting_approval(commune, period)))
        ),
        act=act,
        stale=_(
            "Trang xác nhận đã cũ: các danh sách tháng %(month)s đã thay đổi từ khi mở trang "
            "(lập lại, hoặc đã được phê duyệt)."
        )
        % {"month": month},
        errors=(FileError,),
    )


@login_required
def registration_lists_withdraw_approval(request: HttpRequest) -> HttpResponse:
    """The leader takes back the approval of the month's unsent lists, with a reason."""
    commune, period = _lists_month(request)
    approved = _visible(request.user, listfiles.approved_unsent(commune, period))
    month = f"{period:%m/%Y}"

    def act(data: dict) -> str:
        withdrawn = listfiles.withdraw_list_approval(
            commune,
            period,
            actor=request.user,
            reason=data["ly_do"],
            expected={f.pk for f in approved},
        )
        return _("Đã rút phê duyệt %(count)s danh sách tháng %(month)s.") % {
            "count": format_amount(len(withdrawn), unit=False),
            "month": month,
        }

    return confirm(
        request,
        Confirmation(
            title=_("Rút phê duyệt danh sách đăng ký tháng %(month)s") % {"month": month},
            intro=_(
                "Rút phê duyệt các danh sách chưa gửi dưới đây: công chức không ghi nhận gửi "
                "được cho đến khi lãnh đạo phê duyệt lại; lý do được ghi vào nhật ký."
            ),
            facts=_lists_facts(commune, period, approved),
            button=_("Rút phê duyệt"),
            back=_page_url(commune, period),
            token=_lists_token(approved),
            tables=[_lists_table(approved, caption=_("Các danh sách đã phê duyệt, chưa gửi"))],
            warnings=(
                []
                if approved
                else [_("Không có danh sách nào đã phê duyệt mà chưa gửi: không có gì để rút.")]
            ),
            form=ReasonForm(request.POST if request.method == "POST" else None),
            danger=True,
            hidden={"xa": str(commune.pk), "thang": f"{period:%Y-%m}"},
        ),
        current=lambda: _lists_token(
            _locked(_visible(request.user, listfiles.approved_unsent(commune, period)))
        ),
        act=act,
        stale=_(
            "Trang xác nhận đã cũ: các danh sách tháng %(month)s đã thay đổi từ khi mở trang "
            "(đã gửi, hoặc phê duyệt đã được rút)."
        )
        % {"month": month},
        errors=(FileError,),
    )


def _visible(user, files: list[GeneratedFile]) -> list[GeneratedFile]:
    """Those of ``files`` the user sees (a user limited to some programmes: theirs)."""
    seen = set(
        visible_files(user, GeneratedFile.objects.filter(pk__in=[f.pk for f in files])).values_list(
            "pk", flat=True
        )
    )
    return [f for f in files if f.pk in seen]


def _locked(files: list[GeneratedFile]) -> list[GeneratedFile]:
    """The same lists, their rows locked (the confirmation's check and the service's
    work see them as they are)."""
    return list(GeneratedFile.objects.select_for_update().filter(pk__in=[f.pk for f in files]))


@login_required
@require_POST
def generated_file_retry(request: HttpRequest, pk: int) -> HttpResponse:
    generated = _file_to_act_on(request.user, pk)
    try:
        retry_generated_file(generated, actor=request.user)
    except FileError as exc:
        messages.error(request, str(exc))
    return redirect(_back_url(request, generated))


DOWNLOADS_PAGE_SIZE = 50


@login_required
def downloads(request: HttpRequest) -> HttpResponse:
    """Every generated file the user may see, newest first, with its state and a download."""
    user = request.user
    require_role(user, roles.CAN_SEE_LISTS)
    files = visible_files(user)
    commune = None
    if request.GET.get("xa"):
        commune = get_commune_for(user, request.GET.get("xa"))
        files = files.filter(commune=commune)
    period = read_month(request.GET.get("thang"))
    if period is None and request.GET.get("thang"):
        messages.error(request, MONTH_ERROR)
    if period is not None:
        files = files.filter(period=period)
    only_sent = bool(request.GET.get("da_gui"))
    if only_sent:
        files = figures.sent_files(files, programme_ids_for(user))
    files = files.select_related("commune", "programme", "requested_by", "sent_by")
    page = Paginator(files, DOWNLOADS_PAGE_SIZE).get_page(request.GET.get("page"))
    book = DeadlineBook(commune_ids_for(user))
    today = timezone.localdate()
    for generated in page:
        generated.deadline = (
            book.deadline_for(generated.commune_id, generated.programme_id, generated.period)
            if generated.programme_id
            else book.commune_due(generated.commune_id, generated.period)
        )
        generated.late = sent_late(generated, generated.deadline)
        # A cycle's files are built again from the cycle's page, not retried here.
        generated.retryable = generated.kind in GeneratedFile.SENDABLE_KINDS
        generated.sendable = generated.kind == GeneratedFile.Kind.MONTHLY_REPORT
        generated.withdrawable = generated.sendable and sent_mark_withdrawable(
            generated, user, today
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/downloads.html",
        {
            "page": page,
            "query": query.urlencode(),
            "commune": commune,
            "period": period,
            "only_sent": only_sent,
            "communes": communes_for(user).order_by("name"),
            "can_build": has_any_role(user, roles.CAN_BUILD_LISTS),
            "can_build_report": has_any_role(user, roles.CAN_BUILD_MONTHLY_REPORT),
            "running": any(f.is_active for f in page),
        },
    )
