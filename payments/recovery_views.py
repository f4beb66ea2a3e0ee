"""The recovery pages (thu hồi): the commune's list, one recovery, its two forms, the review.

Thin: recoveries come through :func:`payments.access.get_recovery_for` (404
outside the user's communes and programmes, 403 for a role that may not read
them); every action is one call of :mod:`payments.services.recoveries` (or the
review of :mod:`payments.services.recovery_review`), whose refusals come back
as the form's errors or a message. The officer records; the accountant and
the leader read.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from beneficiaries.access import communes_for, get_commune_for, page_commune
from core import roles
from core.access import has_any_role, require_role
from core.rules.money import format_amount
from core.rules.months import first_of_month
from payments import access
from payments import recovery_queries as queries
from payments.forms import RecoveryDecisionForm, RecoverySettlementForm
from payments.models import PaymentCycle, Recovery, RecoverySettlement
from payments.services.recoveries import RecoveryError, record_decision, record_settlement
from payments.services.recovery_review import review_commune

PAGE_SIZE = 50
#: The list's filter: still to recover (the default) or every recovery.
SHOW_ALL = "tat-ca"
HISTORY_SHOWN = 50


def _list_url(commune_id: int) -> str:
    return f"{reverse('recovery_list')}?xa={commune_id}"


@login_required
def recovery_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_role(user, roles.CAN_SEE_RECOVERIES)
    commune = page_commune(user, request.GET.get("xa"))
    show_all = request.GET.get("hien") == SHOW_ALL
    every = queries.listed(access.recoveries_for(user).filter(beneficiary__commune=commune))
    still_open = queries.still_open(every)
    rows = every if show_all else still_open
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    page.object_list = queries.decorate(page.object_list, today)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "payments/recovery_list.html",
        {
            "commune": commune,
            "communes": communes_for(user).order_by("name"),
            "show_all": show_all,
            "show_all_value": SHOW_ALL,
            "page": page,
            "query": query.urlencode(),
            "totals": queries.totals(rows),
            "open_count": page.paginator.count if not show_all else still_open.count(),
            "all_count": page.paginator.count if show_all else every.count(),
            "can_record": has_any_role(user, roles.CAN_PREPARE_CYCLES),
        },
    )


@login_required
@require_POST
def recovery_review(request: HttpRequest) -> HttpResponse:
    """Rà soát ngay: the commune's months paid compared with what is owed, now."""
    require_role(request.user, roles.CAN_SEE_RECOVERIES)
    commune = get_commune_for(request.user, request.POST.get("xa"))
    require_role(request.user, roles.CAN_PREPARE_CYCLES)
    try:
        found = review_commune(commune, actor=request.user)
    except RecoveryError as exc:
        messages.error(request, str(exc))
        return redirect(_list_url(commune.pk))
    if found.created:
        messages.success(
            request,
            _("Đã rà soát: phát hiện %(n)s khoản thu hồi mới, tổng %(amount)s.")
            % {
                "n": format_amount(len(found.created), unit=False),
                "amount": format_amount(found.amount),
            },
        )
    else:
        messages.info(
            request,
            _(
                "Đã rà soát: không phát hiện khoản thu hồi mới nào — các tháng đã chi trả "
                "khớp với mức được hưởng."
            ),
        )
    draft = PaymentCycle.objects.filter(
        commune=commune,
        status=PaymentCycle.Status.DRAFT,
        period__gte=first_of_month(timezone.localdate()),
    ).first()
    if found.created and draft is not None:
        # A draft deducts what was open when it was built: rebuilt, it takes the new ones.
        messages.info(
            request,
            _("Kỳ chi trả tháng %(month)s đang là bản nháp: lập lại kỳ để khấu trừ các khoản mới.")
            % {"month": f"{draft.period:%m/%Y}"},
        )
    if found.released:
        messages.info(
            request,
            _("%(amount)s của các khoản thu hồi không còn phải thu (các tháng đó lại được hưởng).")
            % {"amount": format_amount(found.released)},
        )
    return redirect(_list_url(commune.pk))


def _history(recovery: Recovery) -> list[dict]:
    """The recovery's history, newest first: who, when, why, and what changed."""
    records = list(
        recovery.history.select_related("history_user").order_by("-history_date", "-history_id")[
            :HISTORY_SHOWN
        ]
    )
    shown_fields = {"amount", "decision_number", "decision_date", "recover_from"}
    rows = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            for change in record.diff_against(previous).changes:
                if change.field not in shown_fields:
                    continue
                changes.append(
                    {
                        "field": str(Recovery._meta.get_field(change.field).verbose_name),
                        "old": _value(change.field, change.old),
                        "new": _value(change.field, change.new),
                    }
                )
        rows.append({"record": record, "changes": changes})
    return rows


def _value(field: str, value) -> str:
    if value in (None, ""):
        return "—"
    if field == "amount":
        return format_amount(value)
    if field == "decision_date":
        return f"{value:%d/%m/%Y}"
    return str(value)


def _detail(
    request: HttpRequest,
    recovery: Recovery,
    *,
    decision_form: RecoveryDecisionForm | None = None,
    settlement_form: RecoverySettlementForm | None = None,
    status: int = 200,
) -> HttpResponse:
    shown = queries.shown(Recovery.objects.filter(pk=recovery.pk)).get()
    today = timezone.localdate()
    queries.decorate([shown], today)
    can_record = has_any_role(request.user, roles.CAN_PREPARE_CYCLES)
    if decision_form is None:
        decision_form = RecoveryDecisionForm(
            initial={"number": recovery.decision_number, "day": recovery.decision_date or today}
        )
    if settlement_form is None:
        settlement_form = RecoverySettlementForm(
            initial={"on": today, "amount": format_amount(max(shown.left, 0), unit=False)}
        )
    return render(
        request,
        "payments/recovery_detail.html",
        {
            "recovery": recovery,
            "person": recovery.beneficiary.person,
            "shown": shown,
            "months": recovery.months.order_by("month"),
            "deductions": queries.deductions(recovery),
            "settlements": recovery.settlements.select_related("recorded_by").order_by("on", "pk"),
            "history": _history(recovery),
            "can_record": can_record,
            "decision_form": decision_form,
            "settlement_form": settlement_form,
            "list_url": _list_url(recovery.beneficiary.commune_id),
        },
        status=status,
    )


@login_required
def recovery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access.get_recovery_for(request.user, pk))


@login_required
@require_POST
def recovery_decision(request: HttpRequest, pk: int) -> HttpResponse:
    recovery = access.get_recovery_to_act(request.user, pk)
    form = RecoveryDecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, recovery, decision_form=form, status=400)
    number, day = form.cleaned_data["number"].strip(), form.cleaned_data["day"]
    if (recovery.decision_number, recovery.decision_date) == (number, day):
        messages.info(
            request, _("Quyết định thu hồi này đã được ghi rồi; không có gì thay đổi thêm.")
        )
        return redirect("recovery_detail", pk=recovery.pk)
    try:
        record_decision(recovery, number=number, day=day, actor=request.user)
    except RecoveryError as exc:
        form.add_error(None, str(exc))
        return _detail(request, recovery, decision_form=form, status=400)
    messages.success(
        request,
        _("Đã ghi quyết định thu hồi số %(number)s ngày %(day)s.")
        % {"number": number, "day": f"{day:%d/%m/%Y}"},
    )
    return redirect("recovery_detail", pk=recovery.pk)


@login_required
@require_POST
def recovery_settlement(request: HttpRequest, pk: int) -> HttpResponse:
    recovery = access.get_recovery_to_act(request.user, pk)
    form = RecoverySettlementForm(request.POST)
    if not form.is_valid():
        return _detail(request, recovery, settlement_form=form, status=400)
    data = form.cleaned_data
    try:
        settlement = record_settlement(
            recovery,
            kind=data["kind"],
            amount=data["amount"],
            on=data["on"],
            document=data["document"],
            note=data["note"],
            actor=request.user,
        )
    except RecoveryError as exc:
        form.add_error(None, str(exc))
        return _detail(request, recovery, settlement_form=form, status=400)
    text = (
        _("Đã ghi %(name)s nộp lại %(amount)s (biên lai %(document)s).")
        if settlement.kind == RecoverySettlement.Kind.REPAID
        else _("Đã ghi miễn thu hồi %(amount)s cho %(name)s (quyết định %(document)s).")
    )
    messages.success(
        request,
        text
        % {
            "name": recovery.recover_from,
            "amount": format_amount(settlement.amount),
            "document": settlement.document,
        },
    )
    return redirect("recovery_detail", pk=recovery.pk)
