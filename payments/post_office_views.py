"""The post office's page: the cash and home-delivery payments of a cycle, recorded paid.

Paying several at once goes through a confirmation page (how many, how much,
which month) before the one service records them. A cycle's files (its cash
lists among them) are downloaded through the one download view of
``documents``, under the rules ``payments.cyclefiles`` registers.

Thin: every object through the scoped helpers (another commune's payment is a
404, a role that may not act a 403), every result one service call.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from core.widgets import read_date
from payments import postoffice
from payments.cashaccount_views import cash_account_context
from payments.filerules import months_label
from payments.models import Payment
from payments.services.results import (
    CASH_METHODS,
    ResultError,
    record_result,
    recorded_result_label,
)

PAGE_SIZE = 50


def _next(request: HttpRequest) -> str:
    """The page to return to: the post office's page as it was filtered, never another site."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("post_office")
    return target


def _back(request: HttpRequest) -> HttpResponse:
    return redirect(_next(request))


DATE_ERROR = _lazy("Ngày chi trả không hợp lệ: hãy ghi dạng dd/mm/yyyy.")


def _typed_date(request: HttpRequest) -> datetime.date | None:
    """The date typed (today when blank); ``None`` when it is not a date."""
    value = (request.POST.get("ngay") or "").strip()
    if not value:
        return timezone.localdate()
    return read_date(value)


def _paid_on(request: HttpRequest) -> datetime.date | None:
    """The date typed (today when blank); ``None`` with a message when it is not a date.

    Whether the payment can have been paid that day is the result service's rule.
    """
    day = _typed_date(request)
    if day is None:
        messages.error(request, str(DATE_ERROR))
    return day


def _here(request: HttpRequest) -> str:
    """This page as filtered, to come back to after recording; never with every box ticked."""
    query = request.GET.copy()
    query.pop("chon", None)
    return f"{request.path}?{query.urlencode()}" if query else request.path


@login_required
def post_office(request: HttpRequest) -> HttpResponse:
    cycles = list(postoffice.cycles_for(request.user))
    cycle = None
    wanted = request.GET.get("ky")
    if wanted:
        cycle = next((c for c in cycles if str(c.pk) == wanted), None)
        if cycle is None:
            raise Http404
    elif cycles:
        cycle = cycles[0]
    filters = postoffice.Filters(
        method=request.GET.get("hinh_thuc", ""),
        status=request.GET.get("trang_thai", ""),
        village=request.GET.get("thon", ""),
        search=request.GET.get("q", ""),
    )
    query = urlencode(
        {
            "ky": cycle.pk if cycle else "",
            "hinh_thuc": filters.method,
            "trang_thai": filters.status,
            "thon": filters.village,
            "q": filters.search,
        }
    )
    page = None
    villages: list[str] = []
    if cycle is not None:
        page = Paginator(postoffice.page_rows(cycle, filters), PAGE_SIZE).get_page(
            request.GET.get("trang")
        )
        villages = postoffice.villages_of(cycle)
        for payment in page:
            payment.months_text = months_label([(m.month, m.kind) for m in payment.months.all()])
            payment.recorded_text = recorded_result_label(payment)
    return render(
        request,
        "payments/post_office.html",
        {
            "cycles": cycles,
            "cycle": cycle,
            "filters": filters,
            "page": page,
            "villages": villages,
            "methods": [(m, Payment.Method(m).label) for m in CASH_METHODS],
            "statuses": Payment.Status.choices,
            "today": timezone.localdate(),
            "here": _here(request),
            "query": query,
            # Without script, "select all" is a link that draws the page with every box ticked.
            "select_all": request.GET.get("chon") == "tat-ca",
            **(
                cash_account_context(request.user, cycle, page="post_office")
                if cycle is not None
                else {}
            ),
        },
    )


@login_required
@require_POST
def post_office_record(request: HttpRequest, pk: int) -> HttpResponse:
    payment = postoffice.get_cash_payment_for(request.user, pk)
    outcome = request.POST.get("ket_qua")
    name = payment.receiver_name
    try:
        if outcome == Payment.Status.PAID:
            paid_on = _paid_on(request)
            if paid_on is None:
                return _back(request)
            _p, changed = record_result(
                payment,
                status=Payment.Status.PAID,
                actor=request.user,
                paid_on=paid_on,
                keep_recorded=True,
            )
        elif outcome == Payment.Status.RETURNED:
            _p, changed = record_result(
                payment,
                status=Payment.Status.RETURNED,
                actor=request.user,
                reason=request.POST.get("ly_do", ""),
                keep_recorded=True,
            )
        else:
            messages.error(request, _("Hãy chọn “Đã chi trả” hoặc “Không nhận”."))
            return _back(request)
    except ResultError as exc:
        messages.error(request, f"{name}: {exc}")
        return _back(request)
    if changed:
        messages.success(request, _("Đã ghi kết quả cho %(name)s.") % {"name": name})
    else:
        messages.info(request, _("%(name)s: kết quả này đã được ghi trước đó.") % {"name": name})
    return _back(request)


def _selected(request: HttpRequest) -> list[int]:
    return [int(v) for v in request.POST.getlist("chon") if v.isdigit()]


@login_required
@require_POST
def post_office_bulk_confirm(request: HttpRequest) -> HttpResponse:
    """The selection's count, total and month, to confirm before anything is recorded."""
    postoffice.cycles_for(request.user)  # the role check (403) before reading anything
    pks = _selected(request)
    if not pks:
        messages.error(request, _("Chưa chọn khoản nào."))
        return _back(request)
    paid_on = _typed_date(request)
    try:
        preview = postoffice.bulk_preview(request.user, pks, paid_on=paid_on)
    except postoffice.BulkError as exc:
        messages.error(request, str(exc))
        return _back(request)
    # A wrong date is corrected here, the selection kept; only a good one can be confirmed.
    date_error = str(DATE_ERROR) if paid_on is None else preview.date_problem
    return render(
        request,
        "payments/post_office_confirm.html",
        {
            "preview": preview,
            "paid_on": paid_on,
            "typed": request.POST.get("ngay", ""),
            "date_error": date_error,
            "back": _next(request),
        },
    )


@login_required
@require_POST
def post_office_bulk_paid(request: HttpRequest) -> HttpResponse:
    postoffice.cycles_for(request.user)  # the role check (403) before reading anything
    pks = _selected(request)
    if not pks:
        messages.error(request, _("Chưa chọn khoản nào."))
        return _back(request)
    paid_on = _paid_on(request)
    if paid_on is None:
        return _back(request)
    try:
        done = postoffice.record_cash_paid(request.user, pks, paid_on=paid_on)
    except postoffice.BulkError as exc:
        messages.error(request, str(exc))
        return _back(request)
    message = _("Đã ghi “đã chi trả” cho %(changed)d khoản.") % {"changed": done.changed}
    if done.kept:
        message += " " + _("%(n)d khoản đã ghi trước đó, không đổi: %(names)s.") % {
            "n": len(done.kept),
            "names": ", ".join(done.kept),
        }
    messages.success(request, message)
    return _back(request)
