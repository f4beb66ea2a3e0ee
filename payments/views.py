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
from core.rules.money import format_amount
from core.rules.months import first_of_month, next_month, read_month
from core.widgets import MONTH_ERROR
from documents.access import visible_files
from payments import access
from payments.bankexport import ExportError
from payments.bankuploads import cycle_takes_results
from payments.changes import KIND_LABELS, change_counts, cycle_changes, previous_cycle
from payments.cyclefiles import cycle_files_of, may_request_cycle_files, request_cycle_files
from payments.forms import PaymentFilterForm
from payments.models import PaymentCycle
from payments.queries import cycle_totals, months_covered, payment_rows, with_shown_figures
from payments.services import cycles as cycle_services
from payments.services.reissue import SWITCHABLE, SwitchError, switch_to_cash
from payments.surprise import SURPRISE_ARREARS_MONTHS, cycle_surprise
from registration.quality.gate import blocker_lines

PAGE_SIZE = 50
CHANGES_PAGE_SIZE = 100
BLOCKERS_SHOWN = 50
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


def _built_message(request: HttpRequest, result) -> None:
    cycle = result.cycle
    text = _("đã lập lại") if result.rebuilt else _("đã lập")
    messages.success(
        request,
        _("Kỳ chi trả tháng %(month)s %(what)s: %(count)s người, %(total)s.")
        % {
            "month": f"{cycle.period:%m/%Y}",
            "what": text,
            "count": format_amount(cycle.payment_count, unit=False),
            # int(): on PostgreSQL the build leaves its raw SUM (a Decimal) on the object.
            "total": format_amount(int(cycle.total_amount)),
        },
    )


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
    _built_message(request, result)
    return redirect("cycle_detail", pk=result.cycle.pk)


@dataclass(frozen=True)
class Action:
    """How the page shows a step of the cycle's workflow (the service says who and when)."""

    slug: str
    step: str
    label: str
    done: str
    primary: bool = False


ACTIONS = {
    action.slug: action
    for action in (
        Action("lap-lai", "rebuild", gettext_lazy("Lập lại"), ""),
        Action(
            "phe-duyet",
            "approve",
            gettext_lazy("Phê duyệt"),
            gettext_lazy("Đã phê duyệt kỳ chi trả."),
            primary=True,
        ),
        Action(
            "gui",
            "submit",
            gettext_lazy("Gửi"),
            gettext_lazy("Đã ghi nhận gửi kỳ chi trả cho cơ quan chi trả."),
            primary=True,
        ),
        Action(
            "da-chi-tra",
            "mark_paid",
            gettext_lazy("Đã chi trả"),
            gettext_lazy("Đã ghi nhận cơ quan chi trả đã chi."),
        ),
        Action("khoa-so", "close", gettext_lazy("Khóa sổ"), gettext_lazy("Đã khóa sổ kỳ chi trả.")),
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
            "can_upload_results": has_any_role(request.user, roles.CAN_RECORD_BANK_RESULTS)
            and cycle_takes_results(cycle),
            "sees_report": has_any_role(request.user, roles.CAN_SEE_LISTS),
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


@login_required
@require_POST
def cycle_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    chosen = ACTIONS.get(action)
    if chosen is None:
        raise Http404
    cycle = access.get_cycle_to_act(request.user, pk, cycle_services.WORKFLOW[chosen.step][1])
    try:
        result = cycle_services.take_step(cycle, chosen.step, actor=request.user)
    except cycle_services.CycleBlocked as blocked:
        messages.error(request, str(blocked))
        for line in blocker_lines(blocked.blockers):
            messages.warning(request, line)
    except cycle_services.CycleError as exc:
        messages.error(request, str(exc))
    else:
        if chosen.slug == "lap-lai":
            _built_message(request, result)
        else:
            messages.success(request, str(chosen.done))
    return redirect("cycle_detail", pk=cycle.pk)


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
