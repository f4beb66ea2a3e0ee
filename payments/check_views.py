"""The payment check pages: a paid cycle's sample, the open cases, a person's statement.

Thin: objects come through :mod:`payments.access` and
:func:`beneficiaries.access.get_person_for` (404 outside the user's communes,
403 for a role that may not act); every action is one call of
:mod:`payments.checks`, whose refusals come back as messages.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from beneficiaries.access import (
    communes_for,
    get_person_for,
    page_commune,
    programme_condition,
)
from core import roles
from core.access import has_any_role, require_role
from core.rules.money import AmountError, format_amount, parse_amount
from payments import access, checks
from payments.models import Payment, PaymentCase, PaymentCheck, PaymentCheckSample

STATEMENT_PAYMENTS_SHOWN = 12
RESOLVED_SHOWN = 20


def _amount(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return None if not raw else parse_amount(raw)


@login_required
def cycle_checks(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = access.get_cycle_for(request.user, pk)
    sample = PaymentCheckSample.objects.filter(cycle=cycle).select_related("drawn_by").first()
    rows = []
    if sample is not None:
        rows = (
            sample.checks.filter(
                programme_condition(request.user, "payment__beneficiary__programme")
            )
            .select_related("payment", "person__village", "recorded_by", "case")
            .order_by("person__village__name", "payment__method", "person__sort_name", "pk")
        )
    return render(
        request,
        "payments/cycle_checks.html",
        {
            "cycle": cycle,
            "sample": sample,
            "rows": rows,
            "can_check": has_any_role(request.user, roles.CAN_CHECK_PAYMENTS),
            "may_draw": cycle.status in checks.SAMPLED_STATES,
            "paid": checks.paid_payments(cycle).count(),
            "outcomes": [o for o in PaymentCheck.Outcome if o in checks.RECORDED_OUTCOMES],
            "reopenable": checks.REOPENABLE,
        },
    )


@login_required
@require_POST
def cycle_checks_draw(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = access.get_cycle_to_act(request.user, pk, roles.CAN_CHECK_PAYMENTS)
    try:
        sample = checks.draw_sample(cycle, actor=request.user)
    except checks.CheckError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Đã chọn %(n)s người để hỏi (mã chọn mẫu %(seed)s).")
            % {"n": format_amount(sample.checks.count(), unit=False), "seed": sample.seed},
        )
    return redirect("cycle_checks", pk=cycle.pk)


@login_required
@require_POST
def check_record(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        check = (
            PaymentCheck.objects.select_related("sample", "person")
            .filter(
                sample__isnull=False,
                sample__cycle__in=access.cycles_for(request.user),
            )
            .filter(programme_condition(request.user, "payment__beneficiary__programme"))
            .get(pk=pk)
        )
    except (PaymentCheck.DoesNotExist, ValueError):
        raise Http404 from None
    require_role(request.user, roles.CAN_CHECK_PAYMENTS)
    back = f"{reverse('cycle_checks', args=[check.sample.cycle_id])}#check-{check.pk}"
    try:
        check, changed = checks.record_check(
            check,
            outcome=request.POST.get("outcome", ""),
            amount_stated=_amount(request.POST.get("amount_stated")),
            note=request.POST.get("note", ""),
            actor=request.user,
        )
    except AmountError as exc:
        messages.error(request, f"{check.person.full_name}: {exc.message}")
    except checks.CheckError as exc:
        messages.error(request, f"{check.person.full_name}: {exc}")
    else:
        if changed:
            text = _("%(name)s: đã ghi “%(outcome)s”.") % {
                "name": check.person.full_name,
                "outcome": check.get_outcome_display(),
            }
            if check.outcome in PaymentCheck.CASE_OUTCOMES:
                text += " " + _("Đã mở khiếu nại chưa nhận tiền.")
            messages.success(request, text)
    return redirect(back)


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, roles.CAN_SEE_CYCLES)
    commune = page_commune(request.user, request.GET.get("xa"))
    visible = PaymentCase.objects.filter(
        payment__cycle__in=access.cycles_for(request.user).filter(commune=commune)
    ).filter(programme_condition(request.user, "payment__beneficiary__programme"))
    related = ("payment__cycle", "person__village", "opened_from__recorded_by", "resolved_by")
    return render(
        request,
        "payments/case_list.html",
        {
            "commune": commune,
            "communes": communes_for(request.user).order_by("name"),
            "open_cases": checks.open_cases([commune.pk])
            .filter(pk__in=visible.values("pk"))
            .select_related(*related),
            "resolved": visible.filter(state=PaymentCase.State.RESOLVED)
            .select_related(*related)
            .order_by("-resolved_at", "-pk")[:RESOLVED_SHOWN],
            "can_resolve": has_any_role(request.user, roles.CAN_CHECK_PAYMENTS),
        },
    )


@login_required
@require_POST
def case_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        case = (
            PaymentCase.objects.select_related("payment__cycle", "person")
            .filter(payment__cycle__in=access.cycles_for(request.user))
            .filter(programme_condition(request.user, "payment__beneficiary__programme"))
            .get(pk=pk)
        )
    except (PaymentCase.DoesNotExist, ValueError):
        raise Http404 from None
    require_role(request.user, roles.CAN_CHECK_PAYMENTS)
    try:
        case, changed = checks.resolve_case(
            case, actor=request.user, resolution=request.POST.get("resolution", "")
        )
    except checks.CheckError as exc:
        messages.error(request, f"{case.person.full_name}: {exc}")
    else:
        if changed:
            messages.success(
                request,
                _("Đã giải quyết khiếu nại của %(name)s.") % {"name": case.person.full_name},
            )
    return redirect(f"{reverse('case_list')}?xa={case.payment.cycle.commune_id}")


@login_required
def person_statement(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's word that a paid payment did not arrive: a small form, then a case."""
    person = get_person_for(request.user, pk)
    require_role(request.user, roles.CAN_RECORD_STATEMENTS)
    payments = (
        Payment.objects.filter(
            beneficiary__person=person,
            status=Payment.Status.PAID,
            cycle__in=access.cycles_for(request.user),
        )
        .filter(programme_condition(request.user, "beneficiary__programme"))
        .select_related("cycle", "beneficiary__programme")
        .order_by("-cycle__period", "pk")[:STATEMENT_PAYMENTS_SHOWN]
    )
    payments = list(payments)
    values = {"payment": "", "note": "", "amount_stated": ""}
    error = ""
    if request.method == "POST":
        values = {key: request.POST.get(key, "").strip() for key in values}
        chosen = next((p for p in payments if str(p.pk) == values["payment"]), None)
        try:
            if chosen is None:
                raise checks.CheckError(_("Hãy chọn khoản chi trả người đó chưa nhận được."))
            checks.record_statement(
                chosen,
                actor=request.user,
                note=values["note"],
                amount_stated=_amount(values["amount_stated"]),
            )
        except AmountError as exc:
            error = exc.message
        except checks.CheckError as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                _("Đã ghi phản ánh của %(name)s và mở khiếu nại chưa nhận tiền.")
                % {"name": person.full_name},
            )
            return redirect("person_detail", pk=person.pk)
    return render(
        request,
        "payments/person_statement.html",
        {"person": person, "payments": payments, "values": values, "error": error},
        status=400 if error else 200,
    )
