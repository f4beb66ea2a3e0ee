"""The payment cycle pages: the cycles of a commune, one cycle, its payments, its changes.

Thin: every object goes through :mod:`payments.access` (another commune's
cycle is a 404, a role that may not act a 403) and every action is one
service call; refusals come back as messages.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from beneficiaries.access import communes_for, get_commune_for, page_commune, programme_ids_for
from core import roles
from core.access import has_any_role, require_role
from core.confirm import Confirmation, ReasonForm, Table, confirm, fingerprint
from core.rules.money import format_amount
from core.rules.months import first_of_month, next_month, read_month
from core.templatetags.vn import full_name
from core.widgets import MONTH_ERROR
from documents.access import visible_files
from payments import access
from payments.bankexport import ExportError
from payments.bankuploads import cycle_takes_results
from payments.cashaccount_views import cash_account_context
from payments.changes import KIND_LABELS, change_counts, cycle_changes, previous_cycle
from payments.checks import SAMPLED_STATES
from payments.cyclefiles import cycle_files_of, may_request_cycle_files, request_cycle_files
from payments.forms import PaymentFilterForm
from payments.levelwarnings import cycle_level_warnings
from payments.models import Payment, PaymentCheckSample, PaymentCycle
from payments.queries import cycle_totals, months_covered, payment_rows, with_shown_figures
from payments.services import cycles as cycle_services
from payments.services.cashaccount import cash_account_close_problem
from payments.services.reissue import SWITCHABLE, SwitchError, switch_to_cash
from payments.surprise import SURPRISE_ARREARS_MONTHS, cycle_surprise
from registration.quality.gate import blocker_lines

PAGE_SIZE = 50
CHANGES_PAGE_SIZE = 100
BLOCKERS_SHOWN = 50
HISTORY_SHOWN = 20
OPEN_STATES = (PaymentCycle.Status.DRAFT, PaymentCycle.Status.APPROVED)


def _deadline(cycle: PaymentCycle, today: datetime.date) -> str:
    """Days left before the due date, late, or sent on time."""
    if cycle.submitted_at is not None:
        return _("gửi muộn") if cycle.submitted_late else _("gửi đúng hạn")
    days = (cycle.due_on - today).days
    if days < 0:
        return _("quá hạn %(days)d ngày") % {"days": -days}
    if days == 0:
        return _("hạn hôm nay")
    return _("còn %(days)d ngày") % {"days": days}


@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, roles.CAN_SEE_CYCLES)
    commune = page_commune(request.user, request.GET.get("xa"))
    today = timezone.localdate()
    cycles = list(
        with_shown_figures(access.cycles_for(request.user), programme_ids_for(request.user))
        .filter(commune=commune)
        .select_related("prepared_by", "approved_by", "submitted_by")
        .order_by("-period")
    )
    for cycle in cycles:
        cycle.deadline = _deadline(cycle, today)
    latest = PaymentCycle.objects.filter(commune=commune).order_by("-period").only("period").first()
    suggested = next_month(latest.period) if latest is not None else first_of_month(today)
    return render(
        request,
        "payments/cycle_list.html",
        {
            "commune": commune,
            "communes": communes_for(request.user).order_by("name"),
            "cycles": cycles,
            "suggested": suggested,
            "can_prepare": has_any_role(request.user, roles.CAN_PREPARE_CYCLES),
            "submitted_only": access.sees_submitted_only(request.user),
        },
    )


def _built_text(result) -> str:
    cycle = result.cycle
    text = _("đã lập lại") if result.rebuilt else _("đã lập")
    return _("Kỳ chi trả tháng %(month)s %(what)s: %(count)s người, %(total)s.") % {
        "month": f"{cycle.period:%m/%Y}",
        "what": text,
        "count": format_amount(int(cycle.payment_count), unit=False),
        # int(): on PostgreSQL the build leaves its raw SUM (a Decimal) on the object.
        "total": format_amount(int(cycle.total_amount)),
    }


@login_required
@require_POST
def cycle_open(request: HttpRequest) -> HttpResponse:
    require_role(request.user, roles.CAN_SEE_CYCLES)
    commune = get_commune_for(request.user, request.POST.get("xa"))
    require_role(request.user, roles.CAN_PREPARE_CYCLES)
    back = f"{reverse('cycle_list')}?xa={commune.pk}"
    period = read_month(request.POST.get("thang"))
    if period is None:
        messages.error(request, MONTH_ERROR)
        return redirect(back)
    try:
        result = cycle_services.open_cycle(commune, period, actor=request.user)
    except cycle_services.CycleError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(request, _built_text(result))
    return redirect("cycle_detail", pk=result.cycle.pk)


@dataclass(frozen=True)
class Action:
    """How the page shows a step of the cycle's workflow (the service says who and when):
    its button, what its confirmation page says will happen, its message once done."""

    slug: str
    step: str
    label: str
    intro: str
    done: str
    primary: bool = False
    danger: bool = False


ACTIONS = {
    action.slug: action
    for action in (
        Action(
            "lap-lai",
            "rebuild",
            gettext_lazy("Lập lại"),
            gettext_lazy(
                "Lập lại dự thảo: mọi khoản của kỳ được tính lại theo dữ liệu hôm nay, "
                "các khoản đang có được thay thế."
            ),
            "",
        ),
        Action(
            "phe-duyet",
            "approve",
            gettext_lazy("Phê duyệt"),
            gettext_lazy(
                "Phê duyệt kỳ chi trả: từ đó các khoản không thay đổi nữa và công chức có "
                "thể lập tệp chi trả, gửi cho cơ quan chi trả."
            ),
            gettext_lazy("Đã phê duyệt kỳ chi trả."),
            primary=True,
        ),
        Action(
            "gui",
            "submit",
            gettext_lazy("Gửi"),
            gettext_lazy(
                "Ghi nhận đã gửi kỳ chi trả cho cơ quan chi trả: không rút lại được; cơ quan "
                "chi trả và bưu điện thấy kỳ và các tệp của kỳ."
            ),
            gettext_lazy("Đã ghi nhận gửi kỳ chi trả cho cơ quan chi trả."),
            primary=True,
        ),
        Action(
            "da-chi-tra",
            "mark_paid",
            gettext_lazy("Đã chi trả"),
            gettext_lazy(
                "Ghi nhận cơ quan chi trả đã chi xong: không đưa về trạng thái trước được "
                "(kết quả từng khoản vẫn ghi được sau)."
            ),
            gettext_lazy("Đã ghi nhận cơ quan chi trả đã chi."),
        ),
        Action(
            "khoa-so",
            "close",
            gettext_lazy("Khóa sổ"),
            gettext_lazy("Khóa sổ kỳ chi trả: không mở lại được."),
            gettext_lazy("Đã khóa sổ kỳ chi trả."),
        ),
        Action(
            "rut-phe-duyet",
            "withdraw_approval",
            gettext_lazy("Rút phê duyệt"),
            gettext_lazy(
                "Rút phê duyệt: kỳ chi trả trở lại dự thảo (công chức có thể lập lại, lãnh "
                "đạo phê duyệt lại); lý do được ghi vào lịch sử của kỳ."
            ),
            gettext_lazy("Đã rút phê duyệt: kỳ chi trả trở lại dự thảo."),
            danger=True,
        ),
    )
}
_ACTION_OF_STEP = {action.step: action for action in ACTIONS.values()}


def _actions_for(user, cycle: PaymentCycle) -> list[Action]:
    return [_ACTION_OF_STEP[step] for step in cycle_services.steps_for(user, cycle)]


@login_required
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = access.get_cycle_for(request.user, pk)
    programme_ids = programme_ids_for(request.user)
    today = timezone.localdate()
    blockers = (
        cycle_services.cycle_blockers(cycle, today=today) if cycle.status in OPEN_STATES else []
    )
    return render(
        request,
        "payments/cycle_detail.html",
        {
            "cycle": cycle,
            "deadline": _deadline(cycle, today),
            "totals": cycle_totals(cycle, programme_ids),
            "surprise": cycle_surprise(cycle, programme_ids),
            "level_warnings": cycle_level_warnings(cycle, programme_ids),
            "changes": [
                (kind, KIND_LABELS[kind], n)
                for kind, n in change_counts(cycle, programme_ids).items()
            ],
            "previous": previous_cycle(cycle),
            "blockers": blockers[:BLOCKERS_SHOWN],
            "blocker_count": len(blockers),
            "open_state": cycle.status in OPEN_STATES,
            "surprise_months": SURPRISE_ARREARS_MONTHS,
            "actions": _actions_for(request.user, cycle),
            "files": visible_files(request.user, cycle_files_of(cycle)),
            "can_request_files": may_request_cycle_files(request.user, cycle),
            "history": cycle.history.select_related("history_user").order_by(
                "-history_date", "-history_id"
            )[:HISTORY_SHOWN],
            "can_upload_results": has_any_role(request.user, roles.CAN_RECORD_BANK_RESULTS)
            and cycle_takes_results(cycle),
            "sees_report": has_any_role(request.user, roles.CAN_SEE_LISTS),
            "checks_shown": cycle.status in SAMPLED_STATES,
            "check_sample": PaymentCheckSample.objects.filter(cycle=cycle).first(),
            **cash_account_context(request.user, cycle, page="cycle"),
        },
    )


@login_required
@require_POST
def cycle_files_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Build the cycle's bank files and post office lists (background job)."""
    cycle = access.get_cycle_for(request.user, pk)
    try:
        request_cycle_files(cycle, actor=request.user)
    except ExportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đang lập tệp chi trả: theo dõi tiến độ ở mục Tệp chi trả."))
    return redirect(reverse("cycle_detail", args=[cycle.pk]) + "#cycle-files")


def _cycle_token(cycle: PaymentCycle) -> str:
    """What a confirmation page of the cycle showed: its state and its last build."""
    return fingerprint(
        cycle.status,
        cycle.prepared_at,
        cycle.approved_at,
        cycle.submitted_at,
        cycle.paid_at,
        cycle.payment_count,
        cycle.total_amount,
    )


def _who_when(user, moment) -> str:
    if moment is None:
        return "—"
    return f"{full_name(user)}, {timezone.localtime(moment):%d/%m/%Y %H:%M}"


def _step_confirmation(request: HttpRequest, cycle: PaymentCycle, chosen: Action) -> Confirmation:
    today = timezone.localdate()
    count = format_amount(cycle.payment_count, unit=False)
    facts = [
        (_("Xã"), cycle.commune.name),
        (_("Tháng"), f"{cycle.period:%m/%Y}"),
        (_("Trạng thái"), cycle.get_status_display()),
        (_("Số người"), count),
        (_("Tổng tiền"), format_amount(cycle.total_amount)),
        (_("Hạn gửi"), f"{cycle.due_on:%d/%m/%Y}"),
    ]
    if cycle.approved_at is not None:
        facts.append((_("Phê duyệt"), _who_when(cycle.approved_by, cycle.approved_at)))
    warnings = []
    if chosen.step not in cycle_services.steps_for(request.user, cycle):
        warnings.append(
            _("Kỳ chi trả đang ở trạng thái “%(status)s”: bước này không làm được lúc này.")
            % {"status": cycle.get_status_display()}
        )
    if chosen.step in ("approve", "submit"):
        blocked = len(cycle_services.cycle_blockers(cycle, today=today))
        if blocked:
            warnings.append(
                _(
                    "%(count)s người chưa được xác thực hoặc có lỗi dữ liệu chặn: bước này sẽ "
                    "bị từ chối (xem danh sách ở trang kỳ chi trả)."
                )
                % {"count": format_amount(blocked, unit=False)}
            )
    if chosen.step == "submit" and today > cycle.due_on:
        warnings.append(
            _("Đã quá hạn gửi %(due)s: kỳ chi trả sẽ được ghi là gửi muộn.")
            % {"due": f"{cycle.due_on:%d/%m/%Y}"}
        )
    if chosen.step == "close":
        pending = cycle.payments.filter(status=Payment.Status.PENDING).count()
        if pending:
            warnings.append(
                _("Còn %(count)s khoản chưa có kết quả chi trả: chưa khóa sổ được.")
                % {"count": format_amount(pending, unit=False)}
            )
        else:
            cash_problem = cash_account_close_problem(cycle)
            if cash_problem:
                warnings.append(cash_problem + " " + _("Chưa khóa sổ được."))
    tables = []
    if chosen.step in ("submit", "mark_paid", "close"):
        tables.append(
            Table(
                caption=_("Tệp chi trả của kỳ"),
                header=[_("Tệp"), _("Số dòng"), _("Tổng tiền"), _("Trạng thái"), _("Lập lúc")],
                rows=[
                    [
                        f.get_kind_display(),
                        format_amount(f.rows, unit=False) if f.rows is not None else "",
                        format_amount(f.total_amount) if f.total_amount is not None else "",
                        f.get_status_display(),
                        f"{timezone.localtime(f.requested_at):%d/%m/%Y %H:%M}",
                    ]
                    for f in visible_files(request.user, cycle_files_of(cycle))
                ],
                numeric=frozenset({1, 2}),
            )
        )
        if chosen.step == "submit" and not tables[0].rows:
            warnings.append(_("Chưa lập tệp chi trả nào cho kỳ này."))
    return Confirmation(
        title=_("%(action)s kỳ chi trả tháng %(month)s")
        % {"action": chosen.label, "month": f"{cycle.period:%m/%Y}"},
        intro=str(chosen.intro),
        facts=facts,
        button=str(chosen.label),
        back=reverse("cycle_detail", args=[cycle.pk]),
        token=_cycle_token(cycle),
        tables=tables,
        warnings=warnings,
        form=(
            ReasonForm(request.POST if request.method == "POST" else None)
            if chosen.step in cycle_services.STEPS_WITH_REASON
            else None
        ),
        danger=chosen.danger,
        context={"cycle": cycle, "breadcrumb_label": str(chosen.label)},
    )


def _report_refusal(request: HttpRequest, exc: Exception) -> None:
    messages.error(request, str(exc))
    if isinstance(exc, cycle_services.CycleBlocked):
        for line in blocker_lines(exc.blockers):
            messages.warning(request, line)


@login_required
def cycle_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """A step of the cycle: its confirmation page (GET), then the step (POST), once."""
    chosen = ACTIONS.get(action)
    if chosen is None:
        raise Http404
    cycle = access.get_cycle_to_act(request.user, pk, cycle_services.WORKFLOW[chosen.step][1])

    def act(data: dict) -> str:
        result = cycle_services.take_step(
            cycle, chosen.step, actor=request.user, reason=data.get("ly_do", "")
        )
        return _built_text(result) if chosen.step == "rebuild" else str(chosen.done)

    return confirm(
        request,
        _step_confirmation(request, cycle, chosen),
        current=lambda: _cycle_token(PaymentCycle.objects.select_for_update().get(pk=cycle.pk)),
        act=act,
        stale=_(
            "Trang xác nhận đã cũ: kỳ chi trả tháng %(month)s đã thay đổi từ khi mở trang "
            "(bấm hai lần, hoặc người khác vừa thao tác)."
        )
        % {"month": f"{cycle.period:%m/%Y}"},
        errors=(cycle_services.CycleError,),
        report=_report_refusal,
    )


@login_required
def cycle_payments(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = access.get_cycle_for(request.user, pk)
    form = PaymentFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = payment_rows(
        cycle,
        q=filters.get("q", ""),
        method=filters.get("method", ""),
        status=filters.get("status", ""),
        programme=filters.get("programme"),
        programme_ids=programme_ids_for(request.user),
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    covered = months_covered(cycle, [p.pk for p in page])
    for payment in page:
        payment.covered = covered.get(payment.pk)
    query = request.GET.copy()
    query.pop("page", None)
    can_switch = has_any_role(request.user, roles.CAN_PREPARE_CYCLES)
    return render(
        request,
        "payments/cycle_payments.html",
        {
            "cycle": cycle,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "show_accounts": has_any_role(request.user, roles.CAN_SEE_MONEY),
            "can_switch": can_switch,
            "switchable": [str(s) for s in SWITCHABLE],
        },
    )


@login_required
def cycle_changes_page(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = access.get_cycle_for(request.user, pk)
    order = {kind: i for i, kind in enumerate(KIND_LABELS)}
    kind = request.GET.get("loai", "")
    changes = sorted(
        cycle_changes(cycle, programme_ids_for(request.user)), key=lambda c: order[c.kind]
    )  # stable: names stay
    counts = {k: 0 for k in KIND_LABELS}
    for change in changes:
        counts[change.kind] += 1
    if kind in KIND_LABELS:
        changes = [c for c in changes if c.kind == kind]
    page = Paginator(changes, CHANGES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "payments/cycle_changes.html",
        {
            "cycle": cycle,
            "previous": previous_cycle(cycle),
            "page": page,
            "kind": kind if kind in KIND_LABELS else "",
            "kinds": [(k, KIND_LABELS[k], counts[k]) for k in KIND_LABELS],
            "total": sum(counts.values()),
        },
    )


@login_required
@require_POST
def payment_switch_to_cash(request: HttpRequest, pk: int) -> HttpResponse:
    payment = access.get_payment_to_switch(request.user, pk)
    back = f"{reverse('cycle_payments', args=[payment.cycle_id])}?{request.POST.get('back', '')}"
    try:
        result = switch_to_cash(payment, actor=request.user, today=timezone.localdate())
    except SwitchError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    registration = result.registration
    receiver = (
        registration.representative.person.full_name
        if registration.representative_id
        else registration.beneficiary.person.full_name
    )
    messages.success(
        request,
        _(
            "Đã đăng ký nhận tiền mặt tại điểm chi trả từ tháng %(month)s, người nhận: "
            "%(receiver)s. Các tháng của khoản này được chi lại ở kỳ chi trả sau."
        )
        % {"month": f"{result.from_month:%m/%Y}", "receiver": receiver},
    )
    if not result.receiver_kept:
        messages.warning(
            request,
            _(
                "Giấy ủy quyền/giám hộ của người nhận thay không còn hiệu lực từ tháng đó: "
                "đối tượng tự nhận."
            ),
        )
    if result.draft is not None:
        messages.warning(
            request,
            _(
                "Kỳ chi trả tháng %(month)s đang là dự thảo: bấm “Lập lại” ở kỳ đó để khoản "
                "này được chi bằng tiền mặt."
            )
            % {"month": f"{result.draft.period:%m/%Y}"},
        )
    return redirect(back)
