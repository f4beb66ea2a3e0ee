"""The post office's cash account pages: the accountant's handover and
confirmation (from the cycle page), the post office's returned cash and
confirmation (from its own page).

Thin: the cycle through the scoped helpers (another commune's cycle is a 404,
a role that may not act a 403), every record one call of
:mod:`payments.services.cashaccount`. A form with a mistake is drawn again
with what was typed and the message; a confirmation goes through
:func:`core.confirm.confirm` (a second click changes nothing and says so).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import roles
from core.access import has_any_role, require_role
from core.confirm import Confirmation, confirm, fingerprint
from core.rules.money import format_amount
from core.templatetags.vn import full_name
from payments import access, postoffice
from payments.forms import HandoverForm, ReturnedCashForm
from payments.models import PaymentCycle
from payments.services import cashaccount
from payments.services.cashaccount import CashAccountError, CashAccountState


def cycle_back(cycle: PaymentCycle) -> str:
    return reverse("cycle_detail", args=[cycle.pk]) + "#cash-account"


def post_office_back(cycle: PaymentCycle) -> str:
    return reverse("post_office") + f"?ky={cycle.pk}#cash-account"


def _post_office_cycle(user, pk: int) -> PaymentCycle:
    """A cycle on the post office's page (submitted or paid, the user's communes),
    for a user who may record the returned cash."""
    cycle = postoffice.cycles_for(user).filter(pk=pk).first()
    if cycle is None:
        raise Http404
    require_role(user, roles.CAN_RETURN_CASH)
    return cycle


def _record_page(
    request: HttpRequest,
    cycle: PaymentCycle,
    *,
    form,
    title: str,
    intro: str,
    button: str,
    back: str,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "payments/cash_account_form.html",
        {
            "cycle": cycle,
            "cash": cashaccount.account_state(cycle),
            "form": form,
            "title": title,
            "intro": intro,
            "button": button,
            "back": back,
            "breadcrumb_label": title,
        },
        status=status,
    )


def _said(changed: bool, done: str, same: str) -> tuple[int, str]:
    return (messages.SUCCESS, done) if changed else (messages.INFO, same)


@login_required
def cash_handover(request: HttpRequest, pk: int) -> HttpResponse:
    """The accountant records the cash handed to the post office."""
    cycle = access.get_cycle_to_act(request.user, pk, roles.CAN_HAND_OVER_CASH)
    page = {
        "title": _("Bàn giao tiền mặt cho bưu điện — kỳ %(month)s")
        % {"month": f"{cycle.period:%m/%Y}"},
        "intro": _(
            "Ghi số tiền kế toán giao cho bưu điện để chi danh sách tiền mặt và chi tại nhà: "
            "bằng tổng danh sách, kèm ngày giao và số phiếu chi hoặc biên nhận."
        ),
        "button": _("Ghi bàn giao"),
        "back": cycle_back(cycle),
    }
    if request.method != "POST":
        state = cashaccount.account_state(cycle)
        account = state.account
        initial = {
            "so_tien": format_amount(state.figures.total, unit=False),
            "ngay": account.handed_over_on if account and account.handed_over_on else None,
            "so_phieu": account.handover_voucher if account else "",
        }
        initial["ngay"] = initial["ngay"] or timezone.localdate()
        return _record_page(request, cycle, form=HandoverForm(initial=initial), **page)
    form = HandoverForm(request.POST)
    if form.is_valid():
        try:
            _account, changed = cashaccount.record_handover(
                cycle,
                amount=form.cleaned_data["so_tien"],
                handed_over_on=form.cleaned_data["ngay"],
                voucher=form.cleaned_data["so_phieu"],
                actor=request.user,
            )
        except CashAccountError as exc:
            form.add_error(None, str(exc))
        else:
            level, text = _said(
                changed,
                _("Đã ghi bàn giao %(amount)s cho bưu điện.")
                % {"amount": format_amount(form.cleaned_data["so_tien"])},
                _("Bàn giao này đã được ghi trước đó: không có gì thay đổi."),
            )
            messages.add_message(request, level, text)
            return redirect(page["back"])
    return _record_page(request, cycle, form=form, status=400, **page)


@login_required
def post_office_cash_returned(request: HttpRequest, pk: int) -> HttpResponse:
    """The post office records the cash it brings back."""
    cycle = _post_office_cycle(request.user, pk)
    page = {
        "title": _("Tiền mặt nộp lại — kỳ %(month)s") % {"month": f"{cycle.period:%m/%Y}"},
        "intro": _(
            "Ghi số tiền mặt bưu điện nộp lại cho xã: tiền của các khoản “Không nhận”. "
            "Ghi đúng số tiền thực nộp; nếu khác tổng các khoản không nhận, trang ghi rõ chênh "
            "lệch."
        ),
        "button": _("Ghi tiền nộp lại"),
        "back": post_office_back(cycle),
    }
    if request.method != "POST":
        state = cashaccount.account_state(cycle)
        account = state.account
        amount = (
            account.returned_amount
            if account and account.returned_amount is not None
            else state.figures.returned_amount
        )
        initial = {
            "so_tien": format_amount(amount, unit=False),
            "ngay": (account.returned_on if account else None) or timezone.localdate(),
        }
        return _record_page(request, cycle, form=ReturnedCashForm(initial=initial), **page)
    form = ReturnedCashForm(request.POST)
    if form.is_valid():
        try:
            _account, changed = cashaccount.record_returned_cash(
                cycle,
                amount=form.cleaned_data["so_tien"],
                returned_on=form.cleaned_data["ngay"],
                actor=request.user,
            )
        except CashAccountError as exc:
            form.add_error(None, str(exc))
        else:
            level, text = _said(
                changed,
                _("Đã ghi tiền mặt nộp lại %(amount)s.")
                % {"amount": format_amount(form.cleaned_data["so_tien"])},
                _("Số tiền nộp lại này đã được ghi trước đó: không có gì thay đổi."),
            )
            messages.add_message(request, level, text)
            return redirect(page["back"])
    return _record_page(request, cycle, form=form, status=400, **page)


# --- the confirmations --------------------------------------------------------


def _page_token(state: CashAccountState) -> str:
    """What a confirmation page showed: the figures and the confirmations as they were."""
    account = state.account
    return fingerprint(
        state.token,
        account.post_office_confirmed_at if account else None,
        account.post_office_figures if account else None,
        account.accountant_confirmed_at if account else None,
        account.accountant_figures if account else None,
    )


def _current(cycle: PaymentCycle) -> str:
    locked = PaymentCycle.objects.select_for_update().get(pk=cycle.pk)
    return _page_token(cashaccount.account_state(locked))


def _who_when(user, moment) -> str:
    return f"{full_name(user)}, {timezone.localtime(moment):%d/%m/%Y %H:%M}"


def _facts(state: CashAccountState) -> list[tuple[str, str]]:
    figures, account = state.figures, state.account
    facts = [
        (_("Xã"), state.cycle.commune.name),
        (_("Kỳ chi trả"), f"{state.cycle.period:%m/%Y}"),
        (
            _("Danh sách tiền mặt và tại nhà"),
            _("%(count)s khoản, %(amount)s")
            % {
                "count": format_amount(figures.count, unit=False),
                "amount": format_amount(figures.total),
            },
        ),
        (
            _("Đã giao cho bưu điện"),
            format_amount(state.handed_over) if state.handed_over is not None else "—",
        ),
        (
            _("Đã chi trả"),
            _("%(count)s khoản, %(amount)s")
            % {
                "count": format_amount(figures.paid_count, unit=False),
                "amount": format_amount(figures.paid_amount),
            },
        ),
        (
            _("Không nhận"),
            _("%(count)s khoản, %(amount)s")
            % {
                "count": format_amount(figures.returned_count, unit=False),
                "amount": format_amount(figures.returned_amount),
            },
        ),
        (
            _("Tiền mặt nộp lại"),
            format_amount(state.returned_cash) if state.returned_cash is not None else "—",
        ),
        (_("Tình trạng"), state.state_label),
    ]
    if account is not None and state.post_office_confirmed:
        facts.append(
            (
                _("Bưu điện xác nhận"),
                _who_when(account.post_office_confirmed_by, account.post_office_confirmed_at),
            )
        )
    return facts


def _confirmation(
    state: CashAccountState, *, title: str, intro: str, back: str, warnings: list[str]
) -> Confirmation:
    return Confirmation(
        title=title,
        intro=intro,
        facts=_facts(state),
        button=_("Xác nhận"),
        back=back,
        token=_page_token(state),
        warnings=[*state.problems, *warnings],
        context={"cycle": state.cycle, "breadcrumb_label": title},
    )


STALE = gettext_lazy(
    "Trang xác nhận đã cũ: tài khoản tiền mặt của kỳ đã thay đổi từ khi mở trang (bấm hai "
    "lần, hoặc người khác vừa ghi)."
)


@login_required
def post_office_cash_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The post office confirms its cash account (GET: the page; POST: once)."""
    cycle = _post_office_cycle(request.user, pk)
    state = cashaccount.account_state(cycle)
    warnings = []
    if state.post_office_confirmed:
        warnings.append(_("Bưu điện đã xác nhận tài khoản này: xác nhận lại không thay đổi gì."))

    def act(_data: dict) -> str:
        _account, changed = cashaccount.confirm_for_post_office(cycle, actor=request.user)
        if not changed:
            return _("Bưu điện đã xác nhận tài khoản này trước đó: không có gì thay đổi.")
        return _("Bưu điện đã xác nhận tài khoản tiền mặt kỳ %(month)s.") % {
            "month": f"{cycle.period:%m/%Y}"
        }

    return confirm(
        request,
        _confirmation(
            state,
            title=_("Bưu điện xác nhận tài khoản tiền mặt — kỳ %(month)s")
            % {"month": f"{cycle.period:%m/%Y}"},
            intro=_(
                "Bưu điện xác nhận: đã nhận số tiền giao, đã chi các khoản “Đã chi trả” và nộp "
                "lại tiền của các khoản “Không nhận”. Kết quả ghi hoặc sửa sau đó làm xác nhận "
                "mất hiệu lực."
            ),
            back=post_office_back(cycle),
            warnings=warnings,
        ),
        current=lambda: _current(cycle),
        act=act,
        stale=str(STALE),
        errors=(CashAccountError,),
    )


@login_required
def cash_confirm_accountant(request: HttpRequest, pk: int) -> HttpResponse:
    """The accountant confirms after the post office (GET: the page; POST: once)."""
    cycle = access.get_cycle_to_act(request.user, pk, roles.CAN_HAND_OVER_CASH)
    state = cashaccount.account_state(cycle)
    warnings = []
    if state.balanced and not state.post_office_confirmed:
        warnings.append(_("Bưu điện chưa xác nhận: kế toán xác nhận sau bưu điện."))
    account = state.account
    if account is not None and account.post_office_confirmed_by_id == request.user.pk:
        warnings.append(_("Bạn đã xác nhận cho bưu điện: người khác xác nhận cho kế toán."))
    if state.accountant_confirmed:
        warnings.append(_("Kế toán đã xác nhận tài khoản này: xác nhận lại không thay đổi gì."))

    def act(_data: dict) -> str:
        _account, changed = cashaccount.confirm_for_accountant(cycle, actor=request.user)
        if not changed:
            return _("Kế toán đã xác nhận tài khoản này trước đó: không có gì thay đổi.")
        return _("Kế toán đã xác nhận tài khoản tiền mặt kỳ %(month)s.") % {
            "month": f"{cycle.period:%m/%Y}"
        }

    return confirm(
        request,
        _confirmation(
            state,
            title=_("Kế toán xác nhận tài khoản tiền mặt — kỳ %(month)s")
            % {"month": f"{cycle.period:%m/%Y}"},
            intro=_(
                "Kế toán xác nhận sau bưu điện: tiền đã giao bằng đã chi trả cộng không nhận, "
                "tiền mặt nộp lại bằng các khoản không nhận. Cần xác nhận này để khóa sổ kỳ."
            ),
            back=cycle_back(cycle),
            warnings=warnings,
        ),
        current=lambda: _current(cycle),
        act=act,
        stale=str(STALE),
        errors=(CashAccountError,),
    )


def cash_account_context(user, cycle: PaymentCycle, *, page: str) -> dict:
    """What the cycle page (``page="cycle"``) or the post office's page
    (``page="post_office"``) shows of the cycle's cash account, and the links each
    role may follow; empty for a cycle without cash or a role that does not see it."""
    if cycle.status not in PaymentCycle.SENT_STATUSES or not has_any_role(
        user, roles.CAN_SEE_CASH_ACCOUNT
    ):
        return {}
    state = cashaccount.account_state(cycle)
    if not state.has_cash:
        return {}
    open_ = cycle.status in cashaccount.OPEN_STATES
    links = []
    if open_ and page == "cycle" and has_any_role(user, roles.CAN_HAND_OVER_CASH):
        links.append(
            (reverse("cash_handover", args=[cycle.pk]), _("Ghi bàn giao tiền mặt…"), False)
        )
        if state.balanced and state.post_office_confirmed and not state.accountant_confirmed:
            links.append(
                (reverse("cash_confirm_accountant", args=[cycle.pk]), _("Kế toán xác nhận…"), True)
            )
    if open_ and page == "post_office" and has_any_role(user, roles.CAN_RETURN_CASH):
        links.append(
            (reverse("post_office_cash_returned", args=[cycle.pk]), _("Ghi tiền nộp lại…"), False)
        )
        if state.balanced and not state.post_office_confirmed:
            links.append(
                (
                    reverse("post_office_cash_confirm", args=[cycle.pk]),
                    _("Bưu điện xác nhận…"),
                    True,
                )
            )
    return {"cash": state, "cash_links": links}
