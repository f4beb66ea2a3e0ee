"""What happened to each payment: paid, failed (account) or not collected (cash).

One service records a result, whoever brings it (the bank's results file, the
post office's page, the officer). A failed or uncollected payment frees its
months (its lines stop being live), so the next cycle owes them again; the
officer may switch the person to cash before that. Cash not collected for the
programme's number of months in a row suspends the enrolment.

A result once recorded changes only through a correction, with its reason
(:class:`~payments.models.ResultCorrection`): the correction form
(:func:`payments.services.corrections.correct_result`) or a bank's results
file, whose corrections carry the file's name. A different result brought
without a reason is refused and points at the form. Who may correct is
:func:`may_correct`'s rule.
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
from payments.models import Payment, PaymentCycle, PaymentMonth, ResultCorrection
from payments.services.recoveries import detect_recoveries

CASH_METHODS = (Payment.Method.CASH, Payment.Method.HOME)
# A first result is recorded while the cycle is sent and not closed; a recorded one
# may be corrected in a closed cycle too (by whom: :func:`may_correct`).
RESULT_STATES = (PaymentCycle.Status.SUBMITTED, PaymentCycle.Status.PAID)
CORRECTION_STATES = PaymentCycle.SENT_STATUSES
# The results a correction goes from and to.
RECORDED = (Payment.Status.PAID, Payment.Status.FAILED, Payment.Status.RETURNED)


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


def may_correct(method: str, cycle_status: str, *, every: bool, closed: bool, cash: bool) -> bool:
    """Whether a user may correct the recorded result of a payment made by ``method``
    in a cycle in ``cycle_status``: ``every`` (the officer, the accountant) any
    payment, ``cash`` (the post office) its cash ones; once the cycle is closed only
    ``closed`` (the accountant)."""
    if cycle_status == PaymentCycle.Status.CLOSED:
        return closed
    return every or (cash and method in CASH_METHODS)


def correction_rights(actor) -> tuple[bool, bool, bool]:
    """(every, closed, cash) of :func:`may_correct` for ``actor`` (``None``: the system)."""
    if actor is None:
        return True, True, True
    return (
        has_any_role(actor, roles.CAN_CORRECT_RESULTS),
        has_any_role(actor, roles.CAN_CORRECT_CLOSED_RESULTS),
        has_any_role(actor, roles.CAN_CORRECT_CASH_RESULTS),
    )


def actor_may_correct(actor, payment: Payment, cycle_status: str) -> bool:
    every, closed, cash = correction_rights(actor)
    return may_correct(payment.method, cycle_status, every=every, closed=closed, cash=cash)


@dataclass(frozen=True)
class ResultChange:
    """What recording a result writes on a payment: its new fields and whether
    its month lines stay live (a failed or uncollected payment frees them)."""

    status: str
    paid_on: datetime.date | None
    reference: str
    failure_reason: str
    live: bool
    # It replaces a recorded result: a correction, written with its reason.
    corrects: bool = False


def decide_result(
    payment: Payment,
    *,
    cycle_status: str,
    period: datetime.date,
    status: str,
    paid_on: datetime.date | None,
    reference: str,
    reason: str,
    correction: bool = False,
) -> ResultChange | None:
    """What a result does to a payment (the rules of both the one-by-one and the
    set-based path, and of a correction); ``None`` when it is the result recorded
    already.

    A different result over a recorded one is a correction: refused unless
    ``correction`` (the caller brings its reason), never back to pending.
    Reads only ``payment``'s method, status, paid_on and reference; raises
    :class:`ResultError` for a result the payment cannot take.
    """
    recorded = payment.status in RECORDED
    if cycle_status not in (CORRECTION_STATES if correction and recorded else RESULT_STATES):
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
    if recorded and not correction:
        raise ResultError(
            _(
                "Khoản này đã được ghi “%(result)s” trước đó; không ghi đè kết quả đã ghi. "
                "Nếu kết quả đó sai, hãy dùng “Sửa kết quả” của khoản và ghi lý do. "
                "Không có gì thay đổi."
            )
            % {"result": recorded_result_label(payment)}
        )
    if recorded and status not in RECORDED:
        raise ResultError(
            _("Kết quả đã ghi chỉ sửa thành “Đã chi trả”, “Chuyển khoản lỗi” hoặc “Không nhận”.")
        )
    live = status in (Payment.Status.PENDING, Payment.Status.PAID)
    return ResultChange(
        status=status,
        paid_on=paid_on if status == Payment.Status.PAID else None,
        reference=reference,
        failure_reason="" if live else reason.strip(),
        live=live,
        corrects=recorded,
    )


def _months(months) -> str:
    return ", ".join(f"{m:%m/%Y}" for m in sorted(set(months)))


def reissued_error(
    period: datetime.date, months: list[datetime.date], later: list[datetime.date]
) -> ResultError:
    """A payment (of the cycle of ``period``) whose freed ``months`` were paid again
    in the cycles of ``later`` cannot be paid any more: what to do instead."""
    return ResultError(
        _(
            "Các tháng %(months)s của khoản này đã được chi lại ở kỳ sau (kỳ tháng %(later)s): "
            "không ghi “đã chi trả” cho khoản này được nữa. Nếu khoản chi lại chưa đến tay "
            "người nhận, hãy sửa kết quả của khoản đó trước (chuyển khoản lỗi hoặc không "
            "nhận, lý do: đã nhận ở kỳ tháng %(period)s), rồi sửa khoản này. Không có gì "
            "thay đổi."
        )
        % {"months": _months(months), "later": _months(later), "period": f"{period:%m/%Y}"}
    )


def _reissued(payment: Payment) -> ResultError:
    """:func:`reissued_error` for a payment whose lines cannot be live again."""
    mine = PaymentMonth.objects.filter(payment=payment, kind=PaymentMonth.Kind.REGULAR).values(
        "month"
    )
    held = list(
        PaymentMonth.objects.filter(
            beneficiary_id=payment.beneficiary_id,
            kind=PaymentMonth.Kind.REGULAR,
            live=True,
            month__in=mine,
        )
        .exclude(payment=payment)
        .values_list("month", "payment__cycle__period")
    )
    return reissued_error(payment.cycle.period, [m for m, _p in held], [p for _m, p in held])


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
    correction: str | None = None,
) -> tuple[Payment, bool]:
    """Record one payment's result; returns (payment, changed).

    The same result twice changes nothing (a results file imported again).
    A different result over a recorded one is refused, unless ``correction``
    gives the reason to correct it (a bank's results file: “Tệp kết quả …”):
    then it is a correction, by :func:`may_correct`'s rule, refused when the
    months it would pay again were re-issued in a later cycle since. The rules
    are :func:`decide_result`'s; :func:`record_results` records many at once by
    the same rules.
    """
    payment = lock_payment(payment)
    _check_role(payment, actor)
    change = decide_result(
        payment,
        cycle_status=payment.cycle.status,
        period=payment.cycle.period,
        status=status,
        paid_on=paid_on,
        reference=reference,
        reason=reason,
        correction=correction is not None,
    )
    if change is None:
        return payment, False
    if change.corrects and not actor_may_correct(actor, payment, payment.cycle.status):
        raise PermissionDenied
    apply_result(payment, change, actor=actor, correction=correction)
    return payment, True


def lock_payment(payment: Payment) -> Payment:
    """The payment's row, locked for the rest of the transaction, with its cycle."""
    return Payment.objects.select_for_update().select_related("cycle").get(pk=payment.pk)


def correction_note(reason: str) -> str:
    """Why recoveries changed after a correction (their history's reason)."""
    return _("Sửa kết quả chi trả: %(reason)s") % {"reason": reason}


def apply_result(
    payment: Payment, change: ResultChange, *, actor, correction: str | None
) -> ResultCorrection | None:
    """Write a decided result on a locked payment: its month lines, its fields, the
    correction it makes (with ``correction`` as its reason), the suspension after
    uncollected months, and for a correction the enrolment's recoveries."""
    before = ResultCorrection(
        payment=payment,
        old_status=payment.status,
        old_paid_on=payment.paid_on,
        old_reference=payment.reference,
        old_failure_reason=payment.failure_reason,
    )
    try:
        with transaction.atomic():
            PaymentMonth.objects.filter(payment=payment).update(live=change.live)
    except IntegrityError:
        raise _reissued(payment) from None
    payment.status = change.status
    payment.paid_on = change.paid_on
    payment.reference = change.reference
    payment.failure_reason = change.failure_reason
    payment.recorded_by = actor
    payment._history_user = actor
    payment.save()
    corrected = None
    if change.corrects:
        if not correction:
            raise ValueError("apply_result: a correction needs its reason")
        corrected = before
        corrected.new_status = change.status
        corrected.new_paid_on = change.paid_on
        corrected.new_reference = change.reference
        corrected.new_failure_reason = change.failure_reason
        corrected.reason = correction
        corrected.corrected_by = actor
        corrected.corrected_at = timezone.now()
        corrected._history_user = actor
        corrected.save()
    if change.status == Payment.Status.RETURNED:
        _suspend_if_uncollected(payment, actor)
    if corrected is not None:
        # A paid month failed after all is owed again; one paid after all may be owed no more.
        detect_recoveries(
            Beneficiary.objects.filter(pk=payment.beneficiary_id),
            actor=actor,
            reason=correction_note(correction),
        )
    return corrected


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
