"""The first page after log-in: the commune's dashboard, or the paying office's view.

Each block is shown to the roles that may see what it counts: money and
accounts to the money roles, verification to the registry roles, outreach to
the roles that read it. The figures come from :mod:`reports.dashboard`.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from beneficiaries.access import (
    beneficiaries_for,
    chosen_commune,
    commune_ids_for,
    communes_for,
    people_for,
    programme_ids_for,
)
from beneficiaries.deadlines import nearest_deadline
from beneficiaries.models import Beneficiary, merged_commune_problem
from core import roles
from core.access import has_any_role, require_role
from core.rules.months import first_of_month
from documents.access import visible_files
from payments.access import recoveries_for
from payments.checks import open_cases
from payments.recovery_queries import open_summary
from registration.listfiles import awaiting_approval
from registration.quality.figures import verification_summary
from reports import dashboard as figures
from reports.deadlines import REMIND_DAYS_BEFORE, mark_notice_read, month_states
from reports.models import Notice


def _paying_office(user) -> bool:
    """The district role (and nothing of a commune's own): the communes side by side."""
    return (
        not user.is_superuser
        and has_any_role(user, roles.SEES_SENT_LISTS_ONLY)
        and not has_any_role(user, roles.CAN_SEE_LISTS - roles.SEES_SENT_LISTS_ONLY)
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    month = first_of_month(timezone.localdate())
    if _paying_office(user):
        return render(
            request,
            "reports/district.html",
            {
                "month": month,
                "rows": figures.district_overview(
                    commune_ids_for(user), month, programme_ids_for(user), visible_files(user)
                ),
            },
        )
    communes = communes_for(user).order_by("name")
    context: dict = {
        "month": month,
        "communes": communes,
        "can_see_registry": has_any_role(user, roles.CAN_SEE_REGISTRY),
        "can_see_money": has_any_role(user, roles.CAN_SEE_MONEY),
        "can_see_outreach": has_any_role(user, roles.CAN_SEE_OUTREACH),
        "can_see_lists": has_any_role(user, roles.CAN_SEE_LISTS),
    }
    if context["can_see_registry"]:
        context["counts"] = beneficiaries_for(user).aggregate(
            active=Count("pk", filter=Q(status=Beneficiary.Status.ACTIVE)),
        )
        context["people_count"] = people_for(user).count()
    commune = chosen_commune(user, request.GET.get("xa"))
    context["commune"] = commune
    if commune is None:
        return render(request, "reports/dashboard.html", context)
    ids = [commune.pk]
    programme_ids = programme_ids_for(user)
    context["share"] = figures.cashless_now(ids, month, programme_ids)
    context["by_programme"] = figures.cashless_by(
        ids, month, "programme__short_name", label="—", programme_ids=programme_ids
    )
    context["by_village"] = figures.cashless_by(
        ids, month, "person__village__name", label=_("Chưa ghi thôn"), programme_ids=programme_ids
    )
    context["deadlines"] = month_states(commune)
    context["merged"] = merged_commune_problem(commune, month)
    context["notices"] = list(
        Notice.objects.filter(recipient=user, read_at__isnull=True).order_by("-created_at")[:10]
    )
    if context["can_see_registry"]:
        context["verification"] = verification_summary(commune)
    if context["can_see_money"]:
        months = figures.monthly(commune)
        context["months"] = months
        context["requests"] = figures.account_requests(commune)
        context["cycle"] = figures.current_cycle(commune, month)
        context["open_cases"] = open_cases([commune.pk]).count()
        context["chart"] = {
            "labels": [f"{m.period:%m/%Y}" for m in months],
            "share": [m.all.percent for m in months],
        }
    if has_any_role(user, roles.CAN_SEE_RECOVERIES):
        # Money paid and not owed, still to come back: the officer's follow-up.
        context["recoveries"] = open_summary(
            recoveries_for(user).filter(beneficiary__commune=commune), timezone.localdate()
        )
    if context["can_see_outreach"]:
        context["outreach"] = figures.recent_outreach(commune)
    if has_any_role(user, roles.CAN_APPROVE_LISTS | roles.CAN_APPROVE_CYCLES):
        # What waits for the leader's approval this month, and where to give it.
        context["lists_to_approve"] = awaiting_approval(commune, month)
        cycle = context.get("cycle") or figures.current_cycle(commune, month)
        context["cycle_to_approve"] = (
            cycle if cycle is not None and cycle.status == cycle.Status.DRAFT else None
        )
    context["programme_chart"] = {
        "labels": [s.label for s in context["by_programme"]],
        "share": [s.percent for s in context["by_programme"]],
    }
    return render(request, "reports/dashboard.html", context)


@login_required
@require_POST
def notice_read(request: HttpRequest, pk: int) -> HttpResponse:
    # Another user's notice does not exist for this one.
    notice = get_object_or_404(Notice, pk=pk, recipient=request.user)
    mark_notice_read(notice, actor=request.user)
    return redirect("home")


@login_required
def deadline_badge(request: HttpRequest) -> JsonResponse:
    """The navigation's badge: the nearest deadline of this month not yet passed."""
    user = request.user
    require_role(user, roles.CAN_SEE_LISTS - roles.SEES_SENT_LISTS_ONLY)
    deadline = nearest_deadline(commune_ids_for(user))
    if deadline is None:
        return JsonResponse({"text": "", "title": "", "soon": False})
    return JsonResponse(
        {
            "text": _("Hạn gửi: còn %(n)d ngày") % {"n": deadline.days_left},
            "title": _("%(programme)s: hạn gửi ngày %(day)s")
            % {"programme": deadline.programme_name, "day": deadline.day.strftime("%d/%m/%Y")},
            "days_left": deadline.days_left,
            "soon": deadline.days_left <= REMIND_DAYS_BEFORE,
        }
    )
