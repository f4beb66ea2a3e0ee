"""The data-quality page. Thin: choose the commune, call the checks, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from beneficiaries.access import chosen_commune, communes_for
from core import roles
from core.access import has_any_role, require_role
from registration.quality.checks import find_problems
from registration.quality.figures import summarise, verification_summary
from registration.quality.findings import KINDS

PAGE_SIZE = 100
SEVERITIES = {"chan": True, "canh-bao": False}


@login_required
def data_quality(request: HttpRequest) -> HttpResponse:
    require_role(request.user, roles.CAN_SEE_REGISTRY)
    communes = communes_for(request.user).order_by("name")
    commune = chosen_commune(request.user, request.GET.get("xa"))
    context: dict = {"communes": communes, "commune": commune}
    if commune is not None:
        # Findings about accounts are for the roles that see money.
        show_money = has_any_role(request.user, roles.CAN_SEE_MONEY)
        findings = find_problems(commune, today=timezone.localdate(), include_money=show_money)
        summary = summarise(findings)
        kind = request.GET.get("loai", "")
        severity = request.GET.get("muc", "")
        shown = [
            f
            for f in findings
            if (kind not in KINDS or f.kind == kind)
            and (severity not in SEVERITIES or f.blocking == SEVERITIES[severity])
        ]
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            summary=summary,
            blocking=sum(row["count"] for row in summary if row["blocking"]),
            warnings=sum(row["count"] for row in summary if not row["blocking"]),
            page=Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page")),
            query=query.urlencode(),
            kind=kind,
            severity=severity,
            verification=verification_summary(commune),
        )
    return render(request, "registration/data_quality.html", context)
