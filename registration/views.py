"""Registration, account-opening and outreach pages. Thin: parse, check access, call a service."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import Bank
from beneficiaries.access import (
    chosen_commune,
    communes_for,
    get_person_for_edit,
    open_communes_for,
)
from core import roles
from core.access import has_any_role, require_role
from core.rules.months import first_of_month, next_month
from registration.access import (
    account_requests_for,
    get_account_request_for_edit,
    get_beneficiary_for_edit,
    get_outreach_for_edit,
    get_transfer_for,
    outreach_for,
    transfers_for,
)
from registration.forms import (
    AbandonForm,
    AccountRequestForm,
    NewAccountForm,
    OpenedForm,
    OutreachForm,
    PipelineFilterForm,
    ReferForm,
    RegistrationForm,
    TransferForm,
)
from registration.models import AccountOpeningRequest, OutreachActivity, ProgrammeTransfer
from registration.referral import letter_file_name, write_referral_letter
from registration.services import (
    RegistrationError,
    abandon_account_opening,
    record_account_opened,
    refer_to_bank,
    register_payment_method,
    request_account_opening,
    save_outreach,
)
from registration.transfers import (
    TransferError,
    approve_transfer,
    cancel_transfer,
    propose_transfer,
)

State = AccountOpeningRequest.State
PAGE_SIZE = 100


def _add_error(form, exc: RegistrationError, *, aliases: dict | None = None) -> None:
    field = (aliases or {}).get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


# --- Payment-method registration --------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def register_method(request: HttpRequest, pk: int) -> HttpResponse:
    beneficiary = get_beneficiary_for_edit(request.user, pk)
    person = beneficiary.person
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else None
    form = RegistrationForm(
        data,
        beneficiary=beneficiary,
        initial={"from_month": next_month(today), "requested_on": today},
    )
    account_form = NewAccountForm(data, holder=person)
    if request.method == "POST" and form.is_valid():
        representative = form.cleaned_data["representative"]
        receiver = representative.person if representative else person
        # The new account belongs to whoever receives: known only now.
        account_form = NewAccountForm(data, holder=receiver)
        new_account = None
        if account_form.is_filled() and account_form.is_valid():
            new_account = account_form.save(commit=False)
        if not account_form.is_filled() or new_account is not None:
            try:
                register_payment_method(
                    beneficiary,
                    method=form.cleaned_data["method"],
                    from_month=form.cleaned_data["from_month"],
                    representative=representative,
                    account=form.cleaned_data["account"],
                    new_account=new_account,
                    requested_on=form.cleaned_data["requested_on"],
                    form_reference=form.cleaned_data["form_reference"],
                    actor=request.user,
                )
            except RegistrationError as exc:
                if exc.field == "new_account":
                    account_form.add_error("number", exc.message)
                else:
                    _add_error(form, exc)
            else:
                for warning in account_form.warnings if new_account else []:
                    messages.warning(request, warning)
                messages.success(
                    request,
                    _("Đã đăng ký hình thức nhận %(programme)s cho %(name)s.")
                    % {"programme": beneficiary.programme, "name": person},
                )
                return redirect("person_detail", pk=person.pk)
    return render(
        request,
        "registration/register_form.html",
        {
            "form": form,
            "account_form": account_form,
            "beneficiary": beneficiary,
            "person": person,
            "history": beneficiary.registrations.with_in_force(first_of_month(timezone.localdate()))
            .select_related("representative__person", "account__bank")
            .order_by("-from_month"),
        },
    )


# --- Account opening ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def account_request_create(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = get_person_for_edit(request.user, person_pk)
    form = AccountRequestForm(
        request.POST or None, person=person, initial={"requested_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        beneficiary, representative = form.target()
        try:
            request_account_opening(
                person,
                beneficiary=beneficiary,
                representative=representative,
                bank=form.cleaned_data["bank"],
                requested_on=form.cleaned_data["requested_on"],
                form_reference=form.cleaned_data["form_reference"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except RegistrationError as exc:
            _add_error(form, exc, aliases={"beneficiary": "purpose", "representative": "purpose"})
        else:
            messages.success(
                request, _("Đã ghi đề nghị mở tài khoản của %(name)s.") % {"name": person}
            )
            return redirect("person_detail", pk=person.pk)
    return render(
        request, "registration/account_request_form.html", {"form": form, "person": person}
    )


@login_required
def pipeline(request: HttpRequest) -> HttpResponse:
    require_role(request.user, roles.CAN_SEE_MONEY)
    today = timezone.localdate()
    communes = communes_for(request.user)
    scope = account_requests_for(request.user)
    form = PipelineFilterForm(request.GET, communes=communes)
    form.is_valid()  # a field with a bad value is left out of the filters, with its error
    filters = form.cleaned_data
    counts = _counts_by_bank(scope)
    rows = scope.select_related(
        "person__village",
        "bank",
        "beneficiary__programme",
        "representative__represented",
    )
    state = filters.get("state", PipelineFilterForm.STATE_OPEN)
    if state == PipelineFilterForm.STATE_OPEN:
        rows = rows.filter(state__in=AccountOpeningRequest.OPEN_STATES)
    elif state:
        rows = rows.filter(state=state)
    if filters.get("bank"):
        rows = rows.filter(bank=filters["bank"])
    if filters.get("village"):
        rows = rows.filter(person__village=filters["village"])
    page = Paginator(rows.order_by("requested_on", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for item in page:
        item.age = item.age_days(today)
    query = request.GET.copy()
    query.pop("page", None)
    can_edit = has_any_role(request.user, roles.CAN_EDIT_REGISTRY)
    return render(
        request,
        "registration/pipeline.html",
        {
            "form": form,
            "communes": communes.order_by("name"),
            "counts": counts,
            "page": page,
            "query": query.urlencode(),
            "can_edit": can_edit,
            "banks": list(Bank.objects.filter(active=True)) if can_edit else [],
            "today": today,
        },
    )


def _counts_by_bank(scope) -> dict:
    """One row per bank (and one for "not chosen yet"): the count in each state, oldest open age."""
    per_state = {s.value: Count("pk", filter=Q(state=s.value)) for s in State}
    rows = (
        scope.values("bank_id", "bank__short_name")
        .annotate(**per_state)
        .order_by("bank__short_name")
    )
    table = [
        {
            "bank_id": row["bank_id"],
            "bank": row["bank__short_name"] or _("Chưa chọn ngân hàng"),
            "states": [row[s.value] for s in State],
            "total": sum(row[s.value] for s in State),
        }
        for row in rows
    ]
    totals = [sum(r["states"][i] for r in table) for i in range(len(State))]
    return {
        "states": [s.label for s in State],
        "rows": table,
        "totals": totals,
        "total": sum(totals),
    }


def _request_action(request, item, form_class, template_title: str, act, **form_kwargs):
    """GET shows the action's form; POST calls the service and returns to the pipeline."""
    today = timezone.localdate()
    form = form_class(request.POST or None, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            message = act(item, form.cleaned_data)
        except RegistrationError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, message)
            return redirect("account_pipeline")
    return render(
        request,
        "registration/request_action.html",
        {"form": form, "item": item, "title": template_title, "today": today},
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_refer(request: HttpRequest, pk: int) -> HttpResponse:
    def act(item, data):
        refer_to_bank(item, bank=data["bank"], referred_on=data["referred_on"], actor=request.user)
        return _("Đã giới thiệu %(name)s đến %(bank)s.") % {
            "name": item.person,
            "bank": data["bank"],
        }

    item = get_account_request_for_edit(request.user, pk)
    return _request_action(
        request,
        item,
        ReferForm,
        _("Giới thiệu đến ngân hàng"),
        act,
        initial={"bank": item.bank_id, "referred_on": timezone.localdate()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_opened(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_account_request_for_edit(request.user, pk)
    if item.state != State.REFERRED:
        messages.error(request, _("Chỉ ghi «đã mở» cho đề nghị đã giới thiệu đến ngân hàng."))
        return redirect("account_pipeline")

    def act(item, data):
        _request, registrations = record_account_opened(
            item,
            number=data["number"],
            holder_name=data["holder_name"],
            opened_on=data["opened_on"],
            from_month=data["from_month"],
            actor=request.user,
        )
        return _(
            "Đã ghi tài khoản của %(name)s; %(count)s diện hưởng được đăng ký nhận qua tài khoản."
        ) % {"name": item.person, "count": len(registrations)}

    today = timezone.localdate()
    return _request_action(
        request,
        item,
        OpenedForm,
        _("Ghi nhận đã mở tài khoản"),
        act,
        bank=item.bank,
        initial={"opened_on": today, "from_month": next_month(today)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_abandon(request: HttpRequest, pk: int) -> HttpResponse:
    def act(item, data):
        abandon_account_opening(
            item, reason=data["reason"], abandoned_on=data["abandoned_on"], actor=request.user
        )
        return _("Đã dừng đề nghị mở tài khoản của %(name)s.") % {"name": item.person}

    return _request_action(
        request,
        get_account_request_for_edit(request.user, pk),
        AbandonForm,
        _("Dừng đề nghị mở tài khoản"),
        act,
        initial={"abandoned_on": timezone.localdate()},
    )


@login_required
def referral_letter(request: HttpRequest, bank_pk: int) -> HttpResponse:
    """The referral letter to one bank (.xlsx: the commune's letter with its table)."""
    require_role(request.user, roles.CAN_SEE_MONEY)
    commune = chosen_commune(request.user, request.GET.get("xa"))
    bank = get_object_or_404(Bank, pk=bank_pk)
    requests = (
        account_requests_for(request.user)
        .filter(state=State.REFERRED, bank=bank, person__commune=commune)
        .order_by("person__village__name", "person__sort_name", "pk")
    )
    today = timezone.localdate()
    buffer = io.BytesIO()
    write_referral_letter(buffer, commune=commune, bank=bank, requests=requests, dated=today)
    buffer.seek(0)
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=letter_file_name(commune, bank, today),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# --- Outreach -------------------------------------------------------------------------


@login_required
def outreach_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, roles.CAN_SEE_OUTREACH)
    scope = outreach_for(request.user)
    by_channel = {
        row["channel"]: row
        for row in scope.values("channel").annotate(
            count=Count("pk"), reached=Sum("people_reached")
        )
    }
    totals = [
        {
            "label": label,
            "count": by_channel.get(value, {}).get("count", 0),
            "reached": by_channel.get(value, {}).get("reached") or 0,
        }
        for value, label in OutreachActivity.Channel.choices
    ]
    rows = scope.select_related("village", "commune", "recorded_by").order_by("-date", "-pk")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "registration/outreach_list.html",
        {
            "page": page,
            "totals": totals,
            "total_count": sum(t["count"] for t in totals),
            "total_reached": sum(t["reached"] for t in totals),
            "can_edit": has_any_role(request.user, roles.CAN_EDIT_REGISTRY),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def outreach_create(request: HttpRequest) -> HttpResponse:
    require_role(request.user, roles.CAN_EDIT_REGISTRY)
    return _outreach_form(request, OutreachActivity(date=timezone.localdate()))


@login_required
@require_http_methods(["GET", "POST"])
def outreach_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _outreach_form(request, get_outreach_for_edit(request.user, pk))


def _outreach_form(request: HttpRequest, activity: OutreachActivity) -> HttpResponse:
    form = OutreachForm(
        request.POST or None, instance=activity, communes=open_communes_for(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            save_outreach(form.save(commit=False), actor=request.user, today=timezone.localdate())
        except RegistrationError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("Đã lưu hoạt động truyền thông."))
            return redirect("outreach_list")
    return render(request, "registration/outreach_form.html", {"form": form, "activity": activity})


# --- moving enrolments between programmes -------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def transfer_list(request: HttpRequest) -> HttpResponse:
    """The proposals of the user's communes; the officer proposes a new one here."""
    transfers = transfers_for(request.user)
    can_propose = has_any_role(request.user, roles.CAN_PROPOSE_TRANSFERS)
    form = None
    if can_propose:
        form = TransferForm(
            request.POST or None,
            communes=communes_for(request.user),
            initial={"from_category": "BTXH_K5C", "to_category": "HTXH_75"},
        )
    if request.method == "POST":
        require_role(request.user, roles.CAN_PROPOSE_TRANSFERS)
        if form.is_valid():
            data = form.cleaned_data
            try:
                transfer = propose_transfer(
                    data["commune"],
                    from_category_code=data["from_category"].code,
                    to_category_code=data["to_category"].code,
                    month=data["month"],
                    actor=request.user,
                )
            except TransferError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Đã lập đề xuất; chờ lãnh đạo duyệt."))
                return redirect("transfer_detail", pk=transfer.pk)
    rows = transfers.select_related(
        "commune", "from_category", "to_category", "proposed_by", "approved_by"
    ).annotate(
        moving=Count("lines", filter=Q(lines__moves=True)),
        left_out=Count("lines", filter=Q(lines__moves=False)),
    )
    return render(request, "registration/transfer_list.html", {"form": form, "transfers": rows})


@login_required
@require_http_methods(["GET", "POST"])
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Who moves (amounts before and after) and who is left out; the leader approves."""
    transfer = get_transfer_for(request.user, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve":
                require_role(request.user, roles.CAN_APPROVE_TRANSFERS)
                if not request.POST.get("confirm"):
                    raise TransferError(_("Đánh dấu ô xác nhận trước khi duyệt."))
                approve_transfer(transfer, actor=request.user)
                messages.success(request, _("Đã duyệt: các diện hưởng đã được chuyển."))
            elif action == "cancel":
                require_role(
                    request.user, roles.CAN_PROPOSE_TRANSFERS | roles.CAN_APPROVE_TRANSFERS
                )
                cancel_transfer(transfer, actor=request.user)
                messages.success(request, _("Đã hủy đề xuất."))
            else:
                raise TransferError(_("Thao tác không hợp lệ."))
        except TransferError as exc:
            messages.error(request, str(exc))
        return redirect("transfer_detail", pk=transfer.pk)
    lines = transfer.lines.select_related("enrolment__person__village", "new_enrolment").order_by(
        "-moves", "enrolment__person__sort_name", "pk"
    )
    pending = transfer.status == ProgrammeTransfer.Status.PENDING
    return render(
        request,
        "registration/transfer_detail.html",
        {
            "transfer": transfer,
            "moving": [line for line in lines if line.moves],
            "left_out": [line for line in lines if not line.moves],
            "can_approve": pending and has_any_role(request.user, roles.CAN_APPROVE_TRANSFERS),
            "can_cancel": pending
            and has_any_role(
                request.user, roles.CAN_PROPOSE_TRANSFERS | roles.CAN_APPROVE_TRANSFERS
            ),
        },
    )
