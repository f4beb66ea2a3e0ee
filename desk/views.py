"""The officer's registry pages. Thin: parse, check access, call a service, render."""

from __future__ import annotations

import datetime

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
