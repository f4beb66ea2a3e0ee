"""What happened to each payment: paid, failed (account) or not collected (cash).

One service records a result, whoever brings it (the bank's results file, the
post office's page, the officer). A failed or uncollected payment frees its
months (its lines stop being live), so the next cycle owes them again; the
officer may switch the person to cash before that. Cash not collected for the
programme's number of months in a row suspends the enrolment.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.models import Beneficiary
from core import roles
from core.access import has_any_role
from payments.models import Payment, PaymentCycle, PaymentMonth

CASH_METHODS = (Payment.Method.CASH, Payment.Method.HOME)
RESULT_STATES = (PaymentCycle.Status.SUBMITTED, PaymentCycle.Status.PAID)


class ResultError(Exception):
    """A result refused, with a message for the user."""


def paid_date_problem(
    paid_on: datetime.date, period: datetime.date, *, today: datetime.date | None = None
) -> str | None:
    """Why a payment of the cycle of ``period`` cannot have been paid on ``paid_on``, or None."""
    if paid_on > (today or timezone.localdate()):
        return _("Ngày chi trả không được sau hôm nay.")
    if paid_on < period:
        return _("Ngày chi trả trước tháng của kỳ chi trả (%(month)s).") % {
            "month": f"{period:%m/%Y}"
        }
    return None


def settled_refusal() -> str:
    """Why a settled payment takes no result: a recovery took it whole, nothing was sent
    (the result services and the bank results file say it alike)."""
    return _(
        "Khoản này đã cấn trừ hết vào khoản thu hồi: không có tiền chi trả, không ghi kết quả được."
    )


def recorded_result_label(payment: Payment) -> str:
    """The recorded result as a person reads it: “Đã chi trả ngày 18/09/2023”, “Không nhận (tiền mặt) — Vắng nhà”."""
    label = str(Payment.Status(payment.status).label)
    if payment.status == Payment.Status.PAID and payment.paid_on:
        label += _(" ngày %(day)s") % {"day": f"{payment.paid_on:%d/%m/%Y}"}
    if payment.failure_reason:
        label += f" — {payment.failure_reason}"
    return label


def is_same_result(
    payment: Payment, *, status: str, paid_on: datetime.date | None, reference: str
) -> bool:
    """Whether recording this result over the payment's would change nothing (a file
    imported again): the same state, and for a paid one the same day, and the same
    bank reference."""
    return (
        payment.status == status
        and (payment.paid_on == paid_on or status != Payment.Status.PAID)
        and payment.reference == reference
    )


def may_record(method: str, *, every: bool, cash: bool) -> bool:
    """Whether a user who may record every result (``every``) or only the post
    office's cash ones (``cash``) may record a payment made by ``method``."""
    # The post office records what it paid in cash, nothing about accounts.
    return every or (cash and method in CASH_METHODS)


def actor_rights(actor) -> tuple[bool, bool]:
    if actor is None or has_any_role(actor, roles.CAN_RECORD_BANK_RESULTS):
        return True, True
    return False, has_any_role(actor, frozenset({roles.POST_OFFICE}))


def _check_role(payment: Payment, actor) -> None:
    every, cash = actor_rights(actor)
    if not may_record(payment.method, every=every, cash=cash):
        raise PermissionDenied


@dataclass(frozen=True)
class ResultChange:
    """What recording a result writes on a payment: its new fields and whether
    its month lines stay live (a failed or uncollected payment frees them)."""

    status: str
    paid_on: datetime.date | None
    reference: str
    failure_reason: str
    live: bool


def decide_result(
    payment: Payment,
    *,
    cycle_status: str,
    period: datetime.date,
    status: str,
    paid_on: datetime.date | None,
    reference: str,
    reason: str,
    keep_recorded: bool,
) -> ResultChange | None:
    """What a result does to a payment (the rules of both the one-by-one and the
    set-based path); ``None`` when it is the result recorded already.

    Reads only ``payment``'s method, status, paid_on and reference; raises
    :class:`ResultError` for a result the payment cannot take.
    """
    if cycle_status not in RESULT_STATES:
        raise ResultError(
            _("Chỉ ghi kết quả cho kỳ chi trả đã gửi (kỳ %(month)s đang “%(status)s”).")
            % {
                "month": f"{period:%m/%Y}",
                "status": PaymentCycle.Status(cycle_status).label,
            }
        )
    if payment.status == Payment.Status.SETTLED:
        raise ResultError(settled_refusal())
    if status == Payment.Status.PAID and paid_on is None:
        raise ResultError(_("Cần ngày chi trả."))
    if status == Payment.Status.PAID:
        problem = paid_date_problem(paid_on, period)
        if problem:
            raise ResultError(problem)
    if status == Payment.Status.RETURNED and payment.method not in CASH_METHODS:
        raise ResultError(_("Khoản chuyển khoản không thể “không nhận”; dùng “chuyển khoản lỗi”."))
    if status == Payment.Status.FAILED and payment.method in CASH_METHODS:
        raise ResultError(_("Khoản tiền mặt không thể “chuyển khoản lỗi”; dùng “không nhận”."))
    if status in (Payment.Status.FAILED, Payment.Status.RETURNED) and not reason.strip():
        raise ResultError(_("Cần ghi lý do không chi trả được."))
    if is_same_result(payment, status=status, paid_on=paid_on, reference=reference):
        return None
    if keep_recorded and payment.status != Payment.Status.PENDING:
        raise ResultError(
            _(
                "Khoản này đã được ghi “%(result)s” trước đó; không ghi đè kết quả đã ghi. "
                "Không có gì thay đổi."
            )
            % {"result": recorded_result_label(payment)}
        )
    live = status in (Payment.Status.PENDING, Payment.Status.PAID)
    return ResultChange(
        status=status,
        paid_on=paid_on if status == Payment.Status.PAID else None,
        reference=reference,
        failure_reason="" if live else reason.strip(),
        live=live,
    )


def reissued_error() -> ResultError:
    """A payment whose freed months were paid again in a later cycle cannot be paid any more."""
    return ResultError(
        _(
            "Các tháng của khoản này đã được chi lại ở kỳ sau: không ghi “đã chi trả” "
            "được nữa. Ghi nhận khoản thu hồi/điều chỉnh ở kỳ sau."
        )
    )


def uncollected_suspends(latest_statuses: list[str], months: int) -> bool:
    """Whether an enrolment is suspended: its ``months`` latest payments up to the
    one just recorded (latest first) were all not collected."""
    return (
        bool(months)
        and len(latest_statuses) >= months
        and all(s == Payment.Status.RETURNED for s in latest_statuses[:months])
    )


def suspension_note(months: int) -> str:
    return _("Tạm dừng: %(n)d tháng liền không nhận tiền mặt.") % {"n": months}


@transaction.atomic
def record_result(
    payment: Payment,
    *,
    status: str,
    actor,
    paid_on: datetime.date | None = None,
    reference: str = "",
    reason: str = "",
    keep_recorded: bool = False,
) -> tuple[Payment, bool]:
    """Record one payment's result; returns (payment, changed).

    The same result twice changes nothing (a results file imported again).
    A different result corrects the earlier one, unless the months it would
    pay again were re-issued in a later cycle since — or unless
    ``keep_recorded`` (the post office's page): then only a pending payment
    is recorded, and a different result over a recorded one is refused.
    The rules are :func:`decide_result`'s; :func:`record_results` records
    many at once by the same rules.
    """
    payment = Payment.objects.select_for_update().select_related("cycle").get(pk=payment.pk)
    _check_role(payment, actor)
    change = decide_result(
        payment,
        cycle_status=payment.cycle.status,
        period=payment.cycle.period,
        status=status,
        paid_on=paid_on,
        reference=reference,
        reason=reason,
        keep_recorded=keep_recorded,
    )
    if change is None:
        return payment, False
    try:
        with transaction.atomic():
            PaymentMonth.objects.filter(payment=payment).update(live=change.live)
    except IntegrityError:
        raise reissued_error() from None
    payment.status = change.status
    payment.paid_on = change.paid_on
    payment.reference = change.reference
    payment.failure_reason = change.failure_reason
    payment.recorded_by = actor
    payment._history_user = actor
    payment.save()
    if change.status == Payment.Status.RETURNED:
        _suspend_if_uncollected(payment, actor)
    return payment, True


def _suspend_if_uncollected(payment: Payment, actor) -> None:
    enrolment = Beneficiary.objects.select_related("programme").get(pk=payment.beneficiary_id)
    months = enrolment.programme.suspend_after_uncollected
    if not months or enrolment.status != Beneficiary.Status.ACTIVE:
        return
    # Up to this payment's month: the next cycle may already be open, still pending.
    latest = list(
        Payment.objects.filter(beneficiary=enrolment, cycle__period__lte=payment.cycle.period)
        .order_by("-cycle__period")
        .values_list("status", flat=True)[:months]
    )
    if uncollected_suspends(latest, months):
        enrolment.status = Beneficiary.Status.SUSPENDED
        enrolment.note = suspension_note(months)
        enrolment._history_user = actor
        enrolment.save()
