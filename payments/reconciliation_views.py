"""A cycle's reconciliation: the page and its sheet.

Thin: the cycle comes through :mod:`payments.access` (404 outside the user's
communes, 403 for a role that does not see cycles; the paying office only once
the cycle was sent to it); the figures are :func:`payments.reconciliation.reconcile`'s,
over the programmes the user sees.
"""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from beneficiaries.access import programme_ids_for
from payments import access
from payments.reconciliation import reconcile
from payments.reconciliationfile import reconciliation_file_name, write_reconciliation

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def cycle_reconciliation(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = access.get_cycle_for(request.user, pk)
    rec = reconcile(cycle, programme_ids_for(request.user))
    return render(
        request,
        "payments/cycle_reconciliation.html",
        {"cycle": cycle, "rec": rec},
    )


@login_required
def cycle_reconciliation_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The same figures as a signed sheet (.xlsx, official layout)."""
    cycle = access.get_cycle_for(request.user, pk)
    rec = reconcile(cycle, programme_ids_for(request.user))
    buffer = io.BytesIO()
    write_reconciliation(buffer, rec, dated=timezone.localdate())
    buffer.seek(0)
    return FileResponse(
        buffer, as_attachment=True, filename=reconciliation_file_name(rec), content_type=XLSX
    )
