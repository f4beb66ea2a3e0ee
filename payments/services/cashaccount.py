"""The post office's cash account of a cycle: handed over = paid + returned.

The accountant hands the post office the cash of the cycle's cash and home
lists and records it (:func:`record_handover`: the amount must equal the
lists' total, with the day and the voucher number). The post office pays,
records each row's result, and brings back the cash nobody collected
(:func:`record_returned_cash`). The account **balances** when nothing is
pending, the cash handed over equals what was paid plus what was not
collected, and the cash brought back equals the rows not collected.

Then two confirmations, each refused unless the account balances: the post
office first (:func:`confirm_for_post_office`), the accountant second and
never the same person (:func:`confirm_for_accountant`). Each keeps the
fingerprint of the figures it confirmed (:func:`figures_token`: every counted
row's id, result, amount and paid day, and the handover and return): a result
recorded or corrected afterwards, by any path (the post office's page, the
bank results, the officer), gives another fingerprint, and the confirmation
no longer counts — they confirm again. :func:`cash_account_close_problem` is what
``close_cycle`` asks before closing a cycle that pays cash.

The rows counted are the cycle's cash and home payments whose status is
pending, paid or returned (:data:`COUNTED`): a status outside these pays no
cash and is left out.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import roles
from core.access import require_actor
from core.confirm import fingerprint
from core.rules.money import format_amount
from payments.models import CashAccount, Payment, PaymentCycle
from payments.services.results import CASH_METHODS

# The statuses whose cash goes through the post office's hands.
COUNTED = (Payment.Status.PENDING, Payment.Status.PAID, Payment.Status.RETURNED)
# The account is kept while the post office pays: once the cycle is sent, until it is closed.
OPEN_STATES = (PaymentCycle.Status.SUBMITTED, PaymentCycle.Status.PAID)
VOUCHER_MAX_LENGTH = 50
# Who recorded and confirmed: the pages name them.
PEOPLE = (
    "handed_over_by",
    "returned_by",
    "post_office_confirmed_by",
    "accountant_confirmed_by",
)


class CashAccountError(Exception):
    """A record or confirmation of the cash account refused, with a message for the user."""


@dataclass(frozen=True)
class CashFigures:
    """The cycle's cash and home payments, by result, and a digest of the rows."""

    count: int = 0
    total: int = 0
    pending_count: int = 0
    pending_amount: int = 0
    paid_count: int = 0
    paid_amount: int = 0
    returned_count: int = 0
    returned_amount: int = 0
    digest: str = ""

    @property
    def has_cash(self) -> bool:
        return self.count > 0


def cash_figures(cycle: PaymentCycle) -> CashFigures:
    """One pass over the cycle's counted cash and home rows (a commune's cash rows
    are a few thousand at most): the sums by result and the rows' digest."""
    sums = {status: [0, 0] for status in COUNTED}
    digest = hashlib.sha256()
    rows = (
        Payment.objects.filter(cycle=cycle, method__in=CASH_METHODS, status__in=COUNTED)
        .order_by("pk")
        .values_list("pk", "status", "amount", "paid_on")
    )
    for pk, status, amount, paid_on in rows.iterator(chunk_size=2000):
        sums[status][0] += 1
        sums[status][1] += amount
        digest.update(f"{pk}:{status}:{amount}:{paid_on or ''};".encode())
    return CashFigures(
        count=sum(n for n, _amount in sums.values()),
        total=sum(amount for _n, amount in sums.values()),
        pending_count=sums[Payment.Status.PENDING][0],
        pending_amount=sums[Payment.Status.PENDING][1],
        paid_count=sums[Payment.Status.PAID][0],
        paid_amount=sums[Payment.Status.PAID][1],
        returned_count=sums[Payment.Status.RETURNED][0],
        returned_amount=sums[Payment.Status.RETURNED][1],
        digest=digest.hexdigest(),
    )


def figures_token(figures: CashFigures, account: CashAccount | None) -> str:
    """The fingerprint a confirmation keeps: the rows and what was handed over and returned."""
    if account is None:
        return fingerprint(figures.digest)
    return fingerprint(
        figures.digest,
        account.handed_over_amount,
        account.handed_over_on,
        account.handover_voucher,
        account.returned_amount,
        account.returned_on,
    )


@dataclass
class CashAccountState:
    """The account as the pages and the services read it."""

    cycle: PaymentCycle
    account: CashAccount | None
    figures: CashFigures
    token: str
    problems: list[str] = field(default_factory=list)

    @property
    def has_cash(self) -> bool:
        return self.figures.has_cash

    @property
    def handed_over(self) -> int | None:
        return None if self.account is None else self.account.handed_over_amount

    @property
    def returned_cash(self) -> int | None:
        return None if self.account is None else self.account.returned_amount

    @property
    def accounted(self) -> int:
        """Paid + not collected."""
        return self.figures.paid_amount + self.figures.returned_amount

    @property
    def handover_difference(self) -> int | None:
        """Handed over − (paid + not collected), once nothing is pending."""
        if self.handed_over is None or self.figures.pending_count:
            return None
        return self.handed_over - self.accounted

    @property
    def returned_difference(self) -> int | None:
        """Cash returned − the rows not collected."""
        if self.returned_cash is None:
            return None
        return self.returned_cash - self.figures.returned_amount

    @property
    def handover_difference_text(self) -> str:
        """The handover's difference as the page says it (``+50.000 đ``); empty when none."""
        difference = self.handover_difference
        return signed_amount(difference) if difference else ""

    @property
    def returned_difference_text(self) -> str:
        difference = self.returned_difference
        return signed_amount(difference) if difference else ""

    @property
    def balanced(self) -> bool:
        return not self.problems

    @property
    def post_office_confirmed(self) -> bool:
        """The post office's confirmation holds: made on the figures as they are."""
        return self.account is not None and self.account.post_office_figures == self.token

    @property
    def accountant_confirmed(self) -> bool:
        return (
            self.post_office_confirmed
            and self.account is not None
            and self.account.accountant_figures == self.token
        )

    @property
    def post_office_void(self) -> bool:
        """Confirmed once, on figures that changed since."""
        return (
            self.account is not None
            and bool(self.account.post_office_figures)
            and not self.post_office_confirmed
        )

    @property
    def accountant_void(self) -> bool:
        return (
            self.account is not None
            and bool(self.account.accountant_figures)
            and not self.accountant_confirmed
        )

    @property
    def confirmed(self) -> bool:
        return self.balanced and self.accountant_confirmed

    @property
    def state_label(self) -> str:
        if not self.has_cash:
            return _("Kỳ không có khoản tiền mặt")
        if not self.balanced:
            return _("Chưa cân")
        if self.accountant_confirmed:
            return _("Đã cân, bưu điện và kế toán đã xác nhận")
        if self.post_office_confirmed:
            return _("Đã cân, bưu điện đã xác nhận, chờ kế toán xác nhận")
        return _("Đã cân, chờ bưu điện xác nhận")

    @property
    def missing(self) -> str | None:
        """What keeps the account from being balanced and confirmed by both, or None."""
        if not self.has_cash or self.confirmed:
            return None
        if not self.balanced:
            return _("Tài khoản tiền mặt của bưu điện chưa cân: %(problems)s") % {
                "problems": " ".join(self.problems)
            }
        if not self.post_office_confirmed:
            return _("Bưu điện chưa xác nhận tài khoản tiền mặt của kỳ.")
        return _("Kế toán chưa xác nhận tài khoản tiền mặt của kỳ.")


def _problems(figures: CashFigures, account: CashAccount | None) -> list[str]:
    problems = []
    handed_over = None if account is None else account.handed_over_amount
    returned = None if account is None else account.returned_amount
    if handed_over is None:
        problems.append(_("Kế toán chưa ghi số tiền giao cho bưu điện."))
    if figures.pending_count:
        problems.append(
            _("Còn %(count)s khoản tiền mặt chưa có kết quả (%(amount)s).")
            % {
                "count": format_amount(figures.pending_count, unit=False),
                "amount": format_amount(figures.pending_amount),
            }
        )
    elif handed_over is not None:
        accounted = figures.paid_amount + figures.returned_amount
        if handed_over != accounted:
            problems.append(
                _(
                    "Tiền đã giao %(handed)s khác đã chi trả + không nhận %(accounted)s: "
                    "chênh lệch %(difference)s."
                )
                % {
                    "handed": format_amount(handed_over),
                    "accounted": format_amount(accounted),
                    "difference": signed_amount(handed_over - accounted),
                }
            )
    if returned is None:
        problems.append(_("Bưu điện chưa ghi số tiền mặt nộp lại."))
    elif returned != figures.returned_amount:
        problems.append(
            _(
                "Tiền mặt bưu điện nộp lại %(returned)s khác tổng các khoản không nhận "
                "%(rows)s: chênh lệch %(difference)s."
            )
            % {
                "returned": format_amount(returned),
                "rows": format_amount(figures.returned_amount),
                "difference": signed_amount(returned - figures.returned_amount),
            }
        )
    return problems


def signed_amount(difference: int) -> str:
    """``+50.000 đ`` (more than it should be) or ``−50.000 đ`` (less)."""
    return ("+" if difference > 0 else "−") + format_amount(abs(difference))


def account_state(cycle: PaymentCycle, account: CashAccount | None = None) -> CashAccountState:
    """The cycle's cash account as it stands (``account``: the row already read, locked)."""
    if account is None:
        account = CashAccount.objects.filter(cycle=cycle).select_related(*PEOPLE).first()
    figures = cash_figures(cycle)
    return CashAccountState(
        cycle=cycle,
        account=account,
        figures=figures,
        token=figures_token(figures, account),
        problems=_problems(figures, account),
    )


def cash_account_close_problem(cycle: PaymentCycle) -> str | None:
    """Why ``close_cycle`` may not close the cycle yet for its cash, or None (no cash:
    nothing to account for)."""
    return account_state(cycle).missing


# --- recording ----------------------------------------------------------------


def _locked(cycle: PaymentCycle) -> tuple[PaymentCycle, CashAccount, CashFigures]:
    """The cycle's row locked (a double click, two people: one after the other),
    its account (a new one, unsaved, on first use) and its cash figures."""
    cycle = PaymentCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status not in OPEN_STATES:
        raise CashAccountError(
            _(
                "Tài khoản tiền mặt chỉ ghi khi kỳ chi trả đã gửi và chưa khóa sổ (kỳ %(month)s "
                "đang “%(status)s”). Không có gì thay đổi."
            )
            % {"month": f"{cycle.period:%m/%Y}", "status": cycle.get_status_display()}
        )
    figures = cash_figures(cycle)
    if not figures.has_cash:
        raise CashAccountError(
            _("Kỳ chi trả tháng %(month)s không có khoản tiền mặt hay chi tại nhà.")
            % {"month": f"{cycle.period:%m/%Y}"}
        )
    # Under the cycle's lock nobody else creates it; the first record saves it (its
    # history's first row then names who).
    account = CashAccount.objects.select_for_update().filter(cycle=cycle).first()
    return cycle, account or CashAccount(cycle=cycle), figures


def _day_problem(day: datetime.date, cycle: PaymentCycle, *, what: str) -> str | None:
    if day > timezone.localdate():
        return _("%(what)s không được sau hôm nay.") % {"what": what}
    # Cash may go to the post office in the last days of the month before.
    earliest = (cycle.period - datetime.timedelta(days=1)).replace(day=1)
    if day < earliest:
        return _("%(what)s trước tháng %(month)s: quá sớm cho kỳ chi trả tháng %(period)s.") % {
            "what": what,
            "month": f"{earliest:%m/%Y}",
            "period": f"{cycle.period:%m/%Y}",
        }
    return None


@transaction.atomic
def record_handover(
    cycle: PaymentCycle,
    *,
    amount: int,
    handed_over_on: datetime.date,
    voucher: str,
    actor,
) -> tuple[CashAccount, bool]:
    """The accountant records the cash handed to the post office; returns (account, changed).

    The amount must be the cash and home lists' total to the đồng. The same
    record twice changes nothing; a different one corrects it (and any
    confirmation made before no longer counts).
    """
    require_actor(actor, roles.CAN_HAND_OVER_CASH)
    voucher = " ".join((voucher or "").split())
    if not voucher:
        raise CashAccountError(_("Hãy ghi số phiếu chi hoặc biên nhận bàn giao."))
    if len(voucher) > VOUCHER_MAX_LENGTH:
        raise CashAccountError(
            _("Số phiếu chi/biên nhận dài quá %(n)d ký tự.") % {"n": VOUCHER_MAX_LENGTH}
        )
    cycle, account, figures = _locked(cycle)
    problem = _day_problem(handed_over_on, cycle, what=_("Ngày giao tiền"))
    if problem:
        raise CashAccountError(problem)
    if amount != figures.total:
        raise CashAccountError(
            _(
                "Số tiền giao %(amount)s khác tổng danh sách chi tiền mặt và chi tại nhà "
                "%(total)s (%(count)s khoản): chênh lệch %(difference)s. Không ghi gì."
            )
            % {
                "amount": format_amount(amount),
                "total": format_amount(figures.total),
                "count": format_amount(figures.count, unit=False),
                "difference": signed_amount(amount - figures.total),
            }
        )
    if (account.handed_over_amount, account.handed_over_on, account.handover_voucher) == (
        amount,
        handed_over_on,
        voucher,
    ):
        return account, False
    account.handed_over_amount = amount
    account.handed_over_on = handed_over_on
    account.handover_voucher = voucher
    account.handed_over_by = actor
    account.handed_over_at = timezone.now()
    account._history_user = actor
    account.save()
    return account, True


@transaction.atomic
def record_returned_cash(
    cycle: PaymentCycle, *, amount: int, returned_on: datetime.date, actor
) -> tuple[CashAccount, bool]:
    """The post office records the cash it brings back (the rows nobody collected;
    0 when everyone collected); returns (account, changed).

    What it brought is recorded as it is: a sum other than the rows not
    collected shows as a difference, and the account does not balance. The
    same record twice changes nothing; another one corrects it.
    """
    require_actor(actor, roles.CAN_RETURN_CASH)
    cycle, account, figures = _locked(cycle)
    problem = _day_problem(returned_on, cycle, what=_("Ngày nộp lại"))
    if problem:
        raise CashAccountError(problem)
    if amount > figures.total:
        raise CashAccountError(
            _(
                "Tiền nộp lại %(amount)s lớn hơn cả tổng danh sách chi tiền mặt và chi tại nhà "
                "%(total)s. Không ghi gì."
            )
            % {"amount": format_amount(amount), "total": format_amount(figures.total)}
        )
    if (account.returned_amount, account.returned_on) == (amount, returned_on):
        return account, False
    account.returned_amount = amount
    account.returned_on = returned_on
    account.returned_by = actor
    account.returned_at = timezone.now()
    account._history_user = actor
    account.save()
    return account, True


def _refuse_unbalanced(state: CashAccountState) -> None:
    if not state.balanced:
        raise CashAccountError(
            _("Tài khoản tiền mặt chưa cân, chưa xác nhận được: %(problems)s")
            % {"problems": " ".join(state.problems)}
        )


@transaction.atomic
def confirm_for_post_office(cycle: PaymentCycle, *, actor) -> tuple[CashAccount, bool]:
    """The post office confirms a balanced account; returns (account, changed).

    A confirmation that still holds is not made again. Confirming anew (the
    figures changed since the last one) voids the accountant's too.
    """
    if actor is None:
        raise CashAccountError(_("Cần người xác nhận."))
    require_actor(actor, roles.CAN_RETURN_CASH)
    cycle, account, _figures = _locked(cycle)
    state = account_state(cycle, account)
    if state.post_office_confirmed:
        return account, False
    _refuse_unbalanced(state)
    account.post_office_confirmed_by = actor
    account.post_office_confirmed_at = timezone.now()
    account.post_office_figures = state.token
    account.accountant_confirmed_by = None
    account.accountant_confirmed_at = None
    account.accountant_figures = ""
    account._history_user = actor
    account.save()
    return account, True


@transaction.atomic
def confirm_for_accountant(cycle: PaymentCycle, *, actor) -> tuple[CashAccount, bool]:
    """The accountant confirms after the post office, on the same figures, and is
    not the person who confirmed for it; returns (account, changed)."""
    if actor is None:
        raise CashAccountError(_("Cần người xác nhận."))
    require_actor(actor, roles.CAN_HAND_OVER_CASH)
    cycle, account, _figures = _locked(cycle)
    state = account_state(cycle, account)
    if state.accountant_confirmed:
        return account, False
    _refuse_unbalanced(state)
    if not state.post_office_confirmed:
        raise CashAccountError(
            _("Bưu điện chưa xác nhận tài khoản tiền mặt (hoặc số liệu đã đổi sau khi xác nhận):")
            + " "
            + _("kế toán xác nhận sau bưu điện.")
        )
    if account.post_office_confirmed_by_id == actor.pk:
        raise CashAccountError(
            _("Người đã xác nhận cho bưu điện không xác nhận lần thứ hai cho kế toán được.")
        )
    account.accountant_confirmed_by = actor
    account.accountant_confirmed_at = timezone.now()
    account.accountant_figures = state.token
    account._history_user = actor
    account.save()
    return account, True
