"""The officer's registry pages. Thin: parse, check access, call a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
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
    record_condition,
    save_person,
    save_representative,
)
from core import roles
from core.access import has_any_role, require_role
from core.rules.months import first_of_month
from desk.forms import (
    BeneficiaryForm,
    ConditionForm,
    PersonForm,
    RegistryFilterForm,
    RepresentativeForm,
)
from desk.registry import search_registry, with_current_terms
from registration.models import PaymentMethodRegistration

PAGE_SIZE = 50


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, roles.CAN_SEE_REGISTRY)
    communes = communes_for(request.user)
    form = RegistryFilterForm(request.GET or None, communes=communes)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = search_registry(
        request.user,
        on=timezone.localdate(),
        q=filters.get("q", ""),
        programme=filters.get("programme"),
        category=filters.get("category"),
        village=filters.get("village"),
        status=filters.get("status", ""),
        method=filters.get("method", ""),
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "desk/person_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "show_money": has_any_role(request.user, roles.CAN_SEE_MONEY),
            "can_edit": has_any_role(request.user, roles.CAN_EDIT_REGISTRY),
        },
    )


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
    return render(
        request,
        "desk/person_detail.html",
        {
            "person": person,
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
            "today": timezone.localdate(),
        },
    )


def _history_rows(records) -> list[dict]:
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
                    "field": str(Person._meta.get_field(c.field).verbose_name),
                    "old": c.old,
                    "new": c.new,
                }
                for c in delta.changes
                if c.field not in {"updated_at", "name_folded", "sort_name"}
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
    person = get_person_for_edit(request.user, person_pk)
    form = RepresentativeForm(
        request.POST or None,
        instance=Representative(represented=person),
        represented=person,
        people=people_for(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            save_representative(form.save(commit=False), actor=request.user)
        except RegistryError as exc:
            form.add_error("person", str(exc))
        else:
            messages.success(request, _("Đã thêm người nhận thay."))
            return redirect("person_detail", pk=person.pk)
    return render(request, "desk/representative_form.html", {"form": form, "person": person})


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
