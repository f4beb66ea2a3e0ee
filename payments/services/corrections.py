"""Correcting a recorded result: the one way a paid, failed or uncollected result changes.

:func:`correct_result` takes the new result with the person's reason. It
decides it by the rules of every result
(:func:`~payments.services.results.decide_result`), writes the correction (the
result it replaces, the new one, who, when, why) and applies it as recording
does (:func:`~payments.services.results.apply_result`): a payment paid after
all makes its months live again, one failed or not collected after all frees
them (the next cycle pays them again), uncollected cash counts towards a
suspension; then the enrolment's recoveries are brought in line
(:func:`~payments.services.recoveries.detect_recoveries`).

Who may (:func:`~payments.services.results.may_correct`): the labour officer
and the accountant any payment of a sent cycle; the post office the cash and
home payments while the cycle is not closed; once the cycle is closed, only
the accountant. A correction that changes nothing (a second click) is refused
and says so.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.rules.reasons import ReasonError, clean_reason
from core.users import full_name
from payments.models import Payment, ResultCorrection
from payments.services.results import (
    RECORDED,
    ResultError,
    actor_may_correct,
    apply_result,
    decide_result,
    lock_payment,
    recorded_result_label,
)

# The failure reason kept on the payment is at most this long (``Payment.failure_reason``).
FAILURE_REASON_MAX = 300


class CorrectionError(ResultError):
    """A correction refused, with a message for the user."""


def corrections_of(payment: Payment):
    """The payment's corrections, oldest first, with who made them."""
    return ResultCorrection.objects.filter(payment=payment).select_related("corrected_by")


def result_label(status: str, paid_on: datetime.date | None, failure_reason: str) -> str:
    """A result as a person reads it (:func:`recorded_result_label`'s words)."""
    return recorded_result_label(
        Payment(status=status, paid_on=paid_on, failure_reason=failure_reason)
    )


def unchanged_error(payment: Payment) -> CorrectionError:
    """Why a correction to the result recorded already is refused (a second click says so)."""
    latest = corrections_of(payment).order_by("-corrected_at", "-pk").first()
    if latest is not None and (latest.new_status, latest.new_paid_on, latest.new_reference) == (
        payment.status,
        payment.paid_on,
        payment.reference,
    ):
        return CorrectionError(
            _(
                "Kết quả này đã được sửa lúc %(when)s (%(who)s); không sửa lần nữa. "
                "Không có gì thay đổi."
            )
            % {
                "when": f"{timezone.localtime(latest.corrected_at):%H:%M %d/%m/%Y}",
                "who": full_name(latest.corrected_by) if latest.corrected_by else _("hệ thống"),
            }
        )
    return CorrectionError(
        _("Kết quả mới giống kết quả đang ghi (%(result)s). Không có gì thay đổi.")
        % {"result": recorded_result_label(payment)}
    )


@transaction.atomic
def correct_result(
    payment: Payment,
    *,
    status: str,
    paid_on: datetime.date | None,
    reference: str,
    reason: str,
    actor,
    failure_reason: str = "",
) -> ResultCorrection:
    """Replace the payment's recorded result by another, for ``reason``.

    ``failure_reason`` is kept on a payment failed or not collected (the
    correction's reason when left blank). Raises :class:`CorrectionError` (a
    :class:`~payments.services.results.ResultError`) for a correction refused,
    :class:`PermissionDenied` for a user who may not make it.
    """
    try:
        reason = clean_reason(reason)
    except ReasonError as exc:
        raise CorrectionError(str(exc)) from None
    payment = lock_payment(payment)
    if not actor_may_correct(actor, payment, payment.cycle.status):
        raise PermissionDenied
    if payment.status not in RECORDED:
        raise CorrectionError(
            _("Khoản này chưa có kết quả (“%(status)s”): không có gì để sửa.")
            % {"status": payment.get_status_display()}
        )
    failure_reason = " ".join(failure_reason.split()) or reason[:FAILURE_REASON_MAX]
    if len(failure_reason) > FAILURE_REASON_MAX:
        raise CorrectionError(
            _("Lý do không chi trả được dài quá %(limit)d ký tự.") % {"limit": FAILURE_REASON_MAX}
        )
    change = decide_result(
        payment,
        cycle_status=payment.cycle.status,
        period=payment.cycle.period,
        status=status,
        paid_on=paid_on,
        reference=" ".join(reference.split()),
        reason=failure_reason,
        correction=True,
    )
    if change is None:
        raise unchanged_error(payment)
    # A recorded result replaced: ``apply_result`` always writes the correction.
    return apply_result(payment, change, actor=actor, correction=reason)
