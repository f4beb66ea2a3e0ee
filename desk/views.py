"""The officer's registry pages. Thin: parse, check access, call a service, render."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.forms import PaymentAccountForm
from accounts.models import PaymentAccount
from accounts.services import AccountError, save_account
from amounts.services import RateError, save_enrolment
from beneficiaries.access import (
    beneficiaries_for,
    communes_for,
    get_person_for,
    get_person_for_edit,
    open_communes_for,
    people_for,
    programme_condition,
)
from beneficiaries.models import Beneficiary, Person, Representative
from beneficiaries.services import (
    RegistryError,
    add_representative,
    record_condition,
    save_person,
    save_representative,
)
from core import roles
from core.access import has_any_role, require_role
from core.rules.months import first_of_month
from desk.access import get_account_for_edit, get_representative_for_edit
from desk.forms import (
    BeneficiaryForm,
    ConditionForm,
    NewRepresentativePersonForm,
    PersonForm,
    RegistryFilterForm,
    RepresentativeEditForm,
    RepresentativeForm,
)
from desk.registry import (
    parse_sort,
    recall_search,
    remember_search,
    search_registry,
    with_current_terms,
)
from payments import recovery_queries
from payments.access import recoveries_for
from registration.models import PaymentMethodRegistration

PAGE_SIZE = 50


#: The list's filters that may be in its address (the search term may not: see
#: :func:`desk.registry.remember_search`).
LIST_FILTERS = ("programme", "category", "village", "status", "method")
#: Where the person page's "back to the list" link returns: the list's last address.
LIST_QUERY_SESSION_KEY = "registry_list_query"


def _list_url(params: QueryDict | dict) -> str:
    query = params.urlencode() if isinstance(params, QueryDict) else urlencode(params)
    return f"{reverse('person_list')}?{query}" if query else reverse("person_list")


@login_required
@require_http_methods(["GET", "POST"])
def person_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, roles.CAN_SEE_REGISTRY)
    if request.method == "POST" or "q" in request.GET:
        return _search(request)
    selection = registry_selection(request)
    params = selection.params
    if selection.expired:
        messages.info(request, _("Lượt tìm kiếm trước đã hết hạn; hãy nhập lại từ khóa."))
    sort_key, descending = parse_sort(params.get("sap"))
    rows = search_registry(
        request.user, on=timezone.localdate(), **selection.filters, sort=params.get("sap", "")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(params.get("page"))
    if request.session.get(LIST_QUERY_SESSION_KEY) != params.urlencode():
        request.session[LIST_QUERY_SESSION_KEY] = params.urlencode()
    show_money = has_any_role(request.user, roles.CAN_SEE_MONEY)
    chosen = params.copy()
    for name in ("page", "sap"):
        chosen.pop(name, None)
    return render(
        request,
        "desk/person_list.html",
        {
            "form": selection.form,
            "page": page,
            "headers": _headers(params, sort_key, descending, show_money=show_money),
            "pages": _page_links(params, page),
            "export_query": chosen.urlencode(),
            "sort": params.get("sap", ""),
            "show_money": show_money,
            "can_edit": has_any_role(request.user, roles.CAN_EDIT_REGISTRY),
        },
    )


@dataclass
class Selection:
    """What the registry list's address selects, for the list and its export alike.

    ``params``: the address's parameters, less a search key this session does not
    know (``expired``); ``filters``: the cleaned filters as
    :func:`desk.registry.search_registry` takes them, the search term recalled from
    the session; ``form``: the bound form that shows them.
    """

    params: QueryDict
    filters: dict
    form: RegistryFilterForm
    expired: bool


def registry_selection(request: HttpRequest) -> Selection:
    """The :class:`Selection` of the request's address."""
    params = request.GET.copy()
    params.pop("q", None)
    key = params.get("tim", "")
    term = recall_search(request.session, key)
    expired = bool(key) and term is None
    if expired:
        params.pop("tim")
    data = params.copy()
    data["q"] = term or ""
    form = RegistryFilterForm(data, communes=communes_for(request.user))
    cleaned = form.cleaned_data if form.is_valid() else {}
    filters = {
        "q": cleaned.get("q", ""),
        "programme": cleaned.get("programme"),
        "category": cleaned.get("category"),
        "village": cleaned.get("village"),
        "status": cleaned.get("status", ""),
        "method": cleaned.get("method", ""),
    }
    return Selection(params, filters, form, expired)


def _search(request: HttpRequest) -> HttpResponse:
    """The search form (POST) to the list's address: the filters in it, the search term
    kept in the session under an opaque key. An address still carrying ``q`` (an old
    bookmark) is rewritten the same way."""
    source = request.POST if request.method == "POST" else request.GET
    params = {name: source[name] for name in LIST_FILTERS if source.get(name)}
    if source.get("sap"):
        params["sap"] = source["sap"]
    term = " ".join(source.get("q", "").split())
    if term:
        params["tim"] = remember_search(request.session, term)
    return HttpResponseRedirect(_list_url(params), status=303)


def _headers(params: QueryDict, current: str, descending: bool, *, show_money: bool) -> list:
    """The list's column headers: label, and for a sortable one the address that sorts
    by it (the other way round when it is the current one) and its aria-sort."""
    columns = [
        (_("STT"), None, ""),
        (_("Họ và tên"), "ten", ""),
        (_("Ngày sinh"), "ngay-sinh", ""),
        (_("Số CCCD"), None, ""),
        (_("Thôn"), "thon", ""),
        (_("Chương trình"), "chuong-trinh", ""),
        (_("Diện"), "dien", ""),
    ]
    if show_money:
        columns.append((_("Mức hằng tháng"), None, "num"))
    columns.append((_("Hình thức nhận"), None, ""))
    if show_money:
        columns.append((_("Tài khoản"), None, ""))
    columns.append((_("Trạng thái"), "trang-thai", ""))
    headers = []
    for label, key, css in columns:
        header = {"label": label, "key": key, "css": css, "url": None, "aria_sort": None}
        if key is not None:
            active = key == current
            query = params.copy()
            query.pop("page", None)
            query["sap"] = f"-{key}" if active and not descending else key
            header["url"] = _list_url(query)
            if active:
                header["aria_sort"] = "descending" if descending else "ascending"
        headers.append(header)
    return headers


def _page_links(params: QueryDict, page) -> dict:
    """First, previous, the numbers around the current page (with an ellipsis), next, last."""
    paginator = page.paginator

    def url(number: int) -> str:
        query = params.copy()
        query["page"] = str(number)
        return _list_url(query)

    numbers = [
        {"number": n, "url": url(n), "current": n == page.number}
        if n != paginator.ELLIPSIS
        else {"ellipsis": True}
        for n in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    ]
    return {
        "numbers": numbers,
        "first": url(1) if page.number > 1 else None,
        "previous": url(page.previous_page_number()) if page.has_previous() else None,
        "next": url(page.next_page_number()) if page.has_next() else None,
        "last": url(paginator.num_pages) if page.number < paginator.num_pages else None,
    }


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for(request.user, pk)
    show_money = has_any_role(request.user, roles.CAN_SEE_MONEY)
    # A user limited to some programmes sees only those enrolments of the person.
    enrolments = with_current_terms(
        person.enrolments.filter(programme_condition(request.user)).select_related(
            "programme", "category"
        ),
        on=timezone.localdate(),
    )
    representatives = person.representatives.select_related("person")
    represents = person.represents.select_related("represented")
    accounts = (
        PaymentAccount.objects.filter(holder=person).select_related("bank") if show_money else []
    )
    history = person.history.select_related("history_user").order_by("-history_date")[:50]
    # Registrations name accounts: shown only to the roles that see money.
    # "Đang áp dụng" marks the registration in force this month, the one the cycle pays by.
    registrations = (
        PaymentMethodRegistration.objects.filter(
            programme_condition(request.user, "beneficiary__programme"),
            beneficiary__person=person,
        )
        .with_in_force(first_of_month(timezone.localdate()))
        .select_related("beneficiary__programme", "representative__person", "account__bank")
        .order_by("beneficiary__programme__order", "beneficiary_id", "-from_month")
        if show_money
        else []
    )
    account_requests = (
        person.account_requests.select_related(
            "bank", "beneficiary__programme", "account"
        ).order_by("-requested_on", "-pk")
        if show_money
        else []
    )
    # Money paid and not owed (thu hồi): the roles that follow recoveries up.
    recoveries = (
        recovery_queries.decorate(
            recovery_queries.listed(
                recoveries_for(request.user).filter(beneficiary__person=person)
            ),
            timezone.localdate(),
        )
        if has_any_role(request.user, roles.CAN_SEE_RECOVERIES)
        else None
    )
    return render(
        request,
        "desk/person_detail.html",
        {
            "person": person,
            "recoveries": recoveries,
            "enrolments": enrolments,
            "representatives": representatives,
            "represents": represents,
            "accounts": accounts,
            "history": _history_rows(history),
            "registrations": registrations,
            "account_requests": account_requests,
            "conditions": person.conditions.select_related("recorded_by").order_by(
                "kind", "-valid_from"
            ),
            "show_money": show_money,
            "can_edit": has_any_role(request.user, roles.CAN_EDIT_REGISTRY),
            "can_state_not_received": has_any_role(request.user, roles.CAN_RECORD_STATEMENTS),
            "today": timezone.localdate(),
            "list_url": _list_url(QueryDict(request.session.get(LIST_QUERY_SESSION_KEY, ""))),
        },
    )


#: Derived fields, recomputed on every save: never an officer's change.
HIDDEN_HISTORY_FIELDS = {"updated_at", "name_folded", "sort_name", "identity_fingerprint"}


def _shown(model, name: str, value) -> str:
    """A history value as a person reads it: a choice's label, a related row's
    name, a date dd/mm/yyyy, a yes/no."""
    if value is None or value == "":
        return ""
    field = model._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else str(value)
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def _history_rows(records, model=Person) -> list[dict]:
    """Each history record with the fields it changed against the one before."""
    records = list(records)
    rows = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            changes = [
                {
                    "field": str(model._meta.get_field(c.field).verbose_name),
                    "old": _shown(model, c.field, c.old),
                    "new": _shown(model, c.field, c.new),
                }
                for c in delta.changes
                if c.field not in HIDDEN_HISTORY_FIELDS
            ]
        rows.append({"record": record, "changes": changes})
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    require_role(request.user, roles.CAN_EDIT_REGISTRY)
    return _person_form(request, Person())


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_form(request, get_person_for_edit(request.user, pk))


def _person_form(request: HttpRequest, person: Person) -> HttpResponse:
    communes = open_communes_for(request.user)
    form = PersonForm(request.POST or None, instance=person, communes=communes)
    if request.method == "POST" and form.is_valid():
        try:
            person = save_person(form.save(commit=False), actor=request.user)
        except RegistryError as exc:
            form.add_error("personal_id", str(exc))
        else:
            for warning in form.warnings:
                messages.warning(request, warning)
            messages.success(request, _("Đã lưu thông tin của %(name)s.") % {"name": person})
            return redirect("person_detail", pk=person.pk)
    return render(request, "desk/person_form.html", {"form": form, "person": person})


@login_required
@require_http_methods(["GET", "POST"])
def beneficiary_create(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = get_person_for_edit(request.user, person_pk)
    return _beneficiary_form(request, person, Beneficiary(person=person, commune=person.commune))


@login_required
@require_http_methods(["GET", "POST"])
def beneficiary_edit(request: HttpRequest, pk: int) -> HttpResponse:
    beneficiary = get_object_or_404(beneficiaries_for(request.user), pk=pk)
    person = get_person_for_edit(request.user, beneficiary.person_id)
    return _beneficiary_form(request, person, beneficiary)


def _beneficiary_form(request: HttpRequest, person: Person, beneficiary: Beneficiary):
    form = BeneficiaryForm(request.POST or None, instance=beneficiary, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            save_enrolment(
                form.save(commit=False), actor=request.user, conditions=form.conditions()
            )
        except (RegistryError, RateError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã lưu diện hưởng."))
            return redirect("person_detail", pk=person.pk)
    return render(request, "desk/beneficiary_form.html", {"form": form, "person": person})


@login_required
@require_http_methods(["GET", "POST"])
def condition_create(request: HttpRequest, person_pk: int) -> HttpResponse:
    """Record a condition the person declared (no pension, poor household) with its document."""
    person = get_person_for_edit(request.user, person_pk)
    form = ConditionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record_condition(person, **form.cleaned_data, actor=request.user)
        except RegistryError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Đã ghi điều kiện đã kê khai."))
            return redirect("person_detail", pk=person.pk)
    return render(request, "desk/condition_form.html", {"form": form, "person": person})


@login_required
@require_http_methods(["GET", "POST"])
def representative_create(request: HttpRequest, person_pk: int) -> HttpResponse:
    """Add who receives for a person: someone in the registry by their CCCD, or a
    proxy or guardian not yet in it, typed on the same form and created with the link."""
    person = get_person_for_edit(request.user, person_pk)
    data = request.POST or None
    new_person_form = NewRepresentativePersonForm(data, represented=person)
    form = RepresentativeForm(
        data,
        instance=Representative(represented=person),
        represented=person,
        people=people_for(request.user),
        new_person_form=new_person_form,
    )
    if request.method == "POST" and form.is_valid():
        new = new_person_form.is_filled()
        if not new or new_person_form.is_valid():
            try:
                representative = add_representative(
                    form.save(commit=False),
                    new_person=new_person_form.save(commit=False) if new else None,
                    actor=request.user,
                )
            except RegistryError as exc:
                if new and exc.field in new_person_form.fields:
                    new_person_form.add_error(exc.field, exc.message)
                else:
                    form.add_error("person", exc.message)
            else:
                for warning in new_person_form.warnings if new else []:
                    messages.warning(request, warning)
                messages.success(
                    request,
                    _("Đã thêm %(name)s là người nhận thay.") % {"name": representative.person},
                )
                return redirect("person_detail", pk=person.pk)
    elif request.method == "POST" and new_person_form.is_filled():
        # Both parts' errors at once: the officer corrects everything in one pass.
        new_person_form.is_valid()
    return render(
        request,
        "desk/representative_form.html",
        {"form": form, "new_person_form": new_person_form, "person": person},
    )


@login_required
@require_http_methods(["GET", "POST"])
def representative_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a representative: kind, relationship, the document and its dates."""
    representative = get_representative_for_edit(request.user, pk)
    person = get_person_for_edit(request.user, representative.represented_id)
    form = RepresentativeEditForm(request.POST or None, instance=representative)
    if request.method == "POST" and form.is_valid():
        try:
            save_representative(form.save(commit=False), actor=request.user)
        except RegistryError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Đã lưu người nhận thay %(name)s.") % {"name": representative.person},
            )
            return redirect("person_detail", pk=person.pk)
    return render(
        request,
        "desk/representative_edit.html",
        {
            "form": form,
            "person": person,
            "representative": representative,
            "history": _history_rows(
                representative.history.select_related("history_user").order_by("-history_date")[
                    :20
                ],
                Representative,
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_create(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = get_person_for_edit(request.user, person_pk)
    form = PaymentAccountForm(request.POST or None, holder=person)
    if request.method == "POST" and form.is_valid():
        try:
            save_account(form.save(commit=False), actor=request.user)
        except AccountError as exc:
            form.add_error("number", str(exc))
        else:
            for warning in form.warnings:
                messages.warning(request, warning)
            messages.success(request, _("Đã thêm tài khoản."))
            return redirect("person_detail", pk=person.pk)
    return render(request, "desk/account_form.html", {"form": form, "person": person})


@login_required
@require_http_methods(["GET", "POST"])
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an account: bank, number, the holder's name as the bank prints it,
    opening date, in use or not. The holder stays; past payments keep the copy
    they were made with."""
    account = get_account_for_edit(request.user, pk)
    person = get_person_for_edit(request.user, account.holder_id)
    form = PaymentAccountForm(request.POST or None, instance=account, holder=person)
    if request.method == "POST" and form.is_valid():
        try:
            save_account(form.save(commit=False), actor=request.user)
        except AccountError as exc:
            form.add_error("number", str(exc))
        else:
            for warning in form.warnings:
                messages.warning(request, warning)
            messages.success(request, _("Đã lưu tài khoản."))
            return redirect("person_detail", pk=person.pk)
    return render(
        request,
        "desk/account_form.html",
        {
            "form": form,
            "person": person,
            "account": account,
            "history": _history_rows(
                account.history.select_related("history_user").order_by("-history_date")[:20],
                PaymentAccount,
            ),
        },
    )
